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
    Data d;
    if (entries.empty())
        d.all = true;
    for (const rpc::Value& v : entries) {
        const std::string entry = v.is<std::string>() ? v.as<std::string>() : "";
        if (entry == "*") {
            d.all = true;
            continue;
        }
        const auto slash = entry.find('/');
        const int cls = class_index_of(entry.substr(0, slash));
        if (cls < 0 || (slash != std::string::npos && slash + 1 == entry.size()))
            throw ApiError("EVENT_SUBSCRIPTION_PARSE_FAILURE", {entry});
        if (slash == std::string::npos) {
            d.classes.insert(cls);
        } else {
            d.objects.insert({cls, entry.substr(slash + 1)});
        }
    }
    Subscription s;
    s.keep(std::move(d));
    return s;
}

bool Subscription::matches(int cls, const std::string& ref) const {
    return d_->all || d_->classes.contains(cls) ||
           (!d_->objects.empty() && d_->objects.contains({cls, ref}));
}

void Subscription::add(const Subscription& other) {
    Data d = *d_;
    d.all = d.all || other.d_->all;
    d.classes.insert(other.d_->classes.begin(), other.d_->classes.end());
    d.objects.insert(other.d_->objects.begin(), other.d_->objects.end());
    keep(std::move(d));
}

void Subscription::remove(const Subscription& other) {
    if (other.d_->all) {
        *this = Subscription{};
        return;
    }
    Data d = *d_;
    for (int c : other.d_->classes)
        d.classes.erase(c);
    for (const auto& o : other.d_->objects)
        d.objects.erase(o);
    keep(std::move(d));
}

const std::shared_ptr<const Subscription::Data>& Subscription::nothing() {
    static const std::shared_ptr<const Data> none = std::make_shared<const Data>();
    return none;
}

void Subscription::keep(Data d) {
    std::set<int> out;
    if (d.all) {
        for (std::size_t i = 0; i < lower_names().size(); ++i)
            out.insert(static_cast<int>(i));
    }
    out.insert(d.classes.begin(), d.classes.end());
    for (const auto& [cls, ref] : d.objects)
        out.insert(cls);
    d.touched.assign(out.begin(), out.end());
    // "*", or the class indexes then the objects, each followed by a space (a ref holds none).
    d.key.clear();
    if (d.all) {
        d.key.push_back('*');
    } else {
        for (int cls : d.classes)
            d.key += std::to_string(cls) + " ";
        for (const auto& [cls, ref] : d.objects)
            d.key += std::to_string(cls) + "/" + ref + " ";
    }
    d_ = std::make_shared<const Data>(std::move(d));
}

}  // namespace tern::xapi
