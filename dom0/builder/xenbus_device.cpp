#include "dom0/builder/xenbus_device.hpp"

#include <stdexcept>

namespace tern::dom0 {

namespace {

namespace xs = xenstored;

void check(const xs::XsStatus& status, const std::string& what) {
    if (!status.ok())
        throw std::runtime_error("xenstore: " + what + ": " +
                                 std::string(xs::error_name(status.error())));
}

// Writes `dir` and its entries with `permissions` on each, inside transaction `tx`.
void write_directory(xs::XenstoreClient& store, std::uint32_t tx, const std::string& dir,
                     const XenstoreEntries& entries,
                     const std::vector<xs::Permission>& permissions) {
    check(store.mkdir(dir, tx), "mkdir " + dir);
    check(store.set_permissions(dir, permissions, tx), "set the permissions of " + dir);
    for (const auto& [key, value] : entries) {
        const std::string path = dir + "/" + key;
        check(store.write(path, value, tx), "write " + path);
        check(store.set_permissions(path, permissions, tx), "set the permissions of " + path);
    }
}

}  // namespace

void add_xenbus_device(xs::XenstoreClient& store, std::uint32_t domain, const std::string& backend,
                       const XenstoreEntries& backend_entries, const std::string& frontend,
                       const XenstoreEntries& frontend_entries, const std::string& what) {
    const xs::DomainId guest{domain};
    const std::vector<xs::Permission> backend_permissions = {{xs::kDom0, xs::Access::kNone},
                                                             {guest, xs::Access::kRead}};
    const std::vector<xs::Permission> frontend_permissions = {{guest, xs::Access::kNone},
                                                              {xs::kDom0, xs::Access::kRead}};
    for (;;) {
        auto tx = store.transaction_start();
        if (!tx.ok())
            check(xs::XsStatus(tx.error()), "start a transaction");
        try {
            write_directory(store, tx.value(), backend, backend_entries, backend_permissions);
            write_directory(store, tx.value(), frontend, frontend_entries, frontend_permissions);
        } catch (const std::runtime_error&) {
            (void)store.transaction_end(tx.value(), false);
            throw;
        }
        const auto committed = store.transaction_end(tx.value(), true);
        if (committed.ok())
            return;
        if (committed.error() != xs::XsError::kEAGAIN)
            check(committed, "commit the entries of " + what);
    }
}

}  // namespace tern::dom0
