// The progress display of long operations.
#include "terminal/task_progress.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>

namespace tern::cli {

std::string progress_bar(double progress, int width) {
    progress = std::clamp(progress, 0.0, 1.0);
    int filled = static_cast<int>(progress * width + 0.5);
    char percent[8];
    std::snprintf(percent, sizeof percent, "%3d%%", static_cast<int>(progress * 100 + 0.5));
    return "[" + std::string(filled, '#') + std::string(width - filled, ' ') + "] " + percent;
}

std::string wait_for_task(XenApi& api, const std::string& task, const std::string& what,
                          std::ostream& out, bool on_terminal, std::chrono::milliseconds poll) {
    int last_percent = -1;
    while (true) {
        TaskRecord record = api.task(task);
        int percent = static_cast<int>(std::clamp(record.progress, 0.0, 1.0) * 100 + 0.5);
        bool finished = record.status != "pending" && record.status != "cancelling";
        if (finished && record.status == "success") {
            percent = 100;
        }
        bool failed = finished && record.status != "success";
        if (percent != last_percent && !failed) {
            if (on_terminal) {
                out << "\r" << what << " " << progress_bar(percent / 100.0, 40) << std::flush;
            } else {
                out << what << ": " << percent << "%\n" << std::flush;
            }
            last_percent = percent;
        }
        if (finished) {
            if (on_terminal) {
                out << "\n";
            }
            api.task_destroy(task);
            if (record.status == "success") {
                return record.result;
            }
            if (record.error_info.empty()) {
                throw ApiFailure("TASK_" + record.status, {task});
            }
            std::vector<std::string> params(record.error_info.begin() + 1, record.error_info.end());
            throw ApiFailure(record.error_info[0], params);
        }
        std::this_thread::sleep_for(poll);
    }
}

}  // namespace tern::cli
