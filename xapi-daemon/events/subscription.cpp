// Subscriptions to events.
#include "events/subscription.hpp"

#include <algorithm>
#include <cctype>

#include "api/api_error.hpp"
#include "api/meta.hpp"

namespace tern::xapi {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

const std::vector<std::string>& lower_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const ClassDesc& c : schema_classes())
            out.push_back(lower(c.name));
        return out;
    }();
    return names;
}

}  // namespace

int class_index_of(const std::string& name) {
    const auto& names = lower_names();
    auto it = std::find(names.begin(), names.end(), lower(name));
    return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

const std::string& event_class_name(int cls) {
    return lower_names()[static_cast<std::size_t>(cls)];
}

Subscription Subscription::parse(const rpc::Array& entries) {
    Subscription s;
    if (entries.empty())
        s.all_ = true;
    for (const rpc::Value& v : entries) {
        const std::string entry = v.is<std::string>() ? v.as<std::string>() : "";
        if (entry == "*") {
            s.all_ = true;
            continue;
        }
        const auto slash = entry.find('/');
        const int cls = class_index_of(entry.substr(0, slash));
        if (cls < 0 || (slash != std::string::npos && slash + 1 == entry.size()))
            throw ApiError("EVENT_SUBSCRIPTION_PARSE_FAILURE", {entry});
        if (slash == std::string::npos) {
            s.classes_.insert(cls);
        } else {
            s.objects_.insert({cls, entry.substr(slash + 1)});
        }
    }
    return s;
}

bool Subscription::matches(int cls, const std::string& ref) const {
    return all_ || classes_.contains(cls) || objects_.contains({cls, ref});
}

void Subscription::add(const Subscription& other) {
    all_ = all_ || other.all_;
    classes_.insert(other.classes_.begin(), other.classes_.end());
    objects_.insert(other.objects_.begin(), other.objects_.end());
}

void Subscription::remove(const Subscription& other) {
    if (other.all_) {
        *this = Subscription{};
        return;
    }
    for (int c : other.classes_)
        classes_.erase(c);
    for (const auto& o : other.objects_)
        objects_.erase(o);
}

std::vector<int> Subscription::classes() const {
    std::set<int> out;
    if (all_) {
        for (std::size_t i = 0; i < lower_names().size(); ++i)
            out.insert(static_cast<int>(i));
    }
    out.insert(classes_.begin(), classes_.end());
    for (const auto& [cls, ref] : objects_)
        out.insert(cls);
    return {out.begin(), out.end()};
}

}  // namespace tern::xapi
