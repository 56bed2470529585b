// Consoles over HTTP CONNECT: who may attach, to what, and the backend's stream.
#include "api/console_connections.hpp"

#include <nlohmann/json.hpp>

#include "api/api_error.hpp"
#include "api/session_registry.hpp"
#include "backend/backend.hpp"
#include "storage/vdi_transfers.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

unsigned status_of(const std::string& code) {
    if (code == "SESSION_INVALID" || code == "SESSION_AUTHENTICATION_FAILED")
        return 401;
    if (code == "RBAC_PERMISSION_DENIED")
        return 403;
    if (code == "HANDLE_INVALID" || code == "UUID_INVALID")
        return 404;
    if (code == "VM_BAD_POWER_STATE" || code == "OTHER_OPERATION_IN_PROGRESS")
        return 409;
    if (code == "MESSAGE_PARAMETER_MISSING" || code == "VALUE_NOT_SUPPORTED")
        return 400;
    if (code == "NOT_IMPLEMENTED")
        return 501;
    return 500;
}

TransferFailure failure(const std::string& code, const std::vector<std::string>& params) {
    nlohmann::json body = nlohmann::json::array({code});
    for (const std::string& p : params)
        body.push_back(p);
    return TransferFailure(status_of(code), body.dump() + "\n");
}

std::string string_field(const rpc::Struct& record, const char* name) {
    auto it = record.find(name);
    return it != record.end() && it->second.is<std::string>() ? it->second.as<std::string>()
                                                              : std::string();
}

std::int64_t int_field(const rpc::Struct& record, const char* name) {
    auto it = record.find(name);
    return it != record.end() && it->second.is<std::int64_t>() ? it->second.as<std::int64_t>() : -1;
}

}  // namespace

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        const std::size_t end = header.find(';');
        std::string_view pair = header.substr(0, end);
        header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
        while (!pair.empty() && pair.front() == ' ')
            pair.remove_prefix(1);
        const std::size_t eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name)
            return std::string(pair.substr(eq + 1));
    }
    return std::nullopt;
}

void ConsoleConnections::open(ConsoleRequest request, Opened done) {
    post_([this, request = std::move(request), done = std::move(done)] {
        try {
            const int fd = open_now(request);
            done(fd, std::nullopt);
        } catch (const TransferFailure& f) {
            done(-1, f);
        } catch (const ApiError& e) {
            done(-1, failure(e.code(), e.params()));
        } catch (const std::exception& e) {
            done(-1, failure("INTERNAL_ERROR", {e.what()}));
        }
    });
}

int ConsoleConnections::open_now(const ConsoleRequest& request) {
    ObjectStore& store = state_.store;
    CallContext ctx(state_, request.peer);
    // Who calls: a session in the query or a cookie, or a login with Basic credentials.
    std::string session;
    std::string temporary;
    if (auto s = query_parameter(request.target, "session_id")) {
        session = *s;
    } else if (auto c = cookie_value(request.cookie, "session_id")) {
        session = *c;
    } else if (auto credentials = basic_credentials(request.authorization)) {
        const rpc::Value s = state_.handlers.session->login_with_password(
            ctx, credentials->first, credentials->second, "1.0", "console");
        session = temporary = s.as<std::string>();
    } else {
        throw failure("SESSION_INVALID", {""});
    }
    struct EndTemporary {
        ApiState& state;
        const std::string& ref;
        ~EndTemporary() {
            if (!ref.empty())
                state.sessions.close(state, ref);
        }
    } end_temporary{state_, temporary};

    const SessionInfo info = state_.sessions.touch(state_, session);
    if (static_cast<int>(info.role) < static_cast<int>(Role::vm_operator)) {
        throw failure("RBAC_PERMISSION_DENIED",
                      {"http/connect_console", "your role does not allow attaching to consoles"});
    }

    const int console_cls = store.class_index("console");
    std::string console;
    if (auto ref = query_parameter(request.target, "ref"); ref && !ref->empty()) {
        console = *ref;
        if (!store.exists(console_cls, console))
            throw ApiError::handle_invalid("console", console);
    } else if (auto uuid = query_parameter(request.target, "uuid"); uuid && !uuid->empty()) {
        auto found = store.find_by_uuid(console_cls, *uuid);
        if (!found)
            throw ApiError("UUID_INVALID", {"console", *uuid});
        console = *found;
    } else {
        throw failure("MESSAGE_PARAMETER_MISSING", {"ref"});
    }
    const auto record = store.get(console_cls, console);
    if (!record)
        throw ApiError::handle_invalid("console", console);
    const std::string protocol = string_field(*record, "protocol");
    if (protocol != "vt100") {
        throw failure("VALUE_NOT_SUPPORTED",
                      {"protocol", protocol, "only text (vt100) consoles are served"});
    }
    const std::string vm = string_field(*record, "VM");
    const int vm_cls = store.class_index("VM");
    const auto vm_record = store.get(vm_cls, vm);
    if (!vm_record)
        throw ApiError::handle_invalid("VM", vm);
    const std::string power = string_field(*vm_record, "power_state");
    const std::int64_t domid = int_field(*vm_record, "domid");
    if ((power != "Running" && power != "Paused") || domid < 0)
        throw ApiError("VM_BAD_POWER_STATE", {vm, "Running", power});
    if (state_.backend == nullptr)
        throw ApiError::not_implemented("console");
    auto stream = state_.backend->open_console(DomainId{static_cast<std::int32_t>(domid)});
    if (!stream)
        throw failure(stream.error().code, stream.error().params);
    return stream.value().release();
}

}  // namespace tern::xapi
