// FakeTernHost: TernHost in memory, for the tern backend's unit tests. Domains are records the
// test changes at will (a guest "powers off" by setting its state); xenstore keys are a map;
// any operation can be made to throw.
#pragma once

#include <cerrno>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include "backend/tern/tern_host.hpp"
#include "dom0/control/control_error.hpp"

namespace tern::xapi::test {

class FakeTernHost final : public TernHost {
  public:
    dom0::PhysInfo physinfo() override {
        std::lock_guard lock(mutex_);
        return phys;
    }
    std::vector<tern_domain_info> list() override {
        std::lock_guard lock(mutex_);
        if (fail_list)
            throw dom0::ControlError("list: refused", EPERM);
        std::vector<tern_domain_info> out;
        for (const auto& [id, d] : domains)
            out.push_back(d);
        return out;
    }
    std::uint32_t build(const dom0::GuestConfig& config) override {
        std::lock_guard lock(mutex_);
        if (build_error == 1)
            throw dom0::ControlError("populate: out of memory", ENOMEM);
        if (build_error == 2)
            throw std::runtime_error("/boot/missing: cannot read the kernel");
        if (build_error == 3)
            throw StoreError("cannot reach xenstored");
        built.push_back(config);
        tern_domain_info d{};
        d.domain = next_id++;
        d.state = TERN_DOMAIN_PAUSED;
        d.vcpus = config.vcpus;
        d.pages = config.memory_mib << 8;
        d.max_pages = d.pages + 4;
        std::copy(config.handle.begin(), config.handle.end(), d.handle);
        domains[d.domain] = d;
        keys[key(d.domain, "name")] = config.name;
        return d.domain;
    }
    void pause(std::uint32_t domain) override { at(domain).state = TERN_DOMAIN_PAUSED; }
    void unpause(std::uint32_t domain) override {
        auto& d = at(domain);
        if (d.state == TERN_DOMAIN_SHUTDOWN)
            throw dom0::ControlError("unpause: busy", EBUSY);
        d.state = TERN_DOMAIN_RUNNING;
    }
    void destroy(std::uint32_t domain) override {
        std::lock_guard lock(mutex_);
        if (domains.erase(domain) == 0)
            throw dom0::ControlError("destroy: no such domain", ESRCH);
        destroyed.push_back(domain);
    }
    void set_scheduling(std::uint32_t domain, std::uint32_t weight, std::uint32_t cap) override {
        std::lock_guard lock(mutex_);
        scheduling[domain] = {weight, cap};
    }
    void set_vcpu_affinity(std::uint32_t domain, std::uint32_t vcpu,
                           std::uint32_t cpumap) override {
        std::lock_guard lock(mutex_);
        affinity[{domain, vcpu}] = cpumap;
    }
    std::optional<std::string> read_key(std::uint32_t domain, const std::string& k) override {
        std::lock_guard lock(mutex_);
        auto it = keys.find(key(domain, k));
        if (it == keys.end())
            return std::nullopt;
        return it->second;
    }
    void write_key(std::uint32_t domain, const std::string& k, const std::string& value) override {
        std::lock_guard lock(mutex_);
        if (store_down)
            throw StoreError("cannot reach xenstored");
        keys[key(domain, k)] = value;
        writes.push_back(key(domain, k) + "=" + value);
        // A guest that obeys control/shutdown stops at once.
        if (k == "control/shutdown" && obeys_shutdown.contains(domain)) {
            domains[domain].state = TERN_DOMAIN_SHUTDOWN;
            domains[domain].shutdown_reason =
                value == "reboot" ? TERN_SHUTDOWN_REBOOT : TERN_SHUTDOWN_POWEROFF;
        }
    }
    void wait_for_domain_change(std::chrono::milliseconds) override {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }

    // The guest of `domain` stops by itself with `reason`.
    void guest_stops(std::uint32_t domain, std::uint32_t reason) {
        std::lock_guard lock(mutex_);
        auto& d = domains.at(domain);
        d.state = TERN_DOMAIN_SHUTDOWN;
        d.shutdown_reason = reason;
    }
    tern_domain_info& at(std::uint32_t domain) {
        std::lock_guard lock(mutex_);
        auto it = domains.find(domain);
        if (it == domains.end())
            throw dom0::ControlError("no such domain", ESRCH);
        return it->second;
    }
    static std::string key(std::uint32_t domain, const std::string& k) {
        return "/local/domain/" + std::to_string(domain) + "/" + k;
    }

    std::mutex mutex_;
    dom0::PhysInfo phys{4, 32, 262144, 200000};
    std::map<std::uint32_t, tern_domain_info> domains;
    std::map<std::string, std::string> keys;
    std::vector<std::string> writes;
    std::vector<dom0::GuestConfig> built;
    std::vector<std::uint32_t> destroyed;
    std::set<std::uint32_t> obeys_shutdown;
    std::map<std::uint32_t, std::pair<std::uint32_t, std::uint32_t>> scheduling;
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> affinity;
    std::uint32_t next_id = 1;
    int build_error = 0;  // 1 ENOMEM, 2 a bad kernel, 3 xenstored down
    bool store_down = false;
    bool fail_list = false;
};

}  // namespace tern::xapi::test
