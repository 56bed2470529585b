// Defines SharedAnswers: event.from answers in their wire form, shared by the watchers that
// asked the same question. Watchers of the same classes parked at the same token are woken by
// the same event and would each build and encode the same answer; the first one builds it and
// the others copy its bytes. An answer is known by the token it answers, the newest event it
// covers and the subscription's key: those three decide every byte of it. Only answers up to
// the newest event looked up are kept (an older one is not asked for again), and at most
// kMaxAnswers of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

#include "rpc/value.hpp"

namespace tern::xapi {

class SharedAnswers {
  public:
    static constexpr std::size_t kMaxAnswers = 64;

    // The answer from token `after` up to event `last` for the subscription `key`, if kept.
    std::optional<rpc::Encoded> find(std::int64_t after, std::int64_t last,
                                     const std::string& key) const;
    // Keeps `answer` for others asking the same; forgets answers older than `last`.
    void keep(std::int64_t after, std::int64_t last, const std::string& key, rpc::Encoded answer);

    std::size_t size() const;

  private:
    mutable std::mutex mutex_;
    std::int64_t last_ = 0;  // the newest event of the answers kept
    std::map<std::tuple<std::int64_t, std::int64_t, std::string>, rpc::Encoded> answers_;
};

}  // namespace tern::xapi
