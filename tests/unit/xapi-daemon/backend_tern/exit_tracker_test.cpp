// ExitTracker: guest exits from successive domain lists, never for stops xapid asked for.
#include "backend/tern/exit_tracker.hpp"

#include <gtest/gtest.h>

namespace tern::xapi {
namespace {

tern_domain_info domain(std::uint32_t id, std::uint32_t state, std::uint32_t reason = 0) {
    tern_domain_info d{};
    d.domain = id;
    d.state = state;
    d.shutdown_reason = reason;
    return d;
}

using Exits = std::vector<std::pair<DomainId, GuestExit>>;

TEST(ExitTracker, AShutdownIsReportedOnceWithItsReason) {
    ExitTracker t;
    EXPECT_EQ(t.update({domain(1, TERN_DOMAIN_RUNNING), domain(2, TERN_DOMAIN_RUNNING)}), Exits{});
    EXPECT_EQ(t.update({domain(1, TERN_DOMAIN_SHUTDOWN, TERN_SHUTDOWN_REBOOT),
                        domain(2, TERN_DOMAIN_SHUTDOWN, TERN_SHUTDOWN_CRASH)}),
              (Exits{{DomainId{1}, GuestExit::reboot}, {DomainId{2}, GuestExit::crash}}));
    EXPECT_EQ(t.update({domain(1, TERN_DOMAIN_SHUTDOWN, TERN_SHUTDOWN_REBOOT),
                        domain(2, TERN_DOMAIN_SHUTDOWN, TERN_SHUTDOWN_CRASH)}),
              Exits{});
    // Gone after its exit was reported: nothing more.
    EXPECT_EQ(t.update({}), Exits{});
}

TEST(ExitTracker, ADomainShutDownBeforeTheFirstLookIsReported) {
    ExitTracker t;
    EXPECT_EQ(t.update({domain(3, TERN_DOMAIN_SHUTDOWN, TERN_SHUTDOWN_POWEROFF)}),
              (Exits{{DomainId{3}, GuestExit::poweroff}}));
}

TEST(ExitTracker, ADomainThatDisappearsUnaskedVanished) {
    ExitTracker t;
    (void)t.update({domain(4, TERN_DOMAIN_RUNNING)});
    EXPECT_EQ(t.update({}), (Exits{{DomainId{4}, GuestExit::vanished}}));
    EXPECT_EQ(t.update({}), Exits{});
}

TEST(ExitTracker, StopsXapidAskedForAreNotExits) {
    ExitTracker t;
    (void)t.update({domain(5, TERN_DOMAIN_RUNNING), domain(6, TERN_DOMAIN_RUNNING)});
    t.expect_stop(5);
    EXPECT_EQ(t.update({domain(5, TERN_DOMAIN_SHUTDOWN), domain(6, TERN_DOMAIN_RUNNING)}), Exits{});
    t.forget(6);  // destroyed by xapid
    EXPECT_EQ(t.update({domain(5, TERN_DOMAIN_SHUTDOWN)}), Exits{});
}

TEST(ExitTracker, AStopThatTimedOutIsTheGuestsOwnAgain) {
    ExitTracker t;
    (void)t.update({domain(7, TERN_DOMAIN_RUNNING)});
    t.expect_stop(7);
    t.unexpect_stop(7);
    EXPECT_EQ(t.update({domain(7, TERN_DOMAIN_SHUTDOWN, TERN_SHUTDOWN_POWEROFF)}),
              (Exits{{DomainId{7}, GuestExit::poweroff}}));
}

TEST(ExitTracker, AReusedIdStartsAfresh) {
    ExitTracker t;
    (void)t.update({domain(8, TERN_DOMAIN_SHUTDOWN)});
    t.forget(8);  // destroyed, and a new domain got id 8
    (void)t.update({domain(8, TERN_DOMAIN_RUNNING)});
    EXPECT_EQ(t.update({domain(8, TERN_DOMAIN_SHUTDOWN, TERN_SHUTDOWN_CRASH)}),
              (Exits{{DomainId{8}, GuestExit::crash}}));
}

}  // namespace
}  // namespace tern::xapi
