// Defines CpuMeter: a domain's vCPU utilisation from the growth of its CPU time between two
// looks, as xentop computes it. The hypervisor counts CPU time per domain, not per vCPU, so
// each online vCPU gets the domain's average. Looks closer together than `window` keep the
// last figure (so that a domain_info between two metric refreshes does not shorten the
// window to nothing). Not thread-safe: the backend holds its lock around it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>

namespace tern::xapi {

class CpuMeter {
  public:
    using Clock = std::chrono::steady_clock;
    explicit CpuMeter(std::chrono::milliseconds window = std::chrono::milliseconds(1000))
        : window_(window) {}

    // The domain's utilisation 0..1 per vCPU, from its CPU time `cpu_ns` at `now` over
    // `vcpus` vCPUs; 0 at the first look.
    double sample(std::uint32_t domain, std::uint64_t cpu_ns, std::int64_t vcpus,
                  Clock::time_point now);
    void forget(std::uint32_t domain) { samples_.erase(domain); }

  private:
    struct Sample {
        std::uint64_t cpu_ns = 0;
        Clock::time_point at;
        double utilisation = 0.0;
    };
    std::chrono::milliseconds window_;
    std::map<std::uint32_t, Sample> samples_;
};

}  // namespace tern::xapi
