// Defines Housekeeping: a thread that, every interval, takes the backend's figures into
// VM_metrics and host_metrics, and removes tasks finished longer ago than the retention time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace tern::xapi {

struct ApiState;

struct HousekeepingOptions {
    std::chrono::milliseconds interval{std::chrono::seconds(5)};
    std::chrono::seconds task_retention{std::chrono::hours(1)};
};

// Removes the tasks that finished before now - retention.
void reap_finished_tasks(ApiState& state, std::chrono::seconds retention);

class Housekeeping {
  public:
    Housekeeping(ApiState& state, HousekeepingOptions options);
    ~Housekeeping();
    Housekeeping(const Housekeeping&) = delete;
    Housekeeping& operator=(const Housekeeping&) = delete;

  private:
    void run();

    ApiState& state_;
    HousekeepingOptions options_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace tern::xapi
