// Defines Backend, the one seam between xapid and a hypervisor, and the values that cross it:
// domain ids, what a domain is built from (DomainConfig), what a running domain looks like
// (DomainInfo), the host's size (HostInfo), errors as values (BackendError, Outcome) and the
// happenings a backend reports by itself (GuestExit, through a Listener).
//
// Two backends implement it: `sim` (backend/sim/, an in-process simulator for tests and demos)
// and `tern` (the real one, in dom0, against the Tern control ABI). xapid's logic never asks
// which one runs.
//
// Threading: every operation may be called from any thread and may block for as long as the
// hypervisor takes; xapid calls them from its task workers, never from an I/O thread and never
// while it holds the object store's lock. The listener is called from a thread of the
// backend's choosing with no backend lock held, so it may call back into the backend.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace tern::xapi {

// A hypervisor domain id. Dom0 is 0; guests get ids from 1.
struct DomainId {
    std::int32_t value = -1;
    friend auto operator<=>(const DomainId&, const DomainId&) = default;
};

// A failure of the backend, already as the XenAPI error it becomes: a code of schema/errors.toml
// (HOST_NOT_ENOUGH_FREE_MEMORY, VM_SHUTDOWN_TIMEOUT, TASK_CANCELLED, INTERNAL_ERROR, ...) and its
// parameters.
struct BackendError {
    std::string code;
    std::vector<std::string> params;
    friend bool operator==(const BackendError&, const BackendError&) = default;
};

// A result or a BackendError. Operations without a result return Outcome<void>.
template <class T>
class [[nodiscard]] Outcome {
  public:
    Outcome(T value) : state_(std::move(value)) {}             // NOLINT: implicit by design
    Outcome(BackendError error) : state_(std::move(error)) {}  // NOLINT
    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }
    const T& value() const { return std::get<0>(state_); }
    T& value() { return std::get<0>(state_); }
    const BackendError& error() const { return std::get<1>(state_); }

  private:
    std::variant<T, BackendError> state_;
};

template <>
class [[nodiscard]] Outcome<void> {
  public:
    Outcome() = default;
    Outcome(BackendError error) : error_(std::move(error)) {}  // NOLINT
    bool ok() const { return !error_; }
    explicit operator bool() const { return ok(); }
    const BackendError& error() const { return *error_; }

  private:
    std::optional<BackendError> error_;
};

// A virtual disk as the domain sees it.
struct DiskConfig {
    std::string device;  // the guest's name for it: xvda, 0, 1, ...
    std::string path;    // the image or device in dom0; empty for an empty CD drive
    bool read_only = false;
    bool cdrom = false;
    friend bool operator==(const DiskConfig&, const DiskConfig&) = default;
};

// A virtual network interface as the domain sees it.
struct NicConfig {
    std::string device;  // 0, 1, ...
    std::string mac;     // aa:bb:cc:dd:ee:ff
    std::string bridge;  // the dom0 bridge it joins
    std::int64_t mtu = 1500;
    friend bool operator==(const NicConfig&, const NicConfig&) = default;
};

// Everything a domain is built from; xapid fills it from a VM record and its devices.
struct DomainConfig {
    std::string uuid;  // the VM's uuid; the domain carries it as its handle
    std::string name;
    std::string kernel;
    std::string ramdisk;
    std::string cmdline;
    std::int64_t memory_max = 0;     // bytes: the domain's ceiling (memory_static_max)
    std::int64_t memory_target = 0;  // bytes: the balloon target (memory_dynamic_max)
    std::int64_t vcpus_max = 1;
    std::int64_t vcpus_online = 1;
    std::map<std::string, std::string> platform;
    std::vector<DiskConfig> disks;
    std::vector<NicConfig> nics;
};

enum class DomainState { running, paused, shutdown, crashed };

// Why a domain stopped by itself (reported through Listener::guest_exited).
enum class GuestExit {
    poweroff,  // the guest shut itself down
    reboot,    // the guest rebooted itself
    crash,     // the guest crashed
    vanished,  // the domain disappeared without a word
};

// What VM.send_trigger asks of a domain's virtual platform.
enum class GuestTrigger { nmi, reset, init, power, sleep };

// A domain as the hypervisor sees it now.
struct DomainInfo {
    DomainId id;
    std::string uuid;
    std::string name;
    DomainState state = DomainState::running;
    std::int64_t memory_actual = 0;  // bytes
    std::int64_t memory_max = 0;     // bytes
    std::int64_t vcpus_online = 0;
    std::int64_t vcpus_max = 0;
    std::chrono::nanoseconds cpu_time{0};
    std::vector<double> vcpu_utilisation;  // one figure 0..1 per online vCPU
};

// The host's size as the backend accounts it.
struct HostInfo {
    std::int64_t memory_total = 0;  // bytes
    std::int64_t memory_free = 0;   // bytes not given to any domain
    std::int64_t cpus = 0;
};

// Lets a long operation report progress and notice that its task was cancelled. A backend
// calls report() with a fraction 0..1 of its own work and, where it can stop cleanly, checks
// cancelled() and then fails with TASK_CANCELLED (leaving no half-made domain behind).
struct OperationControl {
    std::function<void(double)> report;
    std::function<bool()> cancelled;

    void progress(double fraction) const {
        if (report)
            report(fraction);
    }
    bool is_cancelled() const { return cancelled && cancelled(); }
};

