#include "dom0/consoled/domain_console.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace tern::dom0::consoled {

namespace {

constexpr std::size_t kInputChunk = kInRingSize;

std::string bad_indices(const char* ring, const RingCopy& copy) {
    return std::string("impossible ") + ring + " ring indices (cons " + std::to_string(copy.cons) +
           ", prod " + std::to_string(copy.prod) + "): its contents dropped and the ring reset";
}

}  // namespace

DomainConsole::DomainConsole(std::uint32_t domain, std::unique_ptr<ConsolePage> page,
                             std::unique_ptr<xenstored::EventChannel> channel,
                             const std::string& log_path, ConsoleLogger logger)
    : domain_(domain),
      page_(std::move(page)),
      channel_(std::move(channel)),
      log_(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640)),
      logger_(std::move(logger)) {
    if (!log_.valid())
        throw std::system_error(errno, std::generic_category(), "open " + log_path);
}

void DomainConsole::on_event() {
    channel_->acknowledge();
    service();
}

void DomainConsole::service() {
    ConsoleInterface& ring = page_->ring();
    bool moved = false;
    std::string output;
    const RingCopy out = drain_output(ring, output);
    if (out.bad_indices)
        logger_(bad_indices("out", out));
    if (out.bytes > 0 || out.bad_indices) {
        write_log(output);
        pty_.write(output);
        moved = true;
    }
    if (!pending_input_.empty()) {
        const RingCopy in = fill_input(ring, pending_input_);
        if (in.bad_indices)
            logger_(bad_indices("in", in));
        pending_input_.erase(0, in.bytes);
        moved = moved || in.bytes > 0 || in.bad_indices;
    }
    if (moved)
        channel_->notify();
}

void DomainConsole::on_pty_readable() {
    if (!pending_input_.empty())
        return;  // the guest has not taken the last lot yet
    pending_input_ = pty_.read_input(kInputChunk);
    if (!pending_input_.empty())
        service();
}

void DomainConsole::write_log(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(log_.get(), bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            logger_(std::string("cannot write its log: ") + std::strerror(errno));
            return;
        }
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace tern::dom0::consoled
