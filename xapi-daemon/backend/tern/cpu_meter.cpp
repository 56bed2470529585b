// CpuMeter: utilisation from CPU time deltas.
#include "backend/tern/cpu_meter.hpp"

#include <algorithm>

namespace tern::xapi {

double CpuMeter::sample(std::uint32_t domain, std::uint64_t cpu_ns, std::int64_t vcpus,
                        Clock::time_point now) {
    auto it = samples_.find(domain);
    if (it == samples_.end() || cpu_ns < it->second.cpu_ns) {
        // First look, or the id now belongs to a new domain whose clock started again.
        samples_[domain] = Sample{cpu_ns, now, 0.0};
        return 0.0;
    }
    Sample& last = it->second;
    const auto elapsed = now - last.at;
    if (elapsed < window_)
        return last.utilisation;
    const double wall_ns =
        static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
    const double busy = static_cast<double>(cpu_ns - last.cpu_ns);
    const double share = busy / (wall_ns * static_cast<double>(std::max<std::int64_t>(vcpus, 1)));
    last = Sample{cpu_ns, now, std::clamp(share, 0.0, 1.0)};
    return last.utilisation;
}

}  // namespace tern::xapi
