// Defines ConsoleLine: what a domain writes to the hypervisor's console (console_io), kept
// until a whole line is there and then written in one piece behind "(d<id>) ", as Xen's
// per-domain print buffer does: a guest's long lines are not cut into pieces, and lines from
// several domains (or several vCPUs of one) do not interleave mid-line. A line longer than the
// buffer goes out in buffer-sized pieces, each ended with a newline.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "lib/format.hpp"
#include "lib/spinlock.hpp"
#include "public/xen.hpp"

namespace tern::hv {

class ConsoleLine {
  public:
    static constexpr std::size_t kSize = 256;

    explicit ConsoleLine(pub::domid_t domain) : domain_(domain) {}

    // Adds `text`; every line it completes goes to `out` whole, prefix included. Safe from
    // any CPU.
    void write(std::string_view text, lib::Sink& out);

  private:
    void flush(lib::Sink& out);  // under lock_

    pub::domid_t domain_;
    lib::SpinLock lock_;
    std::array<char, kSize> line_{};
    std::size_t used_ = 0;
};

}  // namespace tern::hv
