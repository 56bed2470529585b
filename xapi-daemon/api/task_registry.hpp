// Defines TaskRegistry: the tasks whose work is running now, each with the flag that
// task.cancel raises and the work watches.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tern::xapi {

// One running task as its work sees it.
struct RunningTask {
    explicit RunningTask(std::string ref) : ref(std::move(ref)) {}
    const std::string ref;
    std::atomic<bool> cancel_requested{false};
};

class TaskRegistry {
  public:
    std::shared_ptr<RunningTask> begin(const std::string& task);
    void end(const std::string& task);
    // Raises the task's cancel flag; false when no work of that task is running.
    bool request_cancel(const std::string& task);
    bool running(const std::string& task) const;
    // Raises every running task's cancel flag (the daemon is stopping).
    void cancel_all();

  private:
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<RunningTask>> running_;
};

}  // namespace tern::xapi
