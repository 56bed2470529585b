// Tests of StoreWriter on its own, with a group writer the test controls: changes are written
// in the order they were submitted, what queues up while a group is written goes out as the
// next group (an object changed twice in it is written once), and a group that fails is the
// error of its changes and of every later one.
#include "store/store_writer.hpp"

#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite_db.hpp"

namespace tern::xapi {
namespace {

StoreRow row(const std::string& ref, std::int64_t value) {
    return StoreRow{0, ref,
                    std::make_shared<const rpc::Struct>(rpc::Struct{{"v", rpc::Value{value}}})};
}

std::int64_t value_of(const StoreRow& r) {
    return r.fields->at("v").as<std::int64_t>();
}

// Records every group it is given.
struct RecordingGroups {
    std::mutex mutex;
    std::vector<std::vector<std::pair<std::string, std::int64_t>>> groups;

    StoreWriter::WriteGroup writer() {
        return [this](const std::vector<const StoreRow*>& rows) {
            std::lock_guard lock(mutex);
            auto& g = groups.emplace_back();
            for (const StoreRow* r : rows)
                g.emplace_back(r->ref, value_of(*r));
        };
    }
};

TEST(StoreWriterTest, ChangesFromSeveralThreadsAreWrittenInTheOrderOfTheirNumbers) {
    RecordingGroups seen;
    StoreWriter writer(seen.writer());
    std::mutex order;  // held across submit, as the store's lock is
    std::vector<std::pair<std::uint64_t, std::string>> submitted;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 250; ++i) {
                std::lock_guard lock(order);
                const std::string ref = "t" + std::to_string(t) + "-" + std::to_string(i);
                const std::uint64_t seq = writer.submit({row(ref, 0)});
                submitted.emplace_back(seq, ref);
            }
        });
    }
    for (auto& t : threads)
        t.join();
    writer.flush();
    std::vector<std::string> written;
    for (const auto& g : seen.groups) {
        for (const auto& [ref, v] : g)
            written.push_back(ref);
    }
    ASSERT_EQ(written.size(), 1000u);
    for (std::size_t i = 0; i < submitted.size(); ++i) {
        EXPECT_EQ(submitted[i].first, i + 1);
        EXPECT_EQ(written[i], submitted[i].second);
    }
    EXPECT_EQ(writer.stats().changes, 1000u);
    EXPECT_EQ(writer.stats().groups, seen.groups.size());
}

TEST(StoreWriterTest, WhatQueuesWhileAGroupIsWrittenIsTheNextGroupWithEachObjectOnce) {
    std::promise<void> first_entered;
    std::promise<void> release;
    auto released = release.get_future().share();
    RecordingGroups seen;
    auto record = seen.writer();
    bool first = true;
    StoreWriter writer([&](const std::vector<const StoreRow*>& rows) {
        if (first) {
            first = false;
            first_entered.set_value();
            released.wait();
        }
        record(rows);
    });
    const std::uint64_t a = writer.submit({row("a", 1)});
    first_entered.get_future().wait();
    // The writer is inside the first group now: these wait for the next one.
    std::vector<std::uint64_t> later;
    for (int i = 0; i < 10; ++i)
        later.push_back(writer.submit({row("b", i), row("c" + std::to_string(i), i)}));
    std::promise<bool> told;
    auto told_future = told.get_future();
    writer.when_durable(later.back(),
                        [&](const std::string* error) { told.set_value(error == nullptr); });
    EXPECT_EQ(told_future.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
    release.set_value();
    writer.wait(later.back());
    EXPECT_EQ(a, 1u);
    ASSERT_EQ(seen.groups.size(), 2u);
    EXPECT_EQ(seen.groups[0], (std::vector<std::pair<std::string, std::int64_t>>{{"a", 1}}));
    // "b" changed in all ten: written once, with its newest value, where its last change was.
    const auto& g = seen.groups[1];
    ASSERT_EQ(g.size(), 11u);
    for (int i = 0; i < 9; ++i)
        EXPECT_EQ(g[static_cast<std::size_t>(i)].first, "c" + std::to_string(i));
    EXPECT_EQ(g[9], (std::pair<std::string, std::int64_t>{"b", 9}));
    EXPECT_EQ(g[10], (std::pair<std::string, std::int64_t>{"c9", 9}));
    const StoreWriter::Stats stats = writer.stats();
    EXPECT_EQ(stats.groups, 2u);
    EXPECT_EQ(stats.changes, 11u);
    EXPECT_EQ(stats.rows, 12u);
    EXPECT_TRUE(told_future.get());
}

TEST(StoreWriterTest, AFailedGroupIsTheErrorOfItsChangesAndOfEveryLaterOne) {
    StoreWriter writer([](const std::vector<const StoreRow*>& rows) {
        for (const StoreRow* r : rows) {
            if (r->ref == "poison")
                throw StoreError("disk I/O error");
        }
    });
    const std::uint64_t good = writer.submit({row("fine", 1)});
    writer.wait(good);
    const std::uint64_t bad = writer.submit({row("poison", 2)});
    EXPECT_THROW(writer.wait(bad), StoreError);
    std::string error;
    writer.when_durable(bad, [&](const std::string* why) { error = why != nullptr ? *why : ""; });
    EXPECT_NE(error.find("disk I/O error"), std::string::npos) << error;
    // What was durable before stays so.
    bool good_ok = false;
    writer.when_durable(good, [&](const std::string* why) { good_ok = why == nullptr; });
    EXPECT_TRUE(good_ok);
    EXPECT_THROW(writer.submit({row("after", 3)}), StoreError);
    EXPECT_THROW(writer.check(), StoreError);
}

TEST(StoreWriterTest, StoppingWritesWhatIsQueued) {
    RecordingGroups seen;
    {
        StoreWriter writer(seen.writer());
        for (int i = 0; i < 100; ++i)
            writer.submit({row("r" + std::to_string(i), i)});
    }
    std::size_t rows = 0;
    for (const auto& g : seen.groups)
        rows += g.size();
    EXPECT_EQ(rows, 100u);
}

}  // namespace
}  // namespace tern::xapi
