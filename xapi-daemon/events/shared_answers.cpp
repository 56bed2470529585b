// The shared event.from answers.
#include "events/shared_answers.hpp"

namespace tern::xapi {

std::optional<rpc::Encoded> SharedAnswers::find(std::int64_t after, std::int64_t last,
                                                const std::string& key) const {
    std::lock_guard lock(mutex_);
    if (last != last_)
        return std::nullopt;
    auto it = answers_.find({after, last, key});
    if (it == answers_.end())
        return std::nullopt;
    return it->second;
}

void SharedAnswers::keep(std::int64_t after, std::int64_t last, const std::string& key,
                         rpc::Encoded answer) {
    std::lock_guard lock(mutex_);
    if (last < last_)
        return;  // a newer event came meanwhile: nobody asks for this one again
    if (last > last_) {
        answers_.clear();
        last_ = last;
    }
    if (answers_.size() >= kMaxAnswers)
        return;
    answers_.emplace(std::tuple{after, last, key}, std::move(answer));
}

std::size_t SharedAnswers::size() const {
    std::lock_guard lock(mutex_);
    return answers_.size();
}

}  // namespace tern::xapi
