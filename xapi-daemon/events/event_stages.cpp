// The benchmark's stage recorder.
#include "events/event_stages.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace tern::xapi {
namespace {

constexpr const char* kStageNames[EventStages::kStages] = {"lock_wait", "locked", "to_disk",
                                                           "publish_to_build", "build_write"};
// Enough for a benchmark's minutes; later samples are dropped rather than grow without end.
constexpr std::size_t kMaxSamples = 4'000'000;

}  // namespace

EventStages* EventStages::instance() {
    static EventStages* const recorder = []() -> EventStages* {
        const char* path = std::getenv("TERN_XAPID_EVENT_STAGES");
        if (path == nullptr || *path == '\0')
            return nullptr;
        return new EventStages(path);  // lives as long as the process
    }();
    return recorder;
}

void EventStages::record(Stage stage, std::int64_t ns) {
    std::lock_guard lock(mutex_);
    auto& v = samples_[static_cast<std::size_t>(stage)];
    if (v.size() < kMaxSamples)
        v.push_back(ns);
}

void EventStages::write_report() {
    std::array<std::vector<std::int64_t>, kStages> samples;
    {
        std::lock_guard lock(mutex_);
        samples.swap(samples_);
    }
    FILE* out = std::fopen(path_.c_str(), "w");
    if (out == nullptr)
        return;
    std::fprintf(out, "%-16s %9s %9s %9s %9s %9s\n", "stage (us)", "count", "p50", "p90", "p99",
                 "max");
    for (std::size_t s = 0; s < kStages; ++s) {
        auto& v = samples[s];
        std::sort(v.begin(), v.end());
        auto at = [&](double q) {
            if (v.empty())
                return 0.0;
            const auto i = std::min(v.size() - 1, static_cast<std::size_t>(q * v.size()));
            return static_cast<double>(v[i]) / 1000.0;
        };
        std::fprintf(out, "%-16s %9zu %9.1f %9.1f %9.1f %9.1f\n", kStageNames[s], v.size(), at(0.5),
                     at(0.9), at(0.99), v.empty() ? 0.0 : static_cast<double>(v.back()) / 1000.0);
    }
    std::fclose(out);
}

}  // namespace tern::xapi
