#include "common/console_line.hpp"

namespace tern::hv {

void ConsoleLine::write(std::string_view text, lib::Sink& out) {
    lib::LockGuard guard(lock_);
    for (const char c : text) {
        if (c == '\r' || c == 0)
            continue;  // as Xen: the console's own line ends are used
        if (c == '\n') {
            flush(out);
            continue;
        }
        if (used_ == line_.size())
            flush(out);
        line_[used_++] = c;
    }
}

void ConsoleLine::flush(lib::Sink& out) {
    // "(d65535) " + the line + "\n" in one write, so that other CPUs' lines stay apart.
    char whole[16 + kSize];
    lib::BufferSink buffer(whole, sizeof whole);
    lib::Out(buffer) << "(d" << std::uint64_t{domain_} << ") "
                     << std::string_view(line_.data(), used_) << "\n";
    out.write(buffer.text());
    used_ = 0;
}

}  // namespace tern::hv
