// The copies on a guest's console page. The page is shared with a guest that runs at the same
// time: its indices are read once (acquire: the data they cover is read after them) and ours
// published after the data (release), as Xen's ring macros do with their barriers.
#include "dom0/consoled/console_ring.hpp"

#include <atomic>

namespace tern::dom0::consoled {

namespace {

std::uint32_t load(std::uint32_t& index) {
    return std::atomic_ref<std::uint32_t>(index).load(std::memory_order_acquire);
}

void store(std::uint32_t& index, std::uint32_t value) {
    std::atomic_ref<std::uint32_t>(index).store(value, std::memory_order_release);
}

}  // namespace

RingCopy drain_output(ConsoleInterface& ring, std::string& out) {
    const std::uint32_t cons = load(ring.out_cons);
    const std::uint32_t prod = load(ring.out_prod);
    const std::uint32_t used = prod - cons;
    if (used > kOutRingSize) {
        store(ring.out_cons, prod);
        return {0, true, cons, prod};
    }
    out.reserve(out.size() + used);
    for (std::uint32_t i = 0; i < used; ++i)
        out.push_back(ring.out[(cons + i) & (kOutRingSize - 1)]);
    store(ring.out_cons, prod);
    return {used, false, 0, 0};
}

RingCopy fill_input(ConsoleInterface& ring, std::string_view input) {
    const std::uint32_t cons = load(ring.in_cons);
    const std::uint32_t prod = load(ring.in_prod);
    const std::uint32_t used = prod - cons;
    if (used > kInRingSize) {
        // Whatever the guest claims to have read, start again from an empty ring at its index.
        store(ring.in_prod, cons);
        return {0, true, cons, prod};
    }
    const std::size_t room = kInRingSize - used;
    const std::size_t count = input.size() < room ? input.size() : room;
    for (std::size_t i = 0; i < count; ++i)
        ring.in[(prod + i) & (kInRingSize - 1)] = input[i];
    store(ring.in_prod, prod + static_cast<std::uint32_t>(count));
    return {count, false, 0, 0};
}

}  // namespace tern::dom0::consoled
