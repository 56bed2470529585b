// Defines Subscription: which objects a session wants events for, parsed from the strings of
// event.register and event.from: "*" (everything), a class name ("vm", "VM": case does not
// matter) or "class/ref" (one object). Copies share what they hold (an event call's
// subscription is copied into its parked waiter and its answer): copying costs no allocation.
#pragma once

#include <memory>
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
    bool empty() const { return !d_->all && d_->classes.empty() && d_->objects.empty(); }
    void add(const Subscription& other);
    void remove(const Subscription& other);
    // The classes it touches, every class for "*".
    const std::vector<int>& classes() const { return d_->touched; }
    // True when the whole class is subscribed (not only some of its objects).
    bool whole_class(int cls) const { return d_->all || d_->classes.contains(cls); }
    // A text two subscriptions share exactly when they name the same objects ("vm" and "VM"
    // alike), so that answers to the same question can be shared.
    const std::string& key() const { return d_->key; }

  private:
    struct Data {
        bool all = false;
        std::set<int> classes;
        std::set<std::pair<int, std::string>> objects;
        std::vector<int> touched;  // classes(), kept
        std::string key;           // key(), kept
    };
    // Keeps `d` (with its touched classes and its key worked out) as this subscription's data.
    void keep(Data d);
    // Never null; changed only through a fresh copy (copy on write).
    static const std::shared_ptr<const Data>& nothing();
    std::shared_ptr<const Data> d_ = nothing();
};

// The class index of a class name in any letter case, or -1.
int class_index_of(const std::string& name);
// The name events carry for a class: lower-case, as xapi sends it.
const std::string& event_class_name(int cls);

}  // namespace tern::xapi
