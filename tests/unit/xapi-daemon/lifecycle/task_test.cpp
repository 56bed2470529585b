// Async calls and their tasks: status, progress, result, error_info, cancel.
#include <gtest/gtest.h>

#include <thread>

#include "lifecycle_world_for_test.hpp"

namespace tern::xapi {
namespace {

struct TaskTest : ::testing::Test {
    LifecycleWorldForTest world;

    rpc::Value task_field(const std::string& task, const char* name) {
        return world.field("task", task, name);
    }
};

TEST_F(TaskTest, AnAsyncStartSucceedsWithItsResult) {
    const std::string vm = world.make_vm("a");
    const std::string task =
        world.ok("Async.VM.start", {rpc::Value{vm}, rpc::Value{false}}).as<std::string>();
    EXPECT_EQ(task_field(task, "status"), rpc::Value{"success"});
    EXPECT_EQ(task_field(task, "progress"), rpc::Value{1.0});
    EXPECT_EQ(task_field(task, "name_label"), rpc::Value{"Async.VM.start"});
    EXPECT_EQ(task_field(task, "result"), rpc::Value{"<value></value>"});
    EXPECT_TRUE(task_field(task, "allowed_operations").as<rpc::Array>().empty());
    EXPECT_NE(task_field(task, "finished").as<rpc::DateTime>().iso8601, "19700101T00:00:00Z");
    EXPECT_EQ(world.power(vm), "Running");
}

TEST_F(TaskTest, AnAsyncCloneNamesTheClassOfItsResult) {
    const std::string vm = world.make_vm("a");
    const std::string task =
        world.ok("Async.VM.clone", {rpc::Value{vm}, rpc::Value{"b"}}).as<std::string>();
    EXPECT_EQ(task_field(task, "type"), rpc::Value{"VM"});
    const std::string result = task_field(task, "result").as<std::string>();
    EXPECT_TRUE(result.starts_with("<value>OpaqueRef:")) << result;
}

TEST_F(TaskTest, AFailedTaskCarriesTheError) {
    const std::string vm = world.make_vm("a");
    const std::string task = world.ok("Async.VM.pause", {rpc::Value{vm}}).as<std::string>();
    EXPECT_EQ(task_field(task, "status"), rpc::Value{"failure"});
    EXPECT_EQ(task_field(task, "error_info"),
              (rpc::Value{rpc::Array{rpc::Value{"VM_BAD_POWER_STATE"}, rpc::Value{vm},
                                     rpc::Value{"Running"}, rpc::Value{"Halted"}}}));
}

TEST_F(TaskTest, CancelStopsAStartAndLeavesTheVmHalted) {
    const std::string vm = world.make_vm("slow");
    world.sim.set_latency(SimOp::build, std::chrono::seconds(30));
    std::thread caller([&] { world.ok("Async.VM.start", {rpc::Value{vm}, rpc::Value{false}}); });
    // The task's work runs on the caller's thread; find the task while it is pending.
    std::string task;
    while (task.empty()) {
        for (const auto& [ref, record] : world.store.records(world.store.class_index("task"))) {
            if (record.at("status") == rpc::Value{"pending"})
                task = ref;
        }
        std::this_thread::yield();
    }
    EXPECT_EQ(task_field(task, "allowed_operations"),
              (rpc::Value{rpc::Array{rpc::Value{"cancel"}}}));
    // The work holds the VM once it has begun.
    while (world.field("VM", vm, "current_operations").as<rpc::Struct>().empty())
        std::this_thread::yield();
    EXPECT_EQ(world.field("VM", vm, "current_operations"),
              (rpc::Value{rpc::Struct{{task, rpc::Value{"start"}}}}));
    EXPECT_EQ(world.allowed(vm), Strings{});
    world.ok("task.cancel", {rpc::Value{task}});
    caller.join();
    EXPECT_EQ(task_field(task, "status"), rpc::Value{"cancelled"});
    EXPECT_EQ(task_field(task, "error_info"),
              (rpc::Value{rpc::Array{rpc::Value{"TASK_CANCELLED"}, rpc::Value{task}}}));
    EXPECT_EQ(world.power(vm), "Halted");
    EXPECT_TRUE(world.sim.list_domains().empty());
    EXPECT_FALSE(world.allowed(vm).empty());
    EXPECT_EQ(world.fails("task.cancel", {rpc::Value{task}})[0], "OPERATION_NOT_ALLOWED");
}

TEST_F(TaskTest, ProgressIsReportedWhileTheWorkRuns) {
    const std::string vm = world.make_vm("slow");
    world.sim.set_latency(SimOp::build, std::chrono::milliseconds(300));
    const std::int64_t before = world.events.last_id();
    const std::string task =
        world.ok("Async.VM.start", {rpc::Value{vm}, rpc::Value{false}}).as<std::string>();
    // Every change of the task is an event with its snapshot: read the progress it went
    // through.
    std::int64_t last = 0;
    auto events =
        world.events.since(before, Subscription::parse({rpc::Value{"task/" + task}}), last);
    ASSERT_TRUE(events);
    std::vector<double> seen;
    for (const EventPtr& p : *events) {
        const Event& e = *p;
        if (e.snapshot)
            seen.push_back(e.snapshot->at("progress").as<double>());
    }
    ASSERT_GE(seen.size(), 3u) << "0, something between, 1";
    EXPECT_EQ(seen.front(), 0.0);
    EXPECT_EQ(seen.back(), 1.0);
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    EXPECT_GT(seen[seen.size() - 2], 0.0);
    EXPECT_LT(seen[seen.size() - 2], 1.0);
}

TEST_F(TaskTest, ClientTasksAndRetention) {
    const std::string task =
        world.ok("task.create", {rpc::Value{"upload"}, rpc::Value{"mine"}}).as<std::string>();
    EXPECT_EQ(task_field(task, "status"), rpc::Value{"pending"});
    const std::string vm = world.make_vm("a");
    const std::string finished =
        world.ok("Async.VM.start", {rpc::Value{vm}, rpc::Value{false}}).as<std::string>();
    world.now += std::chrono::hours(2);
    reap_finished_tasks(world.state, std::chrono::hours(1));
    world.s = world.make_session_for_test();  // the old one expired meanwhile
    EXPECT_TRUE(world.store.exists(world.store.class_index("task"), task)) << "pending: kept";
    EXPECT_FALSE(world.store.exists(world.store.class_index("task"), finished));
    world.ok("task.destroy", {rpc::Value{task}});
    EXPECT_FALSE(world.store.exists(world.store.class_index("task"), task));
}

}  // namespace
}  // namespace tern::xapi
