// Declares the arch hooks for exceptions taken to the hypervisor: installing the vectors,
// and the report printed when the hypervisor itself faults.
#pragma once

#include "lib/format.hpp"

namespace tern::arch {

// Installs the exception vectors on this CPU.
void install_vectors();
// Where fault reports go (the console), set once it is up.
void set_fault_console(lib::Sink* sink);

}  // namespace tern::arch
