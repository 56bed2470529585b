// The PL011: wait while the transmit FIFO is full (UARTFR.TXFF, bit 5), then write UARTDR.
#include "drivers/pl011.hpp"

namespace tern::drivers {
namespace {
constexpr std::uintptr_t kDataRegister = 0x00;  // UARTDR
constexpr std::uintptr_t kFlagRegister = 0x18;  // UARTFR
constexpr std::uint32_t kTransmitFull = 1u << 5;
constexpr std::uint32_t kReceiveEmpty = 1u << 4;                     // UARTFR.RXFE
constexpr std::uintptr_t kMaskRegister = 0x38;                       // UARTIMSC
constexpr std::uint32_t kReceiveInterrupts = (1u << 4) | (1u << 6);  // RXIM, RTIM
}  // namespace

void Pl011::put(char c) {
    auto* flags = reinterpret_cast<volatile std::uint32_t*>(base_ + kFlagRegister);
    auto* data = reinterpret_cast<volatile std::uint32_t*>(base_ + kDataRegister);
    while ((*flags & kTransmitFull) != 0) {
    }
    *data = static_cast<std::uint8_t>(c);
}

std::size_t Pl011::read(char* out, std::size_t size) {
    auto* flags = reinterpret_cast<volatile std::uint32_t*>(base_ + kFlagRegister);
    auto* data = reinterpret_cast<volatile std::uint32_t*>(base_ + kDataRegister);
    std::size_t n = 0;
    while (n < size && (*flags & kReceiveEmpty) == 0)
        out[n++] = static_cast<char>(*data & 0xff);  // bits 11:8 are error flags
    return n;
}

void Pl011::set_receive_interrupt(bool enabled) {
    auto* mask = reinterpret_cast<volatile std::uint32_t*>(base_ + kMaskRegister);
    *mask = enabled ? (*mask | kReceiveInterrupts) : (*mask & ~kReceiveInterrupts);
}

void Pl011::write(std::string_view text) {
    for (char c : text) {
        if (c == '\n')
            put('\r');
        put(c);
    }
}

}  // namespace tern::drivers