// A bidirectional byte stream to a domain's text console, owned as a file descriptor (a
// socket, or the master side of a pty): reading it gives what the guest writes to its console,
// writing it types into the guest. xapid makes it non-blocking and polls it; end of file (or
// an error) on a read means the console has gone (the domain died). Closing it detaches and
// leaves the guest running.
class ConsoleStream {
  public:
    explicit ConsoleStream(int fd) : fd_(fd) {}
    ConsoleStream(ConsoleStream&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    ConsoleStream& operator=(ConsoleStream&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    ConsoleStream(const ConsoleStream&) = delete;
    ConsoleStream& operator=(const ConsoleStream&) = delete;
    ~ConsoleStream() { reset(); }

    int fd() const { return fd_; }
    // Hands the descriptor over; the caller closes it.
    int release() { return std::exchange(fd_, -1); }

  private:
    void reset() {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }
    int fd_ = -1;
};

// What a backend tells xapid without being asked.
class Listener {
  public:
    virtual ~Listener() = default;
    // A guest stopped by itself (never for stops that xapid asked for). The domain stays in
    // the shutdown or crashed state until xapid destroys it.
    virtual void guest_exited(DomainId domain, GuestExit how) = 0;
};

class Backend {
  public:
    virtual ~Backend() = default;

    // "sim" or "tern", for logs and host.software_version.
    virtual std::string name() const = 0;
    virtual void set_listener(Listener* listener) = 0;

    virtual HostInfo host_info() = 0;
    // Every domain the hypervisor has, dom0 excluded.
    virtual std::vector<DomainInfo> list_domains() = 0;
    virtual std::optional<DomainInfo> domain_info(DomainId domain) = 0;

    // Builds a domain and leaves it paused (xapid unpauses it for a running start).
    virtual Outcome<DomainId> build(const DomainConfig& config, const OperationControl& op) = 0;
    virtual Outcome<void> pause(DomainId domain) = 0;
    virtual Outcome<void> unpause(DomainId domain) = 0;
    // Asks the guest to power off (or reboot) and waits until it has; the domain is then in
    // the shutdown state, to be destroyed. Fails with VM_SHUTDOWN_TIMEOUT after `timeout`.
    virtual Outcome<void> clean_shutdown(DomainId domain, bool reboot,
                                         std::chrono::milliseconds timeout,
                                         const OperationControl& op) = 0;
    // Destroys the domain at once, whatever its state.
    virtual Outcome<void> destroy(DomainId domain) = 0;
    // Saves the domain's memory image to `file` and destroys it.
    virtual Outcome<void> suspend(DomainId domain, const std::filesystem::path& file,
                                  const OperationControl& op) = 0;
    // Builds a domain from an image written by suspend(); it is left paused.
    virtual Outcome<DomainId> resume(const DomainConfig& config, const std::filesystem::path& file,
                                     const OperationControl& op) = 0;
    // Moves the running domain to the host at `destination`; it is gone from here after.
    virtual Outcome<void> migrate(DomainId domain, const std::string& destination, bool live,
                                  const OperationControl& op) = 0;
    // Writes the memory of a crashed domain to `file`.
    virtual Outcome<void> core_dump(DomainId domain, const std::filesystem::path& file) = 0;
    // Gives a crashed domain another name (rename_restart keeps it for inspection).
    virtual Outcome<void> rename(DomainId domain, const std::string& name) = 0;

    virtual Outcome<void> set_memory_target(DomainId domain, std::int64_t bytes) = 0;
    virtual Outcome<void> set_memory_max(DomainId domain, std::int64_t bytes) = 0;
    virtual Outcome<void> set_vcpus_online(DomainId domain, std::int64_t count) = 0;
    virtual Outcome<void> pin_vcpu(DomainId domain, std::int64_t vcpu,
                                   const std::vector<std::int64_t>& cpus) = 0;
    virtual Outcome<void> set_scheduler(DomainId domain, std::int64_t weight, std::int64_t cap) = 0;

    virtual Outcome<void> attach_disk(DomainId domain, const DiskConfig& disk) = 0;
    virtual Outcome<void> detach_disk(DomainId domain, const std::string& device) = 0;
    virtual Outcome<void> attach_nic(DomainId domain, const NicConfig& nic) = 0;
    virtual Outcome<void> detach_nic(DomainId domain, const std::string& device) = 0;

    // Presses SysRq + `key` on the guest's console; the guest decides what it does.
    virtual Outcome<void> send_sysrq(DomainId domain, char key) = 0;
    // Raises a platform event (NMI, reset line, power or sleep button) in the domain.
    virtual Outcome<void> send_trigger(DomainId domain, GuestTrigger trigger) = 0;

    // Attaches to the text console of a running or paused domain: a new stream of its own
    // for each call. Several streams may be open on one console at once; each sees the
    // guest's output from its attach on, and what any of them writes goes to the guest
    // (a backend that can serve only one fails the others with
    // OTHER_OPERATION_IN_PROGRESS("console", domid)).
    // Fails (INTERNAL_ERROR) when there is no such domain, and with VM_BAD_POWER_STATE when
    // the domain has shut down. The default: this backend has no consoles (NOT_IMPLEMENTED).
    virtual Outcome<ConsoleStream> open_console(DomainId domain) {
        return BackendError{"NOT_IMPLEMENTED",
                            {"console of domain " + std::to_string(domain.value) + " on the " +
                             name() + " backend"}};
    }
};

}  // namespace tern::xapi
