#include "dom0/blkback/blkback_daemon.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <iostream>
#include <set>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include "xenstored/daemon_wakeups.hpp"

namespace tern::dom0::blkback {

namespace {

namespace xs = xenstored;

constexpr const char* kWatchToken = "tern-blkback";
constexpr const char* kBackendRoot = "/local/domain/0/backend/vbd";
// Every device is also looked at this often, so that a watch event or a guest's signal lost
// in a race costs at most this much delay.
constexpr int kIdleServiceMs = 1000;

std::optional<std::uint32_t> to_id(const std::string& text) {
    std::uint32_t value = 0;
    const char* end = text.data() + text.size();
    const auto [at, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc() || at != end || text.empty())
        return std::nullopt;
    return value;
}

// Follows xenstore on its own connection (XenstoreClient blocks) and wakes the loop through a
// pipe: 'w' for a change, 'x' when xenstored went away.

}  // namespace

BlkbackDaemon::BlkbackDaemon(SegmentMapper& mapper, ChannelBinder binder, DaemonOptions options)
    : mapper_(mapper),
      binder_(std::move(binder)),
      options_(std::move(options)),
      store_(options_.xenstore_socket) {
    if (!store_.connected())
        throw std::runtime_error("cannot reach xenstored at " + options_.xenstore_socket +
                                 " (is it running?)");
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe");
    wake_read_ = xs::UniqueFd(fds[0]);
    wake_write_ = xs::UniqueFd(fds[1]);
}

BlkbackDaemon::~BlkbackDaemon() = default;

void BlkbackDaemon::log(const std::string& line) const {
    std::cerr << "tern-blkback: " << line << std::endl;
}

void BlkbackDaemon::rescan() {
    std::set<DeviceKey> listed;
    auto domains = store_.directory(kBackendRoot);
    if (domains.ok()) {
        for (const std::string& domain_text : domains.value()) {
            const auto domain = to_id(domain_text);
            if (!domain)
                continue;
            auto devids = store_.directory(std::string(kBackendRoot) + "/" + domain_text);
            if (!devids.ok())
                continue;
            for (const std::string& devid_text : devids.value()) {
                if (const auto devid = to_id(devid_text))
                    listed.insert({*domain, *devid});
            }
        }
    }
    for (const DeviceKey& key : listed) {
        if (devices_.contains(key))
            continue;
        const std::string prefix =
            "vbd " + std::to_string(key.first) + "/" + std::to_string(key.second) + ": ";
        devices_.emplace(key, std::make_unique<VbdDevice>(
                                  key.first, key.second, store_, mapper_, binder_,
                                  [this, prefix](const std::string& line) { log(prefix + line); }));
        log(prefix + "new device");
    }
    for (auto it = devices_.begin(); it != devices_.end();) {
        const bool keep = listed.contains(it->first) && it->second->update();
        if (!keep) {
            log("vbd " + std::to_string(it->first.first) + "/" + std::to_string(it->first.second) +
                ": removed");
            it = devices_.erase(it);
        } else {
            ++it;
        }
    }
}

int BlkbackDaemon::run() {
    xs::UniqueFd signals = xs::stop_signal_fd();

    std::thread(xs::forward_watch_events, options_.xenstore_socket,
                std::vector<std::string>{"/local/domain"}, kWatchToken, wake_write_.get())
        .detach();
    rescan();
    log(std::string("serving block devices under ") + kBackendRoot);

    std::vector<pollfd> fds;
    std::vector<DeviceKey> owners;  // the device of each fds[i] from 2 on
    for (;;) {
        fds.assign({{signals.get(), POLLIN, 0}, {wake_read_.get(), POLLIN, 0}});
        owners.clear();
        for (const auto& [key, device] : devices_) {
            if (device->event_fd() < 0)
                continue;
            fds.push_back({device->event_fd(), POLLIN, 0});
            owners.push_back(key);
        }
        const int ready = ::poll(fds.data(), fds.size(), kIdleServiceMs);
        if (ready < 0 && errno != EINTR)
            throw std::system_error(errno, std::generic_category(), "poll");
        if (ready <= 0) {
            rescan();
            for (auto& [key, device] : devices_)
                device->service();
            continue;
        }
        if (fds[0].revents != 0) {
            log("stopping; every device disconnected and its image flushed");
            devices_.clear();
            return 0;
        }
        for (std::size_t i = 0; i < owners.size(); ++i) {
            if (fds[2 + i].revents != 0) {
                if (auto it = devices_.find(owners[i]); it != devices_.end())
                    it->second->on_event();
            }
        }
        if (fds[1].revents != 0) {
            char bytes[64];
            const ssize_t n = ::read(wake_read_.get(), bytes, sizeof bytes);
            if (n > 0 && std::memchr(bytes, 'x', static_cast<std::size_t>(n)) != nullptr) {
                log("lost xenstored's watch; stopping");
                devices_.clear();
                return 1;
            }
            rescan();
        }
    }
}

}  // namespace tern::dom0::blkback
