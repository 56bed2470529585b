// PhysicalTimer: the emulated EL1 physical timer a vCPU sees — its registers as the Arm ARM
// defines them (ISTATUS, TVAL's signed 32-bit view of CVAL) and when it fires.
#include "common/physical_timer.hpp"

#include <gtest/gtest.h>

namespace tern::hv {
namespace {

using Reg = PhysicalTimer::Register;

TEST(PhysicalTimer, StartsDisabledAndNeverFires) {
    PhysicalTimer t;
    EXPECT_EQ(t.read(Reg::ctl, 1000), 0u);
    EXPECT_EQ(t.read(Reg::cval, 1000), 0u);
    EXPECT_EQ(t.deadline(), 0u);
    EXPECT_FALSE(t.fire(~0ull));
}

TEST(PhysicalTimer, CvalAndTvalAreTwoViewsOfOneDeadline) {
    PhysicalTimer t;
    t.write(Reg::tval, 500, 1000);
    EXPECT_EQ(t.read(Reg::cval, 1000), 1500u);
    EXPECT_EQ(t.read(Reg::tval, 1200), 300u);
    EXPECT_EQ(t.read(Reg::tval, 1600), 0xffffff9cu);  // -100 in its 32 bits: past due
    t.write(Reg::tval, 0xffffff00u, 1000);            // negative: in the past
    EXPECT_EQ(t.read(Reg::cval, 0), 1000u - 256u);
    t.write(Reg::tval, 0xdead00000010ull, 1000);  // only bits [31:0] count
    EXPECT_EQ(t.read(Reg::cval, 0), 1016u);
    t.write(Reg::cval, 7777, 1000);
    EXPECT_EQ(t.read(Reg::tval, 7000), 777u);
}

TEST(PhysicalTimer, IstatusIsSetOnceEnabledAndDue) {
    PhysicalTimer t;
    t.write(Reg::cval, 2000, 0);
    EXPECT_EQ(t.read(Reg::ctl, 2500), 0u);  // disabled: no status
    t.write(Reg::ctl, PhysicalTimer::kEnable | 0xf8, 0);
    EXPECT_EQ(t.read(Reg::ctl, 1999), PhysicalTimer::kEnable);  // other bits are RES0
    EXPECT_EQ(t.read(Reg::ctl, 2000), PhysicalTimer::kEnable | PhysicalTimer::kIstatus);
    t.write(Reg::ctl, PhysicalTimer::kEnable | PhysicalTimer::kImask | PhysicalTimer::kIstatus, 0);
    EXPECT_EQ(t.read(Reg::ctl, 2500),  // masked: the status still shows, ISTATUS not writable
              PhysicalTimer::kEnable | PhysicalTimer::kImask | PhysicalTimer::kIstatus);
}

TEST(PhysicalTimer, FiresOncePerExpiryAndAgainWhenSetAgain) {
    PhysicalTimer t;
    t.write(Reg::tval, 100, 1000);
    t.write(Reg::ctl, PhysicalTimer::kEnable, 1000);
    EXPECT_EQ(t.deadline(), 1100u);
    EXPECT_FALSE(t.fire(1099));
    EXPECT_TRUE(t.fire(1100));
    EXPECT_FALSE(t.fire(1200));  // raised once; level stays (ISTATUS) but no second interrupt
    EXPECT_EQ(t.deadline(), 0u);
    // The guest's handler masks it, then sets the next deadline and unmasks (as Linux does).
    t.write(Reg::ctl, PhysicalTimer::kEnable | PhysicalTimer::kImask, 1200);
    EXPECT_FALSE(t.fire(5000));  // masked
    t.write(Reg::tval, 50, 1200);
    t.write(Reg::ctl, PhysicalTimer::kEnable, 1200);
    EXPECT_EQ(t.deadline(), 1250u);
    EXPECT_TRUE(t.fire(1300));
    // Disabled: never fires.
    t.write(Reg::ctl, 0, 1300);
    t.write(Reg::cval, 1400, 1300);
    EXPECT_FALSE(t.fire(2000));
}

TEST(PhysicalTimer, UnmaskingAnExpiredTimerFiresAtOnce) {
    PhysicalTimer t;
    t.write(Reg::cval, 100, 0);
    t.write(Reg::ctl, PhysicalTimer::kEnable | PhysicalTimer::kImask, 0);
    EXPECT_FALSE(t.fire(500));
    t.write(Reg::ctl, PhysicalTimer::kEnable, 500);
    EXPECT_TRUE(t.fire(500));
}

}  // namespace
}  // namespace tern::hv
