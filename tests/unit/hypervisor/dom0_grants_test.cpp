// Dom0Memory's grant mappings: dom0 maps a page another domain granted it at a frame it gave
// back, the grant entry says so (GTF_reading/GTF_writing) while it is mapped, read-only grants
// stay read-only, bad references, handles and addresses get their GNTST_* status, and
// destroying the granting domain takes its pages out of dom0.
#include <gtest/gtest.h>

#include <cstring>

#include "buffer_guest_memory.hpp"
#include "common/dom0_memory.hpp"
#include "common/guest_errno.hpp"
#include "fake_machine_memory.hpp"
#include "fake_stage2.hpp"
#include "public/grant_table.hpp"
#include "real_bank.hpp"

namespace tern::hv {
namespace {

constexpr std::uint64_t kDom0First = 0x40000;  // dom0's RAM frames (1:1; not touched here)
constexpr std::uint64_t kDom0Frames = 0x100;
constexpr std::uint64_t kGuestRam = 0x40000;  // the guest's first frames
constexpr std::uint64_t kGrantFrames = 0x38000;
constexpr std::uint64_t kArgs = BufferGuestMemory::kBase;

struct World {
    RealBank bank{4u << 20};  // grant entries are read where the guest wrote them
    FakeMachineMemory machine{{{bank.base(), bank.size}}};
    DomainTable domains{machine};
    ControlPlane control{domains, machine, 2};
    FakeStage2 stage2{kDom0First, kDom0Frames};
    Dom0Memory dom0{control, machine, stage2};
    BufferGuestMemory memory{4096};
    Domain* guest = nullptr;

