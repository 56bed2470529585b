// Defines Stage2Tables: one domain's stage-2 translation (guest physical -> machine) in the
// VMSAv8-64 format with a 4 KiB granule and a 39-bit guest physical space starting at level 1
// (Arm ARM D8: VTCR_EL2.T0SZ = 25, SL0 = 1), as the arch code loads it into VTTBR_EL2 with the
// domain's VMID. Runs of 2 MiB aligned on both sides become block mappings (unless the
// tables are made for pages only, Stage2Granule); the rest are pages. Tables come from a
// TablePages, so that the builder is host-testable; descriptors hold the tables' addresses as the
// hypervisor sees them (its identity map).
#pragma once

#include <cstdint>
#include <optional>

#include "tern/addr.hpp"
#include "tern/status.hpp"

namespace tern::hv {

class TablePages {
  public:
    // A zeroed, 4 KiB aligned table of 512 entries, or null.
    virtual std::uint64_t* allocate_table() = 0;
    virtual void free_table(std::uint64_t* table) = 0;

  protected:
    ~TablePages() = default;
};

enum class Stage2Memory : std::uint8_t { normal, device };

// How a domain's memory is mapped: 2 MiB blocks where the run allows (fewer tables, and on
// hardware fewer TLB entries), or 4 KiB pages only. Pages suit an emulated CPU: QEMU's TCG
// sizes a two-stage translation by the larger of its stages, so with 2 MiB blocks every
// translation of the guest counts as a large page, and then each TLB invalidation by address
// the guest makes (Linux makes one per patched instruction, tens of thousands while booting)
// flushes QEMU's whole TLB for the guest.
enum class Stage2Granule : std::uint8_t { blocks, pages };

class Stage2Tables {
  public:
    static constexpr std::uint64_t kIpaBits = 39;
    static constexpr std::uint64_t kBlock = 2ull << 20;

    Stage2Tables(TablePages& tables, std::uint16_t vmid,
                 Stage2Granule granule = Stage2Granule::blocks)
        : tables_(tables), vmid_(vmid), granule_(granule) {}
    ~Stage2Tables();
    Stage2Tables(const Stage2Tables&) = delete;
    Stage2Tables& operator=(const Stage2Tables&) = delete;

    // Maps [ipa, ipa + size) to [pa, pa + size), read/write. Page aligned; nothing mapped
    // there before (already_exists otherwise, and nothing changes); invalid_argument outside
    // the 39-bit space; out_of_memory when no table is left (what was mapped of it stays
    // mapped: the caller unmaps the range).
    Status map(std::uint64_t ipa, Paddr pa, std::uint64_t size, Stage2Memory kind);
    // Unmaps [ipa, ipa + size), splitting blocks that it cuts; unmapped parts are skipped.
    Status unmap(std::uint64_t ipa, std::uint64_t size);
    // The machine address `ipa` translates to, if mapped.
    std::optional<Paddr> translate(std::uint64_t ipa) const;

    // VTTBR_EL2: the level-1 table's address and the VMID (null root: nothing mapped yet).
    std::uint64_t vttbr() const;
    std::uint16_t vmid() const { return vmid_; }
    std::uint64_t tables_in_use() const { return tables_in_use_; }

  private:
    std::uint64_t* root();
    // The table an entry points to, made (or split from a block) when `create` says so.
    std::uint64_t* next_level(std::uint64_t& entry, unsigned level, bool create);
    bool is_free(std::uint64_t ipa, std::uint64_t size) const;
    void free_level(std::uint64_t* table, unsigned level);

    TablePages& tables_;
    std::uint16_t vmid_;
    Stage2Granule granule_;
    std::uint64_t* root_ = nullptr;
    std::uint64_t tables_in_use_ = 0;
};

}  // namespace tern::hv
