// Defines ImageError, the one exception the disk-image library throws.
//
// Errors are exceptions in this library (dom0 user space, like xapid): every failure, whether an
// I/O error or a malformed image, throws ImageError whose message names the file and says what is
// wrong ("disk.qcow2: L2 table offset 0x1234 is not cluster aligned"). Nothing else is thrown
// except std::bad_alloc.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tern::dom0::diskimage {

class ImageError : public std::runtime_error {
  public:
    ImageError(const std::filesystem::path& file, std::string_view what)
        : std::runtime_error(file.string() + ": " + std::string(what)) {}
};

}  // namespace tern::dom0::diskimage
