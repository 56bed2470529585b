// Defines GuestMemory: how hypercall handlers read their arguments from, and write their
// answers to, the calling vCPU's memory (guest virtual addresses). The image implements it
// with the arch's address translation; host tests with a buffer.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tern::hv {

class GuestMemory {
  public:
    virtual bool read(std::uint64_t va, void* out, std::size_t size) = 0;
    virtual bool write(std::uint64_t va, const void* in, std::size_t size) = 0;

    template <class T>
    bool read(std::uint64_t va, T& out) {
        return read(va, &out, sizeof out);
    }
    template <class T>
    bool write(std::uint64_t va, const T& in) {
        return write(va, &in, sizeof in);
    }

  protected:
    ~GuestMemory() = default;
};

}  // namespace tern::hv
