// Defines StorageWorldForTest: ApiWorldForTest with the storage handlers and rules installed
// and storage started (so the local SR exists in the world's state directory).
#pragma once

#include <gtest/gtest.h>

#include "api/api_world_for_test.hpp"
#include "storage/local_sr.hpp"
#include "storage/sr_messages.hpp"
#include "storage/vdi_messages.hpp"

namespace tern::xapi {

struct StorageWorldForTest : ApiWorldForTest {
    SrHandlers sr_handlers;
    PbdHandlers pbd_handlers;
    VdiHandlers vdi_handlers;
    std::string session;

    StorageWorldForTest() {
        state.handlers.SR = &sr_handlers;
        state.handlers.PBD = &pbd_handlers;
        state.handlers.VDI = &vdi_handlers;
        install_storage_rules(dispatcher);
        start_storage(state);
        session = make_session_for_test();
    }

    rpc::Value ok(const std::string& method, rpc::Array params) {
        params.insert(params.begin(), rpc::Value{session});
        return ok_for_test(call(method, std::move(params)));
    }
    std::vector<std::string> fails(const std::string& method, rpc::Array params) {
        params.insert(params.begin(), rpc::Value{session});
        return error_for_test(call(method, std::move(params)));
    }
    std::string local_sr() { return ok("SR.get_all", {}).as<rpc::Array>().at(0).as<std::string>(); }
    std::string make_vdi_for_test(const std::string& sr, std::int64_t size,
                                  const std::string& label, rpc::Struct extra = {}) {
        rpc::Struct record{{"SR", rpc::Value{sr}},
                           {"virtual_size", rpc::Value{std::to_string(size)}},
                           {"name_label", rpc::Value{label}},
                           {"type", rpc::Value{"user"}},
                           {"sharable", rpc::Value{false}},
                           {"read_only", rpc::Value{false}},
                           {"other_config", rpc::Value{rpc::Struct{}}}};
        for (auto& [k, v] : extra)
            record[k] = v;
        return ok("VDI.create", {rpc::Value{std::move(record)}}).as<std::string>();
    }
    std::string field(const std::string& cls, const std::string& ref, const std::string& name) {
        const rpc::Value v = ok(cls + ".get_" + name, {rpc::Value{ref}});
        return v.is<std::string>() ? v.as<std::string>() : "";
    }
};

}  // namespace tern::xapi
