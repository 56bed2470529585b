// The log threshold: one value, set once at boot, read by every CPU.
#include "common/log_level.hpp"

namespace tern::hv {
namespace {
LogLevel g_level = LogLevel::warning;
}

void set_log_level(LogLevel level) {
    g_level = level;
}

bool log_enabled(LogLevel level) {
    return level != LogLevel::none && static_cast<int>(level) <= static_cast<int>(g_level);
}

}  // namespace tern::hv
