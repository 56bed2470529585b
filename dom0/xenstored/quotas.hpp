// Defines Quotas, the limits on what an unprivileged domain may use, with Xen's defaults.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tern::dom0::xenstored {

struct Quotas {
    // Nodes a domain may own.
    std::size_t nodes = 1000;
    // Watches a domain may have at once.
    std::size_t watches = 128;
    // Transactions a domain may have open at once.
    std::size_t transactions = 10;
    // Bytes of a node's value.
    std::size_t entry_size = 2048;
    // Entries of a node's permission list.
    std::size_t permissions = 5;
    // Bytes of a request's payload (never above the wire's 4096).
    std::size_t request_size = 4096;

    // Sets a quota by name ("nodes", "watches", ...); false if the name is unknown or the value
    // is out of range.
    bool set(std::string_view name, std::size_t value);
    // The value of a named quota.
    std::optional<std::size_t> get(std::string_view name) const;
    // "name value" lines for CONTROL quota and --help.
    std::string describe() const;
};

}  // namespace tern::dom0::xenstored
