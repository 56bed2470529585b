// Defines load_dtb_for_test: the QEMU device tree dumped at build time, as bytes.
#pragma once

#include <fstream>
#include <iterator>
#include <vector>

#include "lib/fdt.hpp"

namespace tern {

inline std::vector<std::uint8_t> load_dtb_for_test() {
    std::ifstream in(TERN_QEMU_DTB, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace tern