    World() {
        control.set_teardown(&dom0);
        DomainConfig config;
        config.max_pages = 64;
        config.max_grant_frames = 2;
        guest = domains.create(config).value();
        EXPECT_EQ(guest->populate({kGuestRam, 16}), Status::ok);
        EXPECT_EQ(guest->map_grant_frame(0, kGrantFrames), Status::ok);
        // dom0's balloon gave these frames back (Linux does before it maps a grant there).
        for (std::uint64_t g = kDom0First + 0x10; g < kDom0First + 0x20; ++g)
            stage2.mapped.erase(g);
    }
    pub::grant_entry_v1& entry(pub::grant_ref_t ref) { return *guest->grants().entry(ref); }
    void grant(pub::grant_ref_t ref, std::uint64_t gfn, bool readonly = false,
               pub::domid_t to = 0) {
        entry(ref).domid = to;
        entry(ref).frame = static_cast<std::uint32_t>(gfn);
        entry(ref).flags =
            static_cast<std::uint16_t>(pub::kGtfPermitAccess | (readonly ? pub::kGtfReadonly : 0));
    }
    pub::gnttab_map_grant_ref map(pub::grant_ref_t ref, std::uint64_t local_gfn, bool readonly,
                                  pub::domid_t dom = 0) {
        pub::gnttab_map_grant_ref op{};
        op.host_addr = local_gfn << kPageShift;
        op.flags = 2u | (readonly ? 4u : 0u);  // GNTMAP_host_map, GNTMAP_readonly
        op.ref = ref;
        op.dom = dom == 0 ? guest->id() : dom;
        op.status = 99;
        EXPECT_TRUE(memory.write(kArgs, op));
        EXPECT_EQ(dom0.map_grant_refs(memory, kArgs, 1), 0);
        EXPECT_TRUE(memory.read(kArgs, op));
        return op;
    }
    std::int16_t unmap(pub::grant_handle_t handle, std::uint64_t local_gfn) {
        pub::gnttab_unmap_grant_ref op{};
        op.host_addr = local_gfn << kPageShift;
        op.handle = handle;
        op.status = 99;
        EXPECT_TRUE(memory.write(kArgs, op));
        EXPECT_EQ(dom0.unmap_grant_refs(memory, kArgs, 1), 0);
        EXPECT_TRUE(memory.read(kArgs, op));
        return op.status;
    }
};

constexpr std::uint16_t kReadingWriting = pub::kGtfReading | pub::kGtfWriting;

TEST(Dom0Grants, AGrantedPageShowsAtTheFrameDom0GaveBackAndTheEntrySaysItIsMapped) {
    World w;
    w.grant(5, kGuestRam + 3);
    const auto op = w.map(5, kDom0First + 0x10, false);
    ASSERT_EQ(op.status, 0);
    const Paddr page = w.guest->memory().machine_of(kGuestRam + 3).value();
    EXPECT_EQ(op.dev_bus_addr, page.value);
    EXPECT_EQ(w.stage2.mapped.at(kDom0First + 0x10), page.value);
    EXPECT_EQ(w.entry(5).flags & kReadingWriting, kReadingWriting);
    EXPECT_EQ(w.dom0.grant_maps(), 1u);
    // While dom0 maps it, the guest's balloon cannot give that page back.
    EXPECT_TRUE(w.dom0.holds(*w.guest, kGuestRam + 3));
    EXPECT_FALSE(w.dom0.holds(*w.guest, kGuestRam + 4));
    // Mapped twice (two backends); the first unmap leaves the entry marked.
    const auto again = w.map(5, kDom0First + 0x11, true);
    ASSERT_EQ(again.status, 0);
    EXPECT_NE(again.handle, op.handle);
    EXPECT_TRUE(w.stage2.writable.at(kDom0First + 0x10));
    EXPECT_FALSE(w.stage2.writable.at(kDom0First + 0x11));  // a read-only map: dom0 cannot write
    EXPECT_EQ(w.unmap(op.handle, kDom0First + 0x10), 0);
    EXPECT_EQ(w.stage2.mapped.count(kDom0First + 0x10), 0u);
    EXPECT_EQ(w.entry(5).flags & kReadingWriting, pub::kGtfReading);  // only the read-only map
    EXPECT_EQ(w.unmap(again.handle, kDom0First + 0x11), 0);
    EXPECT_EQ(w.entry(5).flags, pub::kGtfPermitAccess);
    EXPECT_EQ(w.unmap(again.handle, kDom0First + 0x11), -4);  // GNTST_bad_handle: gone
    EXPECT_EQ(w.dom0.grant_maps(), 0u);
    EXPECT_FALSE(w.dom0.holds(*w.guest, kGuestRam + 3));
}

TEST(Dom0Grants, ReadOnlyGrantsMapOnlyReadOnly) {
    World w;
    w.grant(7, kGuestRam, true);
    EXPECT_EQ(w.map(7, kDom0First + 0x12, false).status, -8);  // GNTST_permission_denied
    EXPECT_EQ(w.stage2.mapped.count(kDom0First + 0x12), 0u);
    const auto op = w.map(7, kDom0First + 0x12, true);
    ASSERT_EQ(op.status, 0);
    EXPECT_EQ(w.entry(7).flags & kReadingWriting, pub::kGtfReading);
}

TEST(Dom0Grants, BadReferencesDomainsAndAddressesAreRefused) {
    World w;
    w.grant(1, kGuestRam);
    w.grant(2, kGuestRam, false, 3);                                // granted to domain 3, not dom0
    w.grant(3, 0x50000);                                            // not a page of the guest
    EXPECT_EQ(w.map(1, kDom0First + 0x13, false, 999).status, -2);  // GNTST_bad_domain
    EXPECT_EQ(w.map(2, kDom0First + 0x13, false).status, -3);       // GNTST_bad_gntref
    EXPECT_EQ(w.map(3, kDom0First + 0x13, false).status, -3);
    EXPECT_EQ(w.map(4, kDom0First + 0x13, false).status, -3);    // never granted
    EXPECT_EQ(w.map(600, kDom0First + 0x13, false).status, -3);  // beyond its one frame
    EXPECT_EQ(w.map(1, kDom0First + 0x1, false).status, -5);     // dom0's live RAM
    EXPECT_EQ(w.map(1, kDom0First + 0x1000, false).status, -5);  // not dom0's RAM
    EXPECT_EQ(w.entry(1).flags, pub::kGtfPermitAccess);          // untouched by refusals
    EXPECT_EQ(w.unmap(12345, 0), -4);
    EXPECT_EQ(w.dom0.grant_maps(), 0u);
}

TEST(Dom0Grants, DestroyingTheGrantingDomainTakesItsPagesOutOfDom0) {
    World w;
    w.grant(9, kGuestRam + 1);
    const auto op = w.map(9, kDom0First + 0x14, false);
    ASSERT_EQ(op.status, 0);
    // What the control plane's destroy does: dom0 lets go first, then the domain goes.
    w.dom0.before_destroy(w.guest->id());
    ASSERT_EQ(w.domains.destroy(w.guest->id()), Status::ok);
    EXPECT_EQ(w.stage2.mapped.count(kDom0First + 0x14), 0u);
    EXPECT_EQ(w.dom0.grant_maps(), 0u);
    EXPECT_EQ(w.unmap(op.handle, kDom0First + 0x14), -4);
}

// Copies need dom0's frames to be real memory too: they are carved from the same bank.
struct CopyWorld {
    RealBank bank;
    FakeMachineMemory machine{{{bank.base(), bank.size}}};
    Paddr dom0_ram = machine.allocator().allocate(16, 1).value();
    DomainTable domains{machine};
    ControlPlane control{domains, machine, 2};
    FakeStage2 stage2{dom0_ram.value >> kPageShift, 16};
    Dom0Memory dom0{control, machine, stage2};
    BufferGuestMemory memory{4096};
    Domain* guest = nullptr;

