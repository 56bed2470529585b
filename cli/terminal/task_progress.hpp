// Waiting for a XenAPI task while showing its progress: a redrawn bar on a terminal, a plain
// line per step otherwise. A failed task becomes an ApiFailure.
#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "api/xen_api.hpp"

namespace tern::cli {

// The bar for `progress` (0..1) in `width` characters: "[#####     ]  50%".
std::string progress_bar(double progress, int width);

// Polls `task` until it ends, destroys it, and returns its result; throws ApiFailure when the
// task failed or was cancelled.
std::string wait_for_task(XenApi& api, const std::string& task, const std::string& what,
                          std::ostream& out, bool on_terminal,
                          std::chrono::milliseconds poll = std::chrono::milliseconds(200));

}  // namespace tern::cli
