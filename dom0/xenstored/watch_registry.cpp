// Watch bookkeeping and matching.
#include "xenstored/watch_registry.hpp"

#include <algorithm>

#include "xenstored/path.hpp"

namespace tern::dom0::xenstored {
namespace {

std::string as_seen_by(const Watch& watch, const std::string& path) {
    if (!watch.relative_base.empty() && path.starts_with(watch.relative_base)) {
        return path.substr(watch.relative_base.size());
    }
    return path;
}

}  // namespace

XsStatus WatchRegistry::add(Watch watch) {
    for (const auto& w : watches_) {
        if (w.connection == watch.connection && w.path == watch.path && w.token == watch.token) {
            return XsError::kEEXIST;
        }
    }
    watches_.push_back(std::move(watch));
    return ok_status();
}

XsStatus WatchRegistry::remove(ConnectionId connection, const std::string& path,
                               const std::string& token) {
    const auto it = std::find_if(watches_.begin(), watches_.end(), [&](const Watch& w) {
        return w.connection == connection && w.path == path && w.token == token;
    });
    if (it == watches_.end()) {
        return XsError::kENOENT;
    }
    watches_.erase(it);
    return ok_status();
}

void WatchRegistry::remove_all(ConnectionId connection) {
    std::erase_if(watches_, [&](const Watch& w) { return w.connection == connection; });
}

std::size_t WatchRegistry::count_for(DomainId domid) const {
    return static_cast<std::size_t>(std::count_if(
        watches_.begin(), watches_.end(), [&](const Watch& w) { return w.domid == domid; }));
}

std::size_t WatchRegistry::count_for_connection(ConnectionId connection) const {
    return static_cast<std::size_t>(
        std::count_if(watches_.begin(), watches_.end(),
                      [&](const Watch& w) { return w.connection == connection; }));
}

std::vector<std::pair<WatchEvent, const Watch*>> WatchRegistry::match(
    const StoreChange& change) const {
    std::vector<std::pair<WatchEvent, const Watch*>> events;
    const bool special = is_special_path(change.path);
    for (const auto& watch : watches_) {
        if (special || is_special_path(watch.path)) {
            if (watch.path == change.path) {
                events.push_back({WatchEvent{watch.connection, watch.path, watch.token}, &watch});
            }
        } else if (is_child_of(change.path, watch.path)) {
            events.push_back(
                {WatchEvent{watch.connection, as_seen_by(watch, change.path), watch.token},
                 &watch});
        } else if (change.recursive && is_child_of(watch.path, change.path)) {
            events.push_back(
                {WatchEvent{watch.connection, as_seen_by(watch, watch.path), watch.token}, &watch});
        }
    }
    return events;
}

WatchEvent WatchRegistry::initial_event(const Watch& watch) {
    return WatchEvent{watch.connection, as_seen_by(watch, watch.path), watch.token};
}

}  // namespace tern::dom0::xenstored