    CopyWorld() {
        control.set_teardown(&dom0);
        DomainConfig config;
        config.max_pages = 64;
        guest = domains.create(config).value();
        EXPECT_EQ(guest->populate({kGuestRam, 4}), Status::ok);
        EXPECT_EQ(guest->map_grant_frame(0, kGrantFrames), Status::ok);
    }
    std::uint8_t* guest_page(std::uint64_t gfn) {
        return reinterpret_cast<std::uint8_t*>(guest->memory().machine_of(gfn)->value);
    }
    std::uint8_t* dom0_page(std::uint64_t i) {
        return reinterpret_cast<std::uint8_t*>(dom0_ram.value + i * kPageSize);
    }
    void grant(pub::grant_ref_t ref, std::uint64_t gfn, bool readonly) {
        auto& e = *guest->grants().entry(ref);
        e.domid = 0;
        e.frame = static_cast<std::uint32_t>(gfn);
        e.flags =
            static_cast<std::uint16_t>(pub::kGtfPermitAccess | (readonly ? pub::kGtfReadonly : 0));
    }
    // Copies `len` bytes: from grant `ref` at `from_offset` to dom0's frame i (or the reverse).
    std::int16_t copy(bool to_dom0, pub::grant_ref_t ref, std::uint64_t dom0_index,
                      std::uint16_t grant_offset, std::uint16_t dom0_offset, std::uint16_t len) {
        pub::gnttab_copy op{};
        pub::gnttab_copy_ptr granted{};
        granted.u.ref = ref;
        granted.domid = guest->id();
        granted.offset = grant_offset;
        pub::gnttab_copy_ptr own{};
        own.u.gmfn = (dom0_ram.value >> kPageShift) + dom0_index;
        own.domid = pub::kDomidSelf;
        own.offset = dom0_offset;
        op.source = to_dom0 ? granted : own;
        op.dest = to_dom0 ? own : granted;
        op.flags = to_dom0 ? 1 : 2;  // GNTCOPY_source_gref / GNTCOPY_dest_gref
        op.len = len;
        op.status = 99;
        EXPECT_TRUE(memory.write(kArgs, op));
        EXPECT_EQ(dom0.copy_grants(memory, kArgs, 1), 0);
        EXPECT_TRUE(memory.read(kArgs, op));
        return op.status;
    }
};

TEST(Dom0Grants, CopiesMoveBytesBetweenGrantedPagesAndDom0sFrames) {
    CopyWorld w;
    w.grant(3, kGuestRam + 1, false);
    std::memcpy(w.guest_page(kGuestRam + 1) + 100, "from the guest", 14);
    ASSERT_EQ(w.copy(true, 3, 2, 100, 8, 14), 0);
    EXPECT_EQ(std::memcmp(w.dom0_page(2) + 8, "from the guest", 14), 0);
    std::memcpy(w.dom0_page(5), "from dom0", 9);
    ASSERT_EQ(w.copy(false, 3, 5, 4000, 0, 9), 0);
    EXPECT_EQ(std::memcmp(w.guest_page(kGuestRam + 1) + 4000, "from dom0", 9), 0);
    EXPECT_EQ(w.guest->grants().entry(3)->flags, pub::kGtfPermitAccess);  // left as it was
}

TEST(Dom0Grants, CopiesRespectReadOnlyGrantsAndPageBounds) {
    CopyWorld w;
    w.grant(4, kGuestRam + 2, true);
    w.guest_page(kGuestRam + 2)[0] = 0x5a;
    EXPECT_EQ(w.copy(true, 4, 0, 0, 0, 1), 0);  // reading a read-only grant is fine
    EXPECT_EQ(w.dom0_page(0)[0], 0x5a);
    EXPECT_EQ(w.copy(false, 4, 0, 0, 0, 1), -8);      // writing it is not
    EXPECT_EQ(w.copy(true, 4, 0, 4090, 0, 10), -10);  // GNTST_bad_copy_arg: crosses the page
    EXPECT_EQ(w.copy(true, 4, 0, 0, 4095, 2), -10);
    EXPECT_EQ(w.copy(true, 9, 0, 0, 0, 1), -3);   // never granted
    EXPECT_EQ(w.copy(true, 4, 16, 0, 0, 1), -9);  // GNTST_bad_page: not dom0's frame
}

}  // namespace
}  // namespace tern::hv
