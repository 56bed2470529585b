// Defines LifecycleWorldForTest: ApiWorldForTest with a root session and helpers that make
// VMs and read their fields, for the life-cycle, task and event tests.
#pragma once

#include <gtest/gtest.h>

#include "api/housekeeping.hpp"
#include "api_world_for_test.hpp"

namespace tern::xapi {

using Strings = std::vector<std::string>;

inline constexpr std::int64_t kMiB = 1 << 20;

struct LifecycleWorldForTest : ApiWorldForTest {
    std::string s = make_session_for_test();

    rpc::Value ok(const std::string& method, rpc::Array args) {
        args.insert(args.begin(), rpc::Value{s});
        return ok_for_test(call(method, std::move(args)));
    }
    Strings fails(const std::string& method, rpc::Array args) {
        args.insert(args.begin(), rpc::Value{s});
        return error_for_test(call(method, std::move(args)));
    }

    std::string make_vm(const std::string& name, std::int64_t memory_mib = 256,
                        rpc::Struct extra = {}) {
        const std::string memory = std::to_string(memory_mib * kMiB);
        rpc::Struct record{
            {"name_label", rpc::Value{name}},           {"memory_static_min", rpc::Value{memory}},
            {"memory_dynamic_min", rpc::Value{memory}}, {"memory_dynamic_max", rpc::Value{memory}},
            {"memory_static_max", rpc::Value{memory}},  {"VCPUs_max", rpc::Value{"2"}},
            {"VCPUs_at_startup", rpc::Value{"1"}}};
        for (auto& [k, v] : extra)
            record[k] = v;
        return ok("VM.create", {rpc::Value{std::move(record)}}).as<std::string>();
    }

    // A field of an object as the store keeps it (canonical).
    rpc::Value field(const char* cls, const std::string& ref, const char* name) {
        const int c = store.class_index(cls);
        auto v = store.get_field(c, ref, store.field_index(c, name));
        EXPECT_TRUE(v) << cls << " " << ref;
        return v ? *v : rpc::Value{};
    }
    std::string power(const std::string& vm) {
        return field("VM", vm, "power_state").as<std::string>();
    }
    std::int64_t domid(const std::string& vm) {
        return field("VM", vm, "domid").as<std::int64_t>();
    }
    std::string metrics(const std::string& vm) {
        return field("VM", vm, "metrics").as<std::string>();
    }
    Strings allowed(const std::string& vm) {
        Strings out;
        const rpc::Value ops = field("VM", vm, "allowed_operations");
        for (const rpc::Value& v : ops.as<rpc::Array>())
            out.push_back(v.as<std::string>());
        std::sort(out.begin(), out.end());
        return out;
    }
};

}  // namespace tern::xapi
