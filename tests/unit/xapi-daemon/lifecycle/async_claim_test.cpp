// An Async call claims its VM before it answers: the ordering, seen with a dispatcher whose
// worker pool is a queue that the test runs by hand (no threads, no waiting).
#include <gtest/gtest.h>

#include <deque>
#include <functional>

#include "lifecycle/operation_slot.hpp"
#include "lifecycle_world_for_test.hpp"

namespace tern::xapi {
namespace {

struct AsyncClaimTest : ::testing::Test {
    LifecycleWorldForTest world;
    std::deque<std::function<void()>> queued;
    Dispatcher queueing{world.state,
                        [this](std::function<void()> job) { queued.push_back(std::move(job)); }};

    AsyncClaimTest() { install_async_claims(queueing); }

    std::string call_async(const std::string& method, rpc::Array args) {
        args.insert(args.begin(), rpc::Value{world.s});
        return ok_for_test(queueing.call(method, args, world.local_root)).as<std::string>();
    }
    void run_queued() {
        while (!queued.empty()) {
            auto job = std::move(queued.front());
            queued.pop_front();
            job();
        }
    }
    rpc::Value current_operations(const std::string& vm) {
        return world.field("VM", vm, "current_operations");
    }
    rpc::Value task_field(const std::string& task, const char* name) {
        return world.field("task", task, name);
    }
};

TEST_F(AsyncClaimTest, TheVmIsBusyWhenTheTaskIsAnsweredAndTheWorkAdoptsTheClaim) {
    const std::string vm = world.make_vm("a");
    world.ok("VM.start", {rpc::Value{vm}, rpc::Value{false}});
    const std::string task = call_async("Async.VM.pause", {rpc::Value{vm}});
    // Answered, the work not begun: the VM already lists the task's operation.
    ASSERT_EQ(queued.size(), 1u);
    EXPECT_EQ(task_field(task, "status"), rpc::Value{"pending"});
    EXPECT_EQ(current_operations(vm), (rpc::Value{rpc::Struct{{task, rpc::Value{"pause"}}}}));
    EXPECT_EQ(world.allowed(vm), Strings{});
    EXPECT_EQ(world.fails("VM.hard_shutdown", {rpc::Value{vm}}),
              (Strings{"OTHER_OPERATION_IN_PROGRESS", "VM", vm, "pause", task}));
    EXPECT_EQ(world.fails("VM.pause", {rpc::Value{vm}}),
              (Strings{"OTHER_OPERATION_IN_PROGRESS", "VM", vm, "pause", task}));

    run_queued();
    EXPECT_EQ(task_field(task, "status"), rpc::Value{"success"});
    EXPECT_EQ(world.power(vm), "Paused");
    EXPECT_EQ(current_operations(vm), rpc::Value{rpc::Struct{}});
    EXPECT_FALSE(world.allowed(vm).empty());
}

TEST_F(AsyncClaimTest, AWrongStateCallFailsItsTaskAndQueuesNoWork) {
    const std::string vm = world.make_vm("a");
    const std::string task = call_async("Async.VM.pause", {rpc::Value{vm}});
    EXPECT_TRUE(queued.empty());
    EXPECT_EQ(task_field(task, "status"), rpc::Value{"failure"});
    EXPECT_EQ(task_field(task, "error_info"),
              (rpc::Value{rpc::Array{rpc::Value{"VM_BAD_POWER_STATE"}, rpc::Value{vm},
                                     rpc::Value{"Running"}, rpc::Value{"Halted"}}}));
    EXPECT_EQ(current_operations(vm), rpc::Value{rpc::Struct{}});
    EXPECT_EQ(world.power(vm), "Halted");
}

TEST_F(AsyncClaimTest, ASecondAsyncCallMeanwhileFailsItsTaskWithTheFirstOne) {
    const std::string vm = world.make_vm("a");
    const std::string first = call_async("Async.VM.start", {rpc::Value{vm}, rpc::Value{false}});
    const std::string second = call_async("Async.VM.start", {rpc::Value{vm}, rpc::Value{false}});
    EXPECT_EQ(queued.size(), 1u);
    EXPECT_EQ(task_field(second, "error_info"),
              (rpc::Value{rpc::Array{rpc::Value{"OTHER_OPERATION_IN_PROGRESS"}, rpc::Value{"VM"},
                                     rpc::Value{vm}, rpc::Value{"start"}, rpc::Value{first}}}));
    run_queued();
    EXPECT_EQ(task_field(first, "status"), rpc::Value{"success"});
    EXPECT_EQ(world.power(vm), "Running");
}

TEST_F(AsyncClaimTest, AFailedWorkFreesTheVmBeforeItsTaskEnds) {
    const std::string vm = world.make_vm("a");
    world.sim.inject_failure(SimOp::build, BackendError{"INTERNAL_ERROR", {"injected"}});
    const std::int64_t before = world.events.last_id();
    const std::string task = call_async("Async.VM.start", {rpc::Value{vm}, rpc::Value{false}});
    run_queued();
    EXPECT_EQ(task_field(task, "status"), rpc::Value{"failure"});
    EXPECT_EQ(world.power(vm), "Halted");
    EXPECT_FALSE(world.allowed(vm).empty());
    // In the order of the changes: the VM is free again before the task says it has ended.
    std::int64_t last = 0;
    auto events = world.events.since(
        before, Subscription::parse({rpc::Value{"vm"}, rpc::Value{"task"}}), last);
    ASSERT_TRUE(events);
    std::optional<rpc::Value> vm_operations;
    bool task_ended = false;
    for (const EventPtr& p : *events) {
        const Event& e = *p;
        if (e.ref == vm && e.snapshot)
            vm_operations = e.snapshot->at("current_operations");
        if (e.ref == task && e.snapshot && e.snapshot->at("status") != rpc::Value{"pending"}) {
            task_ended = true;
            ASSERT_TRUE(vm_operations);
            EXPECT_EQ(*vm_operations, rpc::Value{rpc::Struct{}});
            break;
        }
    }
    EXPECT_TRUE(task_ended);
}

TEST_F(AsyncClaimTest, WorkThatNeverRunsFreesTheVm) {
    const std::string vm = world.make_vm("a");
    call_async("Async.VM.start", {rpc::Value{vm}, rpc::Value{false}});
    EXPECT_NE(current_operations(vm), rpc::Value{rpc::Struct{}});
    queued.clear();  // the pool is torn down with the job still queued
    EXPECT_EQ(current_operations(vm), rpc::Value{rpc::Struct{}});
    EXPECT_EQ(world.power(vm), "Halted");
}

TEST_F(AsyncClaimTest, AMessageWithoutAClaimStillClaimsWhenItsWorkRuns) {
    const std::string vm = world.make_vm("a");
    world.ok("VM.start", {rpc::Value{vm}, rpc::Value{false}});
    const std::string max = std::to_string(256 * kMiB);
    const std::string task = call_async("Async.VM.set_memory_dynamic_range",
                                        {rpc::Value{vm}, rpc::Value{max}, rpc::Value{max}});
    EXPECT_EQ(current_operations(vm), rpc::Value{rpc::Struct{}});
    run_queued();
    EXPECT_EQ(task_field(task, "status"), rpc::Value{"success"});
}

}  // namespace
}  // namespace tern::xapi
