// xenstored's own copies of Xen and Linux ABI facts, checked against Debian's libxen-dev: the
// wire header and ring page of io/xs_wire.h, and the device ioctls of xen/sys/*.h.
#include <sys/ioctl.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

// clang-format off
#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/io/xs_wire.h>
#include <xen/sys/evtchn.h>
#include <xen/sys/gntdev.h>
#include <xen/sys/privcmd.h>
#include <xen/sys/xenbus_dev.h>
// clang-format on

#include <gtest/gtest.h>

#include "xenstored/wire.hpp"
#include "xenstored/xen_devices.hpp"
#include "xenstored/xen_ioctl.hpp"
#include "xenstored/xs_error.hpp"

namespace tern::dom0::xenstored {
namespace {

using Ring = XenstoreDomainInterface;
using XenRing = ::xenstore_domain_interface;

static_assert(sizeof(MessageHeader) == sizeof(::xsd_sockmsg));
static_assert(offsetof(MessageHeader, tx_id) == offsetof(::xsd_sockmsg, tx_id));
static_assert(offsetof(MessageHeader, len) == offsetof(::xsd_sockmsg, len));
static_assert(kPayloadMax == XENSTORE_PAYLOAD_MAX);
static_assert(kAbsolutePathMax == XENSTORE_ABS_PATH_MAX);
static_assert(kRelativePathMax == XENSTORE_REL_PATH_MAX);
static_assert(kRingSize == XENSTORE_RING_SIZE);
static_assert(sizeof(Ring) == sizeof(XenRing));
static_assert(offsetof(Ring, rsp) == offsetof(XenRing, rsp));
static_assert(offsetof(Ring, req_cons) == offsetof(XenRing, req_cons));
static_assert(offsetof(Ring, req_prod) == offsetof(XenRing, req_prod));
static_assert(offsetof(Ring, rsp_cons) == offsetof(XenRing, rsp_cons));
static_assert(offsetof(Ring, rsp_prod) == offsetof(XenRing, rsp_prod));
static_assert(offsetof(Ring, server_features) == offsetof(XenRing, server_features));
static_assert(offsetof(Ring, connection) == offsetof(XenRing, connection));
static_assert(offsetof(Ring, error) == offsetof(XenRing, error));
static_assert(kServerFeatureError == XENSTORE_SERVER_FEATURE_ERROR);
static_assert(kRingErrorRingIndex == XENSTORE_ERROR_RINGIDX);
static_assert(kXenstoreGrantRef == GNTTAB_RESERVED_XENSTORE);

static_assert(xen_ioctl::kEvtchnBindInterdomain == IOCTL_EVTCHN_BIND_INTERDOMAIN);
static_assert(xen_ioctl::kEvtchnBindVirq == IOCTL_EVTCHN_BIND_VIRQ);
static_assert(kVirqDomainException == VIRQ_DOM_EXC);
static_assert(xen_ioctl::kEvtchnNotify == IOCTL_EVTCHN_NOTIFY);
static_assert(xen_ioctl::kXenbusBackendEvtchn == IOCTL_XENBUS_BACKEND_EVTCHN);
static_assert(xen_ioctl::kGntdevMapGrantRef == IOCTL_GNTDEV_MAP_GRANT_REF);
static_assert(xen_ioctl::kGntdevUnmapGrantRef == IOCTL_GNTDEV_UNMAP_GRANT_REF);
static_assert(xen_ioctl::kPrivcmdMmapBatchV2 == IOCTL_PRIVCMD_MMAPBATCH_V2);
static_assert(offsetof(xen_ioctl::GntdevMapGrantRef, refs) ==
              offsetof(::ioctl_gntdev_map_grant_ref, refs));
static_assert(offsetof(xen_ioctl::PrivcmdMmapBatchV2, addr) ==
              offsetof(::privcmd_mmapbatch_v2, addr));
static_assert(offsetof(xen_ioctl::PrivcmdMmapBatchV2, err) ==
              offsetof(::privcmd_mmapbatch_v2, err));

TEST(XenAbiTest, MessageTypesMatchXsWire) {
    EXPECT_EQ(static_cast<int>(MessageType::kControl), XS_CONTROL);
    EXPECT_EQ(static_cast<int>(MessageType::kWatchEvent), XS_WATCH_EVENT);
    EXPECT_EQ(static_cast<int>(MessageType::kError), XS_ERROR);
    EXPECT_EQ(static_cast<int>(MessageType::kSetTarget), XS_SET_TARGET);
    EXPECT_EQ(static_cast<int>(MessageType::kResetWatches), XS_RESET_WATCHES);
    EXPECT_EQ(static_cast<int>(MessageType::kDirectoryPart), XS_DIRECTORY_PART);
    EXPECT_EQ(message_type_name(XS_DIRECTORY_PART), "DIRECTORY_PART");
    EXPECT_EQ(message_type_name(XS_IS_DOMAIN_INTRODUCED), "IS_DOMAIN_INTRODUCED");
}

TEST(XenAbiTest, ErrorNamesAreThoseLibxenstoreKnows) {
    // xsd_errors lists every name a client can decode, in order.
    for (std::size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); ++i) {
        EXPECT_EQ(error_name(static_cast<XsError>(i)), xsd_errors[i].errstring);
    }
}

}  // namespace
}  // namespace tern::dom0::xenstored
