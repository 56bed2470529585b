// Defines Dom0TernHost: TernHost in dom0 — Tern's control ABI through /dev/xen/privcmd, the
// domain builder, and xenstored's Unix socket (one connection for requests, reopened when it
// breaks, and one that watches @releaseDomain).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "backend/tern/tern_host.hpp"
#include "dom0/control/privcmd.hpp"
#include "xenstored/xenstore_client.hpp"

namespace tern::xapi {

struct Dom0Paths {
    std::string privcmd = dom0::Privcmd::kDefaultPath;
    std::string xenstored_socket;  // empty: XENSTORED_PATH, or xenstored's default socket
};

class Dom0TernHost final : public TernHost {
  public:
    // Throws dom0::ControlError when privcmd cannot be opened (not in dom0, or no privileges).
    explicit Dom0TernHost(Dom0Paths paths = {});

    dom0::PhysInfo physinfo() override;
    std::vector<tern_domain_info> list() override;
    std::uint32_t build(const dom0::GuestConfig& config) override;
    void pause(std::uint32_t domain) override;
    void unpause(std::uint32_t domain) override;
    void destroy(std::uint32_t domain) override;
    void set_scheduling(std::uint32_t domain, std::uint32_t weight, std::uint32_t cap) override;
    void set_vcpu_affinity(std::uint32_t domain, std::uint32_t vcpu, std::uint32_t cpumap) override;
    std::optional<std::string> read_key(std::uint32_t domain, const std::string& key) override;
    void write_key(std::uint32_t domain, const std::string& key, const std::string& value) override;
    void wait_for_domain_change(std::chrono::milliseconds timeout) override;

  private:
    // A connected client (under store_mutex_); throws StoreError when xenstored is down.
    dom0::xenstored::XenstoreClient& store_locked();

    std::string socket_;
    dom0::Privcmd privcmd_;
    dom0::ControlClient control_;
    std::mutex store_mutex_;
    std::unique_ptr<dom0::xenstored::XenstoreClient> store_;
    std::mutex watch_mutex_;
    std::unique_ptr<dom0::xenstored::XenstoreClient> watch_;
};

}  // namespace tern::xapi
