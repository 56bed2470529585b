// The file-and-FIFO ring for tests of the real daemon.
#include "xenstored/file_ring_for_test.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "xenstored/ring_transport.hpp"
#include "xenstored/unique_fd.hpp"

namespace tern::dom0::xenstored {
namespace {

constexpr std::size_t kPageSize = 4096;

class FilePage : public SharedPage {
  public:
    explicit FilePage(void* address) : address_(address) {}
    ~FilePage() override { ::munmap(address_, kPageSize); }
    XenstoreDomainInterface& interface() override {
        return *static_cast<XenstoreDomainInterface*>(address_);
    }

  private:
    void* address_;
};

class FifoChannel : public EventChannel {
  public:
    FifoChannel(UniqueFd kick, UniqueFd event) : kick_(std::move(kick)), event_(std::move(event)) {}
    void notify() override {
        const char byte = 1;
        [[maybe_unused]] const ssize_t n = ::write(event_.get(), &byte, 1);
    }
    int fd() const override { return kick_.get(); }
    void acknowledge() override {
        char bytes[64];
        while (::read(kick_.get(), bytes, sizeof(bytes)) > 0) {
        }
    }

  private:
    UniqueFd kick_;
    UniqueFd event_;
};

}  // namespace

std::unique_ptr<Transport> open_file_ring_for_test(const std::string& directory,
                                                   std::string& error) {
    UniqueFd page(::open((directory + "/page").c_str(), O_RDWR | O_CLOEXEC));
    // O_RDWR keeps the FIFOs open without a peer, so neither side blocks or sees end-of-file.
    UniqueFd kick(::open((directory + "/kick").c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
    UniqueFd event(::open((directory + "/event").c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
    if (!page.valid() || !kick.valid() || !event.valid()) {
        error = directory + ": " + std::strerror(errno);
        return nullptr;
    }
    void* address = ::mmap(nullptr, kPageSize, PROT_READ | PROT_WRITE, MAP_SHARED, page.get(), 0);
    if (address == MAP_FAILED) {
        error = directory + "/page: " + std::strerror(errno);
        return nullptr;
    }
    return std::make_unique<RingTransport>(
        std::make_unique<FilePage>(address),
        std::make_unique<FifoChannel>(std::move(kick), std::move(event)), "test ring " + directory);
}

}  // namespace tern::dom0::xenstored
