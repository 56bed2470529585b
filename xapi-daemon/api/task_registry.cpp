// The registry of running tasks.
#include "api/task_registry.hpp"

namespace tern::xapi {

std::shared_ptr<RunningTask> TaskRegistry::begin(const std::string& task) {
    auto running = std::make_shared<RunningTask>(task);
    std::lock_guard lock(mutex_);
    running_[task] = running;
    return running;
}

void TaskRegistry::end(const std::string& task) {
    std::lock_guard lock(mutex_);
    running_.erase(task);
}

bool TaskRegistry::request_cancel(const std::string& task) {
    std::lock_guard lock(mutex_);
    auto it = running_.find(task);
    if (it == running_.end())
        return false;
    it->second->cancel_requested = true;
    return true;
}

void TaskRegistry::cancel_all() {
    std::lock_guard lock(mutex_);
    for (auto& [ref, task] : running_)
        task->cancel_requested = true;
}

bool TaskRegistry::running(const std::string& task) const {
    std::lock_guard lock(mutex_);
    return running_.contains(task);
}

}  // namespace tern::xapi
