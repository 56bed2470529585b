// The blocking socket client.
#include "xenstored/xenstore_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tern::dom0::xenstored {
namespace {

std::string nul_terminated(std::string_view text) {
    std::string out(text);
    out += '\0';
    return out;
}

// Maps an ERROR reply's name back to an XsError (EINVAL for a name we do not know).
XsError error_from_name(std::string_view name) {
    for (int i = 0; i <= static_cast<int>(XsError::kEQUOTA); ++i) {
        if (error_name(static_cast<XsError>(i)) == name) {
            return static_cast<XsError>(i);
        }
    }
    return XsError::kEINVAL;
}

}  // namespace

XenstoreClient::XenstoreClient(const std::string& socket_path) {
    sockaddr_un address{};
    if (socket_path.size() >= sizeof(address.sun_path)) {
        return;
    }
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
    if (fd.valid() &&
        ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
        fd_ = std::move(fd);
    }
}

bool XenstoreClient::send_all(std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK)  // the kernel's /dev/xen/xenbus: the same protocol
            n = ::write(fd_.get(), bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool XenstoreClient::receive(Message& message) {
    auto read_exact = [this](char* out, std::size_t size) {
        while (size > 0) {
            ssize_t n = ::recv(fd_.get(), out, size, 0);
            if (n < 0 && errno == ENOTSOCK)
                n = ::read(fd_.get(), out, size);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                return false;
            }
            out += n;
            size -= static_cast<std::size_t>(n);
        }
        return true;
    };
    if (!read_exact(reinterpret_cast<char*>(&message.header), kHeaderSize) ||
        message.header.len > kPayloadMax) {
        return false;
    }
    message.payload.assign(message.header.len, '\0');
    return read_exact(message.payload.data(), message.payload.size());
}

XsResult<std::string> XenstoreClient::request(MessageType type, std::string_view payload,
                                              std::uint32_t tx) {
    if (!fd_.valid()) {
        return XsError::kEIO;
    }
    const std::uint32_t req_id = next_req_id_++;
    if (!send_all(encode_message(MessageHeader{static_cast<std::uint32_t>(type), req_id, tx, 0},
                                 payload))) {
        return XsError::kEIO;
    }
    for (;;) {
        Message reply;
        if (!receive(reply)) {
            fd_.reset();
            return XsError::kEIO;
        }
        if (reply.header.type == static_cast<std::uint32_t>(MessageType::kWatchEvent)) {
            const auto parts = split_strings(reply.payload);
            if (parts.size() >= 2) {
                events_.emplace_back(std::string(parts[0]), std::string(parts[1]));
            }
            continue;
        }
        if (reply.header.req_id != req_id) {
            continue;
        }
        if (reply.header.type == static_cast<std::uint32_t>(MessageType::kError)) {
            const auto parts = split_strings(reply.payload);
            return error_from_name(parts.empty() ? "" : parts[0]);
        }
        return std::move(reply.payload);
    }
}

XsStatus XenstoreClient::request_ok(MessageType type, std::string_view payload, std::uint32_t tx) {
    auto reply = request(type, payload, tx);
    return reply.ok() ? ok_status() : XsStatus(reply.error());
}

XsResult<std::string> XenstoreClient::read(std::string_view path, std::uint32_t tx) {
    return request(MessageType::kRead, nul_terminated(path), tx);
}

XsStatus XenstoreClient::write(std::string_view path, std::string_view value, std::uint32_t tx) {
    std::string payload = nul_terminated(path);
    payload += value;
    return request_ok(MessageType::kWrite, payload, tx);
}

XsStatus XenstoreClient::mkdir(std::string_view path, std::uint32_t tx) {
    return request_ok(MessageType::kMkdir, nul_terminated(path), tx);
}

XsStatus XenstoreClient::remove(std::string_view path, std::uint32_t tx) {
    return request_ok(MessageType::kRm, nul_terminated(path), tx);
}

XsResult<std::vector<std::string>> XenstoreClient::directory(std::string_view path,
                                                             std::uint32_t tx) {
    auto reply = request(MessageType::kDirectory, nul_terminated(path), tx);
    if (!reply.ok()) {
        return reply.error();
    }
    std::vector<std::string> children;
    for (auto child : split_strings(reply.value())) {
        children.emplace_back(child);
    }
    return children;
}

XsStatus XenstoreClient::set_permissions(std::string_view path,
                                         const std::vector<Permission>& permissions,
                                         std::uint32_t tx) {
    std::string payload = nul_terminated(path);
    for (const auto& permission : permissions) {
        payload += nul_terminated(format_permission(permission));
    }
    return request_ok(MessageType::kSetPerms, payload, tx);
}

XsResult<std::uint32_t> XenstoreClient::transaction_start() {
    auto reply = request(MessageType::kTransactionStart, nul_terminated(""), 0);
    if (!reply.ok()) {
        return reply.error();
    }
    const auto parts = split_strings(reply.value());
    const auto id = parts.empty() ? std::nullopt : parse_decimal(parts[0]);
    if (!id) {
        return XsError::kEIO;
    }
    return static_cast<std::uint32_t>(*id);
}

XsStatus XenstoreClient::transaction_end(std::uint32_t tx, bool commit) {
    return request_ok(MessageType::kTransactionEnd, nul_terminated(commit ? "T" : "F"), tx);
}

XsStatus XenstoreClient::introduce(DomainId domid, std::uint64_t frame,
                                   std::uint32_t event_channel) {
    return request_ok(MessageType::kIntroduce,
                      nul_terminated(std::to_string(domid.value)) +
                          nul_terminated(std::to_string(frame)) +
                          nul_terminated(std::to_string(event_channel)),
                      0);
}

XsStatus XenstoreClient::release(DomainId domid) {
    return request_ok(MessageType::kRelease, nul_terminated(std::to_string(domid.value)), 0);
}

XsStatus XenstoreClient::watch(std::string_view path, std::string_view token) {
    return request_ok(MessageType::kWatch, nul_terminated(path) + nul_terminated(token), 0);
}

XsStatus XenstoreClient::unwatch(std::string_view path, std::string_view token) {
    return request_ok(MessageType::kUnwatch, nul_terminated(path) + nul_terminated(token), 0);
}

XsResult<std::pair<std::string, std::string>> XenstoreClient::next_event() {
    while (events_.empty()) {
        Message message;
        if (!fd_.valid() || !receive(message)) {
            fd_.reset();
            return XsError::kEIO;
        }
        if (message.header.type == static_cast<std::uint32_t>(MessageType::kWatchEvent)) {
            const auto parts = split_strings(message.payload);
            if (parts.size() >= 2) {
                events_.emplace_back(std::string(parts[0]), std::string(parts[1]));
            }
        }
    }
    auto event = std::move(events_.front());
    events_.pop_front();
    return event;
}

bool XenstoreClient::event_ready(std::chrono::milliseconds timeout) {
    if (!events_.empty() || !fd_.valid())
        return true;
    pollfd p{fd_.get(), POLLIN, 0};
    int n = 0;
    do {
        n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    } while (n < 0 && errno == EINTR);
    return n > 0;
}

}  // namespace tern::dom0::xenstored
