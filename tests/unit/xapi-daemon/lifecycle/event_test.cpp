// Events: event.from with its token, coalescing and timeout; event.register/next/unregister;
// EVENTS_LOST and SESSION_NOT_REGISTERED; waiting without a thread of its own.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "events/deferred_wakes.hpp"
#include "events/shared_answers.hpp"
#include "lifecycle_world_for_test.hpp"
#include "rpc/xmlrpc_codec.hpp"

namespace tern::xapi {
namespace {

using Struct = rpc::Struct;

struct EventTest : ::testing::Test {
    LifecycleWorldForTest world;

    Struct from(rpc::Array classes, const std::string& token, double timeout) {
        return world
            .ok("event.from",
                {rpc::Value{std::move(classes)}, rpc::Value{token}, rpc::Value{timeout}})
            .as<Struct>();
    }
    static const rpc::Array& events(const Struct& answer) {
        return answer.at("events").as<rpc::Array>();
    }
    static std::string get(const rpc::Value& event, const char* key) {
        return event.as<Struct>().at(key).as<std::string>();
    }
    // A value the dispatcher hands to the transport as a client reads it (event.from's answer
    // is in wire form).
    static rpc::Value decoded(const rpc::Value& value) {
        auto back = rpc::parse_method_response(rpc::encode_response(value));
        EXPECT_TRUE(std::holds_alternative<rpc::Value>(back));
        return std::get<rpc::Value>(back);
    }
};

TEST_F(EventTest, AnEmptyTokenDumpsEveryObjectOfTheClasses) {
    const std::string a = world.make_vm("a");
    const Struct answer = from({rpc::Value{"VM"}}, "", 0);
    // dom0 and a.
    ASSERT_EQ(events(answer).size(), 2u);
    for (const rpc::Value& e : events(answer)) {
        EXPECT_EQ(get(e, "class"), "vm");
        EXPECT_EQ(get(e, "operation"), "add");
        EXPECT_TRUE(e.as<Struct>().at("snapshot").as<Struct>().contains("power_state"));
    }
    EXPECT_EQ(answer.at("valid_ref_counts").as<Struct>().at("vm"), rpc::Value{std::int64_t{2}});
    EXPECT_EQ(answer.at("token").as<std::string>().size(), 20u);
}

TEST_F(EventTest, TheTokenGivesOnlyLaterChangesCoalesced) {
    const std::string a = world.make_vm("a");
    const std::string token = from({rpc::Value{"vm"}}, "", 0).at("token").as<std::string>();
    world.ok("VM.set_name_label", {rpc::Value{a}, rpc::Value{"b"}});
    world.ok("VM.set_name_label", {rpc::Value{a}, rpc::Value{"c"}});
    const std::string gone = world.make_vm("short-lived");
    world.ok("VM.destroy", {rpc::Value{gone}});
    const Struct answer = from({rpc::Value{"vm"}}, token, 0);
    ASSERT_EQ(events(answer).size(), 1u) << "two mods coalesce, an add+del vanishes";
    const rpc::Value& e = events(answer)[0];
    EXPECT_EQ(get(e, "operation"), "mod");
    EXPECT_EQ(get(e, "ref"), a);
    EXPECT_EQ(e.as<Struct>().at("snapshot").as<Struct>().at("name_label"), rpc::Value{"c"});
    EXPECT_GT(answer.at("token").as<std::string>(), token);
    EXPECT_TRUE(events(from({rpc::Value{"vm"}}, answer.at("token").as<std::string>(), 0)).empty());
}

TEST_F(EventTest, ClassAndObjectSubscriptions) {
    const std::string a = world.make_vm("a");
    const std::string b = world.make_vm("b");
    const std::string token = from({rpc::Value{"*"}}, "", 0).at("token").as<std::string>();
    world.ok("VM.set_name_label", {rpc::Value{a}, rpc::Value{"a2"}});
    world.ok("VM.set_name_label", {rpc::Value{b}, rpc::Value{"b2"}});
    const Struct only_a = from({rpc::Value{"VM/" + a}}, token, 0);
    ASSERT_EQ(events(only_a).size(), 1u);
    EXPECT_EQ(get(events(only_a)[0], "ref"), a);
    EXPECT_TRUE(events(from({rpc::Value{"task"}}, token, 0)).empty());
    EXPECT_EQ(world.fails("event.from", {rpc::Value{rpc::Array{rpc::Value{"nosuchclass"}}},
                                         rpc::Value{""}, rpc::Value{0.0}}),
              (Strings{"EVENT_SUBSCRIPTION_PARSE_FAILURE", "nosuchclass"}));
    EXPECT_EQ(world.fails("event.from", {rpc::Value{rpc::Array{rpc::Value{"vm"}}}, rpc::Value{"x1"},
                                         rpc::Value{0.0}}),
              (Strings{"EVENT_FROM_TOKEN_PARSE_FAILURE", "x1"}));
}

TEST_F(EventTest, LifeCycleChangesAndTasksAreEvents) {
    const std::string vm = world.make_vm("a");
    const std::string token =
        from({rpc::Value{"vm"}, rpc::Value{"task"}, rpc::Value{"vm_metrics"}}, "", 0)
            .at("token")
            .as<std::string>();
    world.ok("Async.VM.start", {rpc::Value{vm}, rpc::Value{false}});
    const Struct answer =
        from({rpc::Value{"vm"}, rpc::Value{"task"}, rpc::Value{"vm_metrics"}}, token, 0);
    std::set<std::string> classes;
    for (const rpc::Value& e : events(answer)) {
        classes.insert(get(e, "class"));
        if (get(e, "class") == "vm") {
            EXPECT_EQ(e.as<Struct>().at("snapshot").as<Struct>().at("power_state"),
                      rpc::Value{"Running"});
        }
        if (get(e, "class") == "task") {
            EXPECT_EQ(get(e, "operation"), "add");
            EXPECT_EQ(e.as<Struct>().at("snapshot").as<Struct>().at("status"),
                      rpc::Value{"success"});
        }
    }
    EXPECT_EQ(classes, (std::set<std::string>{"task", "vm", "vm_metrics"}));
}

TEST_F(EventTest, FromWaitsForAChangeOrItsTimeout) {
    const std::string vm = world.make_vm("a");
    const std::string token = from({rpc::Value{"vm"}}, "", 0).at("token").as<std::string>();
    // Nothing changes: the timeout passes and the answer is empty.
    EXPECT_TRUE(events(from({rpc::Value{"vm"}}, token, 0.05)).empty());
    // A change from another thread wakes the waiting call.
    auto waiting =
        std::async(std::launch::async, [&] { return from({rpc::Value{"vm"}}, token, 3600); });
    EXPECT_EQ(waiting.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
    world.ok("VM.set_name_label", {rpc::Value{vm}, rpc::Value{"woken"}});
    const Struct answer = waiting.get();
    ASSERT_EQ(events(answer).size(), 1u);
    EXPECT_EQ(get(events(answer)[0], "ref"), vm);
}

TEST_F(EventTest, RegisterAndNext) {
    EXPECT_EQ(world.fails("event.next", {}), (Strings{"SESSION_NOT_REGISTERED", world.s}));
    world.ok("event.register", {rpc::Value{rpc::Array{rpc::Value{"vm"}}}});
    const std::string vm = world.make_vm("a");
    auto got = world.ok("event.next", {}).as<rpc::Array>();
    ASSERT_EQ(got.size(), 1u) << "one transaction, one event per object";
    EXPECT_EQ(get(got.front(), "operation"), "add");
    EXPECT_EQ(get(got.front(), "class"), "vm");
    EXPECT_EQ(get(got.front(), "ref"), vm);
    EXPECT_FALSE(get(got.front(), "obj_uuid").empty());
    // next blocks until something happens.
    auto waiting = std::async(std::launch::async, [&] { return world.ok("event.next", {}); });
    EXPECT_EQ(waiting.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
    world.ok("VM.destroy", {rpc::Value{vm}});
    got = waiting.get().as<rpc::Array>();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(get(got[0], "operation"), "del");
    world.ok("event.unregister", {rpc::Value{rpc::Array{rpc::Value{"vm"}}}});
    EXPECT_EQ(world.fails("event.next", {})[0], "SESSION_NOT_REGISTERED");
}

TEST_F(EventTest, ATokenFromBeforeARestartMeansLostEvents) {
    const std::string future = "00000000000099999999";
    EXPECT_EQ(world.fails("event.from", {rpc::Value{rpc::Array{rpc::Value{"vm"}}},
                                         rpc::Value{future}, rpc::Value{0.0}}),
              (Strings{"EVENTS_LOST"}));
}

TEST_F(EventTest, LoggingOutDropsTheRegistration) {
    world.ok("event.register", {rpc::Value{rpc::Array{rpc::Value{"*"}}}});
    ASSERT_TRUE(world.events.registration(world.s));
    world.ok("session.logout", {});
    EXPECT_FALSE(world.events.registration(world.s));
}

TEST_F(EventTest, ReadersThatFallBehindLoseTheirEvents) {
    world.ok("event.register", {rpc::Value{rpc::Array{rpc::Value{"*"}}}});
    const std::string token = from({rpc::Value{"vm"}}, "", 0).at("token").as<std::string>();
    const std::string vm = world.make_vm("a");
    for (int i = 0; i < 1100; ++i)  // the test world keeps 1000 events
        world.ok("VM.set_name_label", {rpc::Value{vm}, rpc::Value{std::to_string(i)}});
    EXPECT_EQ(world.fails("event.next", {}), (Strings{"EVENTS_LOST"}));
    EXPECT_EQ(world.fails("event.next", {})[0], "SESSION_NOT_REGISTERED")
        << "the client must register again";
    EXPECT_EQ(world.fails("event.from", {rpc::Value{rpc::Array{rpc::Value{"vm"}}},
                                         rpc::Value{token}, rpc::Value{0.0}}),
              (Strings{"EVENTS_LOST"}));
}

TEST_F(EventTest, WatchersAskingTheSameShareOneEncodedAnswer) {
    const std::string a = world.make_vm("a");
    const std::string token = from({rpc::Value{"vm"}}, "", 0).at("token").as<std::string>();
    world.ok("VM.set_name_label", {rpc::Value{a}, rpc::Value{"b"}});
    // Watchers' answers as the dispatcher hands them to the transport, before encoding.
    auto raw = [&](const char* cls, const std::string& from_token) {
        return world.dispatcher
            .call("event.from",
                  {rpc::Value{world.s}, rpc::Value{rpc::Array{rpc::Value{cls}}},
                   rpc::Value{from_token}, rpc::Value{0.0}},
                  world.local_root)
            .as<Struct>()
            .at("Value");
    };
    const rpc::Value first = raw("vm", token);
    const rpc::Value second = raw("VM", token);
    ASSERT_TRUE(first.is<rpc::Encoded>());
    ASSERT_TRUE(second.is<rpc::Encoded>());
    EXPECT_EQ(first.as<rpc::Encoded>().xml.get(), second.as<rpc::Encoded>().xml.get())
        << "the same classes from the same token: one encoding, shared";
    // Another question has its own answer, which carries the same encoded event.
    const rpc::Value everything = raw("*", token);
    ASSERT_TRUE(everything.is<rpc::Encoded>());
    EXPECT_NE(everything.as<rpc::Encoded>().xml.get(), first.as<rpc::Encoded>().xml.get());
    // And a client reads the snapshot from it.
    const Struct answer = decoded(second).as<Struct>();
    ASSERT_EQ(events(answer).size(), 1u);
    EXPECT_EQ(events(answer)[0].as<Struct>().at("snapshot").as<Struct>().at("name_label"),
              rpc::Value{"b"});
    // After the next change, the same question from the same token is answered anew.
    world.ok("VM.set_name_label", {rpc::Value{a}, rpc::Value{"c"}});
    const rpc::Value later = raw("vm", token);
    ASSERT_TRUE(later.is<rpc::Encoded>());
    EXPECT_NE(later.as<rpc::Encoded>().xml.get(), first.as<rpc::Encoded>().xml.get());
    EXPECT_EQ(events(decoded(later).as<Struct>())[0]
                  .as<Struct>()
                  .at("snapshot")
                  .as<Struct>()
                  .at("name_label"),
              rpc::Value{"c"});
}

TEST(SharedAnswersTest, KeepsOnlyAnswersUpToTheNewestEvent) {
    SharedAnswers shared;
    auto bytes = [](const char* s) { return rpc::Encoded{std::make_shared<const std::string>(s)}; };
    shared.keep(1, 2, "3 ", bytes("a"));
    ASSERT_TRUE(shared.find(1, 2, "3 ").has_value());
    EXPECT_EQ(*shared.find(1, 2, "3 ")->xml, "a");
    EXPECT_FALSE(shared.find(1, 2, "4 ").has_value()) << "another subscription";
    EXPECT_FALSE(shared.find(0, 2, "3 ").has_value()) << "another token";
    shared.keep(1, 3, "3 ", bytes("b"));
    EXPECT_FALSE(shared.find(1, 2, "3 ").has_value()) << "answers before event 3 are dropped";
    shared.keep(1, 2, "3 ", bytes("late"));
    EXPECT_FALSE(shared.find(1, 2, "3 ").has_value()) << "and not kept again";
    EXPECT_EQ(shared.size(), 1u);
    for (int i = 0; i < 100; ++i)
        shared.keep(100 + i, 3, "3 ", bytes("x"));
    EXPECT_EQ(shared.size(), SharedAnswers::kMaxAnswers);
}

TEST(SubscriptionKey, SameObjectsSameKey) {
    auto key = [](rpc::Array entries) { return Subscription::parse(entries).key(); };
    EXPECT_EQ(key({rpc::Value{"vm"}}), key({rpc::Value{"VM"}}));
    EXPECT_EQ(key({rpc::Value{"vm"}, rpc::Value{"task"}}),
              key({rpc::Value{"task"}, rpc::Value{"vm"}, rpc::Value{"vm"}}));
    EXPECT_EQ(key({rpc::Value{"*"}}), key({rpc::Value{"*"}, rpc::Value{"vm"}}));
    EXPECT_NE(key({rpc::Value{"vm"}}), key({rpc::Value{"task"}}));
    EXPECT_NE(key({rpc::Value{"vm"}}), key({rpc::Value{"vm/OpaqueRef:a"}}));
    EXPECT_NE(key({rpc::Value{"vm/OpaqueRef:a"}}), key({rpc::Value{"vm/OpaqueRef:b"}}));
}

TEST_F(EventTest, AChangeWakesOnlyTheWaitersOfItsClass) {
    const std::string a = world.make_vm("a");
    const std::int64_t now = world.events.last_id();
    int vm_woken = 0;
    int task_woken = 0;
    world.events.wait(now, Subscription::parse({rpc::Value{"vm"}}), std::nullopt,
                      [&] { ++vm_woken; });
    world.events.wait(now, Subscription::parse({rpc::Value{"task"}}), std::nullopt,
                      [&] { ++task_woken; });
    world.ok("VM.set_name_label", {rpc::Value{a}, rpc::Value{"b"}});
    EXPECT_EQ(vm_woken, 1);
    EXPECT_EQ(task_woken, 0);
    world.ok("task.create", {rpc::Value{"t"}, rpc::Value{""}});
    EXPECT_EQ(vm_woken, 1);
    EXPECT_EQ(task_woken, 1);
}

TEST_F(EventTest, AParkedAnswerIsBuiltOnItsConnection) {
    const std::string a = world.make_vm("a");
    const std::string token = from({rpc::Value{"vm"}}, "", 0).at("token").as<std::string>();
    // A connection whose strand is a queue the test runs by hand.
    std::vector<std::function<void()>> strand;
    rpc::Peer peer = world.local_root;
    peer.run_on_connection = [&](std::function<void()> job) { strand.push_back(std::move(job)); };
    std::vector<rpc::Value> answers;
    const auto now =
        world.dispatcher.call("event.from",
                              {rpc::Value{world.s}, rpc::Value{rpc::Array{rpc::Value{"vm"}}},
                               rpc::Value{token}, rpc::Value{60.0}},
                              peer, [&](rpc::Value v) { answers.push_back(std::move(v)); });
    ASSERT_FALSE(now.has_value()) << "nothing new yet: the call waits";
    EXPECT_TRUE(strand.empty());
    world.ok("VM.set_name_label", {rpc::Value{a}, rpc::Value{"b"}});
    ASSERT_EQ(strand.size(), 1u) << "the change hands the answer to the connection";
    EXPECT_TRUE(answers.empty()) << "and the connection builds it, not the changer";
    strand[0]();
    ASSERT_EQ(answers.size(), 1u);
    const Struct value = decoded(answers[0]).as<Struct>().at("Value").as<Struct>();
    const rpc::Array& got = value.at("events").as<rpc::Array>();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_NE(value.at("token").as<std::string>(), token);
}

// Watchers on connections of one event loop are handed over together: a change posts one
// job per loop, which answers all of that loop's watchers in one pass.
TEST_F(EventTest, AChangeWakesEachLoopOnceForAllItsWatchers) {
    const std::string a = world.make_vm("a");
    const std::string token = from({rpc::Value{"vm"}}, "", 0).at("token").as<std::string>();
    // Two loops, each a queue the test runs by hand; three watchers on the first, one on the
    // second.
    std::vector<std::function<void()>> loop1;
    std::vector<std::function<void()>> loop2;
    auto peer_on = [&](std::vector<std::function<void()>>& loop) {
        rpc::Peer peer = world.local_root;
        peer.run_on_connection = [&loop](std::function<void()> job) {
            loop.push_back(std::move(job));
        };
        peer.loop = &loop;
        return peer;
    };
    std::vector<rpc::Value> answers;
    auto watch = [&](const rpc::Peer& peer) {
        const auto now =
            world.dispatcher.call("event.from",
                                  {rpc::Value{world.s}, rpc::Value{rpc::Array{rpc::Value{"vm"}}},
                                   rpc::Value{token}, rpc::Value{60.0}},
                                  peer, [&](rpc::Value v) { answers.push_back(std::move(v)); });
        EXPECT_FALSE(now.has_value()) << "nothing new yet: the call waits";
    };
    for (int i = 0; i < 3; ++i)
        watch(peer_on(loop1));
    watch(peer_on(loop2));
    world.ok("VM.set_name_label", {rpc::Value{a}, rpc::Value{"b"}});
    ASSERT_EQ(loop1.size(), 1u) << "one hand-over for the first loop's three watchers";
    ASSERT_EQ(loop2.size(), 1u);
    EXPECT_TRUE(answers.empty()) << "the loops build the answers, not the changer";
    loop1[0]();
    EXPECT_EQ(answers.size(), 3u) << "one pass answers all three";
    loop2[0]();
    ASSERT_EQ(answers.size(), 4u);
    for (const rpc::Value& answer : answers) {
        const Struct value = decoded(answer).as<Struct>().at("Value").as<Struct>();
        EXPECT_EQ(value.at("events").as<rpc::Array>().size(), 1u);
    }
}

TEST_F(EventTest, AnEventSomeoneWaitsForIsInWireFormBeforeTheWaiterWakes) {
    const std::string a = world.make_vm("a");
    const std::string token = from({rpc::Value{"vm"}}, "", 0).at("token").as<std::string>();
    std::vector<std::function<void()>> strand;
    rpc::Peer peer = world.local_root;
    peer.run_on_connection = [&](std::function<void()> job) { strand.push_back(std::move(job)); };
    std::vector<rpc::Value> answers;
    ASSERT_FALSE(world.dispatcher
                     .call("event.from",
                           {rpc::Value{world.s}, rpc::Value{rpc::Array{rpc::Value{"vm"}}},
                            rpc::Value{token}, rpc::Value{60.0}},
                           peer, [&](rpc::Value v) { answers.push_back(std::move(v)); })
                     .has_value());
    world.ok("VM.set_name_label", {rpc::Value{a}, rpc::Value{"b"}});
    ASSERT_EQ(strand.size(), 1u);
    std::int64_t last = 0;
    const auto events =
        world.events.since(std::stoll(token), Subscription::parse({rpc::Value{"vm"}}), last);
    ASSERT_TRUE(events.has_value());
    ASSERT_EQ(events->size(), 1u);
    const Event& e = *events->at(0);
    ASSERT_NE(e.record_xml.xml, nullptr) << "encoded by the change, not by the answer";
    EXPECT_NE(e.record_xml.xml->find("<name>snapshot</name>"), std::string::npos);
    strand[0]();
    ASSERT_EQ(answers.size(), 1u);
    const rpc::Value& sent = answers[0].as<Struct>().at("Value");
    ASSERT_TRUE(sent.is<rpc::Encoded>());
    EXPECT_NE(sent.as<rpc::Encoded>().xml->find(*e.record_xml.xml), std::string::npos)
        << "sent as it is";
}

TEST_F(EventTest, AnAnswerDoesNotWaitForTheStoresLock) {
    const std::string a = world.make_vm("a");
    const std::string token = from({rpc::Value{"vm"}}, "", 0).at("token").as<std::string>();
    world.ok("VM.set_name_label", {rpc::Value{a}, rpc::Value{"b"}});
    // A commit in progress holds the store's lock until the test lets it go.
    std::promise<void> inside;
    std::promise<void> release;
    std::thread commit([&] {
        world.store.transact([&](Transaction&) {
            inside.set_value();
            release.get_future().wait();
        });
    });
    inside.get_future().wait();
    auto answer =
        std::async(std::launch::async, [&] { return from({rpc::Value{"vm"}}, token, 0); });
    const bool answered = answer.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
    release.set_value();
    commit.join();
    EXPECT_TRUE(answered) << "event.from answered from the hub while the store was locked";
    EXPECT_EQ(events(answer.get()).size(), 1u);
}

TEST_F(EventTest, ValidRefCountsFollowCreatesAndDestroys) {
    const int vm = world.store.class_index("VM");
    const std::int64_t before = static_cast<std::int64_t>(world.store.count(vm));
    world.make_vm("a");
    const std::string b = world.make_vm("b");
    const std::string token = from({rpc::Value{"vm"}}, "", 0).at("token").as<std::string>();
    world.ok("VM.destroy", {rpc::Value{b}});
    const std::int64_t now = static_cast<std::int64_t>(world.store.count(vm));
    EXPECT_EQ(now, before + 1);
    EXPECT_EQ(world.events.objects(vm), now) << "the hub's count, kept from the changes";
    const Struct answer = from({rpc::Value{"vm"}}, token, 0);
    EXPECT_EQ(answer.at("valid_ref_counts").as<Struct>().at("vm"), rpc::Value{now});
}

TEST(EventHubTimer, OnlyAnEarlierDeadlineWakesTheTimer) {
    EventHub hub(16, [] { return std::chrono::system_clock::time_point{}; });
    const auto later = std::chrono::steady_clock::now() + std::chrono::hours(1);
    const Subscription vms = Subscription::parse({rpc::Value{"vm"}});
    int woken = 0;
    hub.wait(0, vms, later, [&] { ++woken; });
    EXPECT_EQ(hub.timer_wakeups(), 1u);
    for (int i = 1; i <= 50; ++i)
        hub.wait(0, vms, later + std::chrono::seconds(i), [&] { ++woken; });
    hub.wait(0, vms, std::nullopt, [&] { ++woken; });
    EXPECT_EQ(hub.timer_wakeups(), 1u) << "later deadlines are found when the timer wakes";
    hub.wait(0, vms, later - std::chrono::minutes(1), [&] { ++woken; });
    EXPECT_EQ(hub.timer_wakeups(), 2u);
    EXPECT_EQ(woken, 0);
    hub.stop();
    EXPECT_EQ(woken, 53) << "stopping still wakes every waiter";
}

TEST(EventHubPrepare, EventsAreEncodedOnceAfterTheStoreLockAndBeforeAnyWakeOnlyWhenWaitedFor) {
    EventHub hub(16, [] { return std::chrono::system_clock::time_point{}; });
    std::vector<std::string> order;
    hub.set_prepare([&](const Event& e) { order.push_back("encode " + e.ref); });
    const int vm = class_index_of("vm");
    auto change = [vm](const std::string& ref) {
        std::vector<StoreChange> changes;
        changes.push_back(StoreChange{vm, ref, StoreChange::Kind::mod,
                                      std::make_shared<const rpc::Struct>(), "uuid-" + ref});
        return changes;
    };
    hub.publish(change("a"));
    EXPECT_TRUE(order.empty()) << "nobody waits: an answer encodes it if one ever carries it";
    hub.wait(hub.last_id(), Subscription::parse({rpc::Value{"vm"}}), std::nullopt,
             [&] { order.push_back("wake"); });
    {
        DeferredWakes::Collect store_lock_held;
        hub.publish(change("b"));
        EXPECT_TRUE(order.empty()) << "nothing runs while the store holds its lock";
    }
    EXPECT_EQ(order, (std::vector<std::string>{"encode b", "wake"}));
}

}  // namespace
}  // namespace tern::xapi
