// Declares the arch hooks for running a guest: its stage-2 translation, entering it at EL1,
// and reading its memory through its own page tables.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tern::arch {

// The EL1 virtual timer's PPI (INTID 27), the one guests use.
inline constexpr std::uint32_t kVirtualTimerPpi = 27;

// Maps `ram` 1:1 (guest physical = machine physical) as normal memory and the device region
// below RAM 1:1 as device memory, for the one guest that runs now (dom0).
void setup_stage2(std::uint64_t ram_base, std::uint64_t ram_size, std::uint64_t device_limit);

// dom0's stage 2 (tables and VMID) as setup_stage2 made it, for the scheduler to load when
// one of dom0's vCPUs runs.
std::uint64_t dom0_vttbr();

// Removes [base, base + size) from the guest's stage 2 (4 KiB granules): its accesses there
// trap, to be emulated or refused. False when no table is left to split a block.
bool unmap_guest_range(std::uint64_t base, std::uint64_t size);

// True when guest frame `gfn` is in the guest's RAM (as setup_stage2 mapped it).
bool guest_frame_is_ram(std::uint64_t gfn);

// Maps [base, base + size) 1:1 as device memory (2 MiB granules); false when it does not fit
// the guest's 39-bit physical address space or no table is left.
bool map_guest_device(std::uint64_t base, std::uint64_t size);

// Whether the guest page at `ipa` is mapped in its stage 2.
bool guest_page_is_mapped(std::uint64_t ipa);

// Every CPU forgets the stage-1 and stage-2 translations it holds for the guest whose stage 2
// is `vttbr` (its VMID), from whatever context this CPU is in.
void flush_guest_tlb(std::uint64_t vttbr);

// Where level-3 tables come from once the built-in ones are used up: a zeroed page's
// address, or 0 when there is none.
void set_stage2_table_source(std::uint64_t (*zeroed_page)());

// Maps one 4 KiB guest page at `ipa` to the machine page `pa` as normal memory, writable or
// read-only, splitting a block mapping when needed; false when no table is left.
bool map_guest_page(std::uint64_t ipa, std::uint64_t pa, bool writable);

// Whether this CPU runs a domain's vCPU (enter_domain_vcpu_state), and forgetting
// it when the CPU goes back to its idle loop: its virtual timer and its interrupt are reset
// and the virtual CPU interface detached.
bool domain_vcpu_here();
void leave_domain_vcpu();

// Copies `size` bytes from the guest virtual address `va` of the vCPU running on this CPU,
// page by page through its stage 1 and stage 2; false if any page is not mapped.
bool copy_from_guest(std::uint64_t va, void* out, std::size_t size);
bool copy_to_guest(std::uint64_t va, const void* in, std::size_t size);

}  // namespace tern::arch
