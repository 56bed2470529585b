// Defines Subscription: which objects a session wants events for, parsed from the strings of
// event.register and event.from: "*" (everything), a class name ("vm", "VM": case does not
// matter) or "class/ref" (one object).
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rpc/value.hpp"

namespace tern::xapi {

class Subscription {
  public:
    // Throws EVENT_SUBSCRIPTION_PARSE_FAILURE(entry) for an entry that names no class. An empty
    // list means every class (1.0's convention; xapi's subscribes to nothing).
    static Subscription parse(const rpc::Array& entries);

    bool matches(int cls, const std::string& ref) const;
    bool empty() const { return !all_ && classes_.empty() && objects_.empty(); }
    void add(const Subscription& other);
    void remove(const Subscription& other);
    // The classes it touches, every class for "*".
    std::vector<int> classes() const;
    // True when the whole class is subscribed (not only some of its objects).
    bool whole_class(int cls) const { return all_ || classes_.contains(cls); }

  private:
    bool all_ = false;
    std::set<int> classes_;
    std::set<std::pair<int, std::string>> objects_;
};

// The class index of a class name in any letter case, or -1.
int class_index_of(const std::string& name);
// The name events carry for a class: lower-case, as xapi sends it.
const std::string& event_class_name(int cls);

}  // namespace tern::xapi
