#include "dom0/blkback/vbd_device.hpp"

#include <charconv>
#include <exception>

#include "diskimage/image_open.hpp"

namespace tern::dom0::blkback {

namespace {

// How often a state change is tried when xenstored says another transaction got there first.
constexpr int kStateWriteAttempts = 8;

std::optional<std::uint64_t> to_number(const std::optional<std::string>& text) {
    if (!text)
        return std::nullopt;
    std::uint64_t value = 0;
    const char* end = text->data() + text->size();
    const auto [at, error] = std::from_chars(text->data(), end, value);
    if (error != std::errc() || at != end)
        return std::nullopt;
    return value;
}

XenbusState to_state(const std::optional<std::string>& text) {
    const auto value = to_number(text);
    if (!value || *value > static_cast<std::uint64_t>(XenbusState::kClosed))
        return XenbusState::kUnknown;
    return static_cast<XenbusState>(*value);
}

}  // namespace

VbdDevice::VbdDevice(std::uint32_t domain, std::uint32_t devid, xenstored::XenstoreClient& store,
                     SegmentMapper& mapper, ChannelBinder binder, DeviceLogger logger)
    : domain_(domain),
      devid_(devid),
      store_(store),
      mapper_(mapper),
      binder_(std::move(binder)),
      logger_(std::move(logger)),
      backend_("/local/domain/0/backend/vbd/" + std::to_string(domain) + "/" +
               std::to_string(devid)) {}

VbdDevice::~VbdDevice() {
    disconnect(nullptr);
    image_.reset();
}

std::optional<std::string> VbdDevice::read(const std::string& path) {
    auto result = store_.read(path);
    if (!result.ok())
        return std::nullopt;
    return result.value();
}

void VbdDevice::write_state(XenbusState state) {
    state_ = state;
    // In a transaction that first sees the node there: a write after the toolstack removed
    // the directory would make it again.
    for (int attempt = 0; attempt < kStateWriteAttempts; ++attempt) {
        auto tx = store_.transaction_start();
        if (!tx.ok())
            break;
        if (!store_.read(backend_ + "/state", tx.value()).ok()) {
            (void)store_.transaction_end(tx.value(), false);
            return;  // gone: nothing to tell
        }
        const bool written =
            store_.write(backend_ + "/state", std::to_string(static_cast<int>(state)), tx.value())
                .ok();
        const auto committed = store_.transaction_end(tx.value(), written);
        if (written && committed.ok())
            return;
        if (committed.ok() || committed.error() != xenstored::XsError::kEAGAIN)
            break;
    }
    logger_("cannot write " + backend_ + "/state");
}

bool VbdDevice::update() {
    const auto frontend = read(backend_ + "/frontend");
    if (!frontend) {
        disconnect("its backend directory is gone");
        return false;
    }
    frontend_ = *frontend;
    const bool online = read(backend_ + "/online").value_or("1") != "0";
    const auto frontend_state_text = read(frontend_ + "/state");
    const XenbusState frontend_state = to_state(frontend_state_text);
    if (!online || !frontend_state_text) {
        disconnect(!online ? "the toolstack took it offline" : "the guest's directory is gone");
        image_.reset();
        processor_.reset();
        if (state_ != XenbusState::kClosed ||
            to_state(read(backend_ + "/state")) != XenbusState::kClosed)
            write_state(XenbusState::kClosed);
        return true;
    }
    switch (state_) {
        case XenbusState::kInitialising:
            if (advertise())
                write_state(XenbusState::kInitWait);
            else
                write_state(XenbusState::kClosed);
            break;
        case XenbusState::kInitWait:
            if (frontend_state == XenbusState::kInitialised ||
                frontend_state == XenbusState::kConnected) {
                write_state(connect() ? XenbusState::kConnected : XenbusState::kClosed);
            }
            break;
        case XenbusState::kConnected:
            if (frontend_state == XenbusState::kClosing || frontend_state == XenbusState::kClosed ||
                frontend_state == XenbusState::kUnknown) {
                disconnect("the guest closed it");
                write_state(XenbusState::kClosed);
            }
            break;
        case XenbusState::kClosed:
            if (frontend_state == XenbusState::kInitialising && advertise())
                write_state(XenbusState::kInitWait);
            break;
        default:
            break;
    }
    return true;
}

bool VbdDevice::open_image() {
    if (image_)
        return true;
    const auto params = read(backend_ + "/params");
    const std::string mode = read(backend_ + "/mode").value_or("r");
    const std::string format = read(backend_ + "/format").value_or("raw");
    if (!params || params->empty()) {
        logger_("no params (the image's path) in " + backend_);
        return false;
    }
    read_only_ = mode != "w";
    try {
        diskimage::OpenOptions options;
        options.writable = !read_only_;
        image_ = diskimage::open_image(*params, options,
                                       diskimage::parse_format(format, backend_ + "/format"));
    } catch (const std::exception& e) {
        logger_(std::string("cannot open its image: ") + e.what());
        (void)store_.write(backend_ + "/error", e.what());
        return false;
    }
    processor_ = std::make_unique<RequestProcessor>(domain_, *image_, read_only_, mapper_, logger_);
    logger_("image " + *params + " (" + format + ", " + std::to_string(processor_->sectors()) +
            " sectors, " + (read_only_ ? "read-only" : "writable") + ")");
    return true;
}

bool VbdDevice::advertise() {
    if (!open_image())
        return false;
    const std::pair<const char*, std::string> entries[] = {
        {"sectors", std::to_string(processor_->sectors())},
        {"sector-size", std::to_string(kSectorSize)},
        {"physical-sector-size", std::to_string(kSectorSize)},
        {"info", std::to_string(read_only_ ? kVdiskReadOnly : 0)},
        {"feature-flush-cache", "1"},
        {"feature-persistent", "0"},
        {"feature-discard", "0"},
    };
    for (const auto& [key, value] : entries) {
        if (!store_.write(backend_ + "/" + key, value).ok()) {
            logger_(std::string("cannot write ") + backend_ + "/" + key);
            return false;
        }
    }
    return true;
}

bool VbdDevice::connect() {
    const auto ring_ref = to_number(read(frontend_ + "/ring-ref"));
    const auto port = to_number(read(frontend_ + "/event-channel"));
    const std::string protocol = read(frontend_ + "/protocol").value_or("");
    if (!ring_ref || !port || *ring_ref > 0xffffffffu || *port > 0xffffffffu) {
        logger_(
            "the guest gave no usable ring-ref and event-channel (only single-page rings "
            "are offered)");
        return false;
    }
    if (!protocol.empty() && protocol != "arm-abi" && protocol != "x86_64-abi") {
        logger_("unsupported ring protocol '" + protocol + "'");
        return false;
    }
    try {
        const std::uint32_t refs[] = {static_cast<std::uint32_t>(*ring_ref)};
        ring_pages_ = mapper_.map(domain_, refs, true);
        channel_ = binder_(domain_, static_cast<std::uint32_t>(*port));
    } catch (const std::exception& e) {
        logger_(std::string("cannot connect to its ring: ") + e.what());
        channel_.reset();
        ring_pages_.reset();
        return false;
    }
    ring_.emplace(ring_pages_->page(0), 1);
    reported_broken_ = false;
    logger_("connected: ring-ref " + std::to_string(*ring_ref) + ", event channel " +
            std::to_string(*port));
    service();  // anything queued before we were there
    return true;
}

void VbdDevice::disconnect(const char* why) {
    if (!ring_ && !channel_ && !ring_pages_)
        return;
    ring_.reset();
    ring_pages_.reset();
    channel_.reset();
    if (image_) {
        try {
            image_->flush();
        } catch (const std::exception& e) {
            logger_(std::string("flushing its image: ") + e.what());
        }
    }
    if (why != nullptr) {
        std::string served;
        if (processor_) {
            const RequestCounts& c = processor_->counts();
            served = " (served " + std::to_string(c.reads) + " reads, " + std::to_string(c.writes) +
                     " writes, " + std::to_string(c.flushes) + " flushes; " +
                     std::to_string(c.errors) + " errors)";
        }
        logger_(std::string("disconnected: ") + why + "; its ring and grants released" + served);
    }
}

void VbdDevice::on_event() {
    if (!channel_)
        return;
    channel_->acknowledge();
    service();
}

void VbdDevice::service() {
    if (!ring_ || !processor_)
        return;
    bool notify = false;
    do {
        while (auto request = ring_->take_request())
            ring_->put_response(processor_->process(*request));
        notify = ring_->publish() || notify;
    } while (ring_->final_check_for_requests());
    if (ring_->broken() && !reported_broken_) {
        reported_broken_ = true;
        logger_("the guest broke its ring (more requests than slots); no longer served");
    }
    if (notify)
        channel_->notify();
}

}  // namespace tern::dom0::blkback
