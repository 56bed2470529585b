// Defines the parsing of tern-img's option syntax: sizes with binary suffixes ("10G") and the
// qemu-img style "-o key=value,key=value" creation options.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "diskimage/image_open.hpp"

namespace tern::dom0::tern_img {

// Bytes; accepts a plain number or a number with k/K, M, G, T, P, E (powers of 1024).
[[nodiscard]] std::uint64_t parse_size(std::string_view text);

// Applies "cluster_size=64k,compat=1.1,lazy_refcounts=on,refcount_bits=16" to `options`.
// Throws std::invalid_argument naming the bad key or value.
void apply_create_options(std::string_view text, diskimage::CreateOptions& options);

// "1 GiB", "196 KiB": the largest binary unit in which the value is at least one.
[[nodiscard]] std::string human_size(std::uint64_t bytes);

}  // namespace tern::dom0::tern_img
