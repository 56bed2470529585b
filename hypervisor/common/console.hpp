// Defines Console: the hypervisor's console, shared by every CPU, one whole write at a time.
#pragma once

#include <atomic>

#include "lib/format.hpp"

namespace tern::hv {

class Console final : public lib::Sink {
  public:
    explicit Console(lib::Sink& device) : device_(device) {}
    void write(std::string_view text) override {
        while (lock_.test_and_set(std::memory_order_acquire)) {
        }
        device_.write(text);
        lock_.clear(std::memory_order_release);
    }

  private:
    lib::Sink& device_;
    std::atomic_flag lock_ = ATOMIC_FLAG_INIT;
};

}  // namespace tern::hv
