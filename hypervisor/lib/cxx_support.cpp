// What the freestanding C++ headers call when a precondition fails (std::string_view::substr
// past the end, for instance): in the hypervisor that is a bug, and the CPU stops. Image only.
#include "tern/arch/cpu.hpp"

namespace std {

[[noreturn]] void __throw_out_of_range_fmt(const char*, ...) {
    tern::arch::halt_cpu();
}
[[noreturn]] void __throw_out_of_range(const char*) {
    tern::arch::halt_cpu();
}
[[noreturn]] void __throw_length_error(const char*) {
    tern::arch::halt_cpu();
}
[[noreturn]] void __throw_logic_error(const char*) {
    tern::arch::halt_cpu();
}

}  // namespace std
