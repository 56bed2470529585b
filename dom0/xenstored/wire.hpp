// Defines the xenstore wire format: message types, the message header, the payload limits and
// the layout of the shared ring page, as Xen's public io/xs_wire.h and docs/misc/xenstore.txt
// specify them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::dom0::xenstored {

// Message types, numbered as Xen's enum xsd_sockmsg_type (20 was XS_RESTRICT, now removed).
enum class MessageType : std::uint32_t {
    kControl = 0,
    kDirectory = 1,
    kRead = 2,
    kGetPerms = 3,
    kWatch = 4,
    kUnwatch = 5,
    kTransactionStart = 6,
    kTransactionEnd = 7,
    kIntroduce = 8,
    kRelease = 9,
    kGetDomainPath = 10,
    kWrite = 11,
    kMkdir = 12,
    kRm = 13,
    kSetPerms = 14,
    kWatchEvent = 15,
    kError = 16,
    kIsDomainIntroduced = 17,
    kResume = 18,
    kSetTarget = 19,
    kResetWatches = 21,
    kDirectoryPart = 22,
};

// The name of a message type for logs ("READ"), or "UNKNOWN".
std::string_view message_type_name(std::uint32_t type);

// struct xsd_sockmsg: every message in both directions starts with these four host-endian words.
struct MessageHeader {
    std::uint32_t type;
    std::uint32_t req_id;
    std::uint32_t tx_id;
    std::uint32_t len;
};
static_assert(sizeof(MessageHeader) == 16);

inline constexpr std::size_t kHeaderSize = sizeof(MessageHeader);
// XENSTORE_PAYLOAD_MAX: a longer payload in either direction is a protocol violation.
inline constexpr std::size_t kPayloadMax = 4096;
// XENSTORE_ABS_PATH_MAX and XENSTORE_REL_PATH_MAX.
inline constexpr std::size_t kAbsolutePathMax = 3072;
inline constexpr std::size_t kRelativePathMax = 2048;

// A whole message: header plus payload.
struct Message {
    MessageHeader header;
    std::string payload;
};

// Serialises a message header followed by its payload.
std::string encode_message(const MessageHeader& header, std::string_view payload);

// Splits a payload of nul-terminated strings into its strings. A trailing part without a nul is
// returned too (some clients omit the last nul).
std::vector<std::string_view> split_strings(std::string_view payload);

// Parses an unsigned decimal number (a domid, a transaction id, an event channel).
std::optional<std::uint64_t> parse_decimal(std::string_view text);

// The shared page a guest and xenstored talk over: struct xenstore_domain_interface.
inline constexpr std::uint32_t kRingSize = 1024;
struct XenstoreDomainInterface {
    char req[kRingSize];
    char rsp[kRingSize];
    std::uint32_t req_cons;
    std::uint32_t req_prod;
    std::uint32_t rsp_cons;
    std::uint32_t rsp_prod;
    std::uint32_t server_features;
    std::uint32_t connection;
    std::uint32_t error;
};
static_assert(sizeof(XenstoreDomainInterface) == 2076);

// server_features bits, connection states and error codes of the ring page.
inline constexpr std::uint32_t kServerFeatureReconnection = 1;
inline constexpr std::uint32_t kServerFeatureError = 2;
inline constexpr std::uint32_t kConnectionConnected = 0;
inline constexpr std::uint32_t kConnectionReconnect = 1;
inline constexpr std::uint32_t kRingErrorNone = 0;
inline constexpr std::uint32_t kRingErrorComm = 1;
inline constexpr std::uint32_t kRingErrorRingIndex = 2;
inline constexpr std::uint32_t kRingErrorProtocol = 3;

}  // namespace tern::dom0::xenstored
