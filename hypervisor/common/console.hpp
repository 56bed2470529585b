// Defines Console: the hypervisor's console, shared by every CPU, one whole write at a time.
#pragma once

#include <atomic>
#include <cstddef>

#include "lib/format.hpp"

namespace tern::hv {

// What the console reads typed input from.
class ConsoleInput {
  public:
    virtual std::size_t read(char* out, std::size_t size) = 0;
    // Whether typed input raises the device's interrupt.
    virtual void set_interrupt(bool enabled) = 0;

  protected:
    ~ConsoleInput() = default;
};

class Console final : public lib::Sink {
  public:
    explicit Console(lib::Sink& device, ConsoleInput* input = nullptr)
        : device_(device), input_(input) {}
    void write(std::string_view text) override {
        while (lock_.test_and_set(std::memory_order_acquire)) {
        }
        device_.write(text);
        lock_.clear(std::memory_order_release);
    }
    // Typed input, without waiting; 0 when there is none (or no input device).
    std::size_t read(char* out, std::size_t size) {
        if (input_ == nullptr)
            return 0;
        while (lock_.test_and_set(std::memory_order_acquire)) {
        }
        const std::size_t n = input_->read(out, size);
        // Drained: the next keystroke interrupts again (see input_interrupt()).
        if (n < size)
            input_->set_interrupt(true);
        lock_.clear(std::memory_order_release);
        return n;
    }
    // The input device interrupted: quiet it until the input has been read.
    void input_interrupt() {
        if (input_ == nullptr)
            return;
        while (lock_.test_and_set(std::memory_order_acquire)) {
        }
        input_->set_interrupt(false);
        lock_.clear(std::memory_order_release);
    }

  private:
    lib::Sink& device_;
    ConsoleInput* input_;
    std::atomic_flag lock_ = ATOMIC_FLAG_INIT;
};

}  // namespace tern::hv
