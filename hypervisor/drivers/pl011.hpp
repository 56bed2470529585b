// Defines Pl011: the Arm PrimeCell UART (PL011 TRM, DDI 0183) as the hypervisor's console,
// polled in both directions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lib/format.hpp"

namespace tern::drivers {

class Pl011 final : public lib::Sink {
  public:
    explicit Pl011(std::uintptr_t base) : base_(base) {}
    void write(std::string_view text) override;
    // Takes what has been received, up to `size` bytes, without waiting; returns how many.
    std::size_t read(char* out, std::size_t size);
    // Whether received data raises the UART's interrupt (receive and receive-timeout).
    void set_receive_interrupt(bool enabled);

  private:
    void put(char c);
    std::uintptr_t base_;
};

}  // namespace tern::drivers
