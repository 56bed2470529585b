// Defines Dispatcher: the fixed checklist every call goes through — find the method, count
// the parameters, check the session and the role, decode and check each argument, run the
// generated implementation of an implicit message or the hand-written handler of an explicit
// one, and wrap the outcome in the Status/Value/ErrorDescription struct. `Async.` calls get a
// task at once and run on the worker pool; what their work will hold (a VM's operation slot)
// is claimed before the call answers, so that the next call sees it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "api/call_context.hpp"
#include "rpc/value.hpp"

namespace tern::xapi {

// Per-class hooks of the generic create, destroy and setters (validation, derived objects,
// derived fields).
struct ClassHooks {
    std::function<void(CallContext&, rpc::Struct& record)> before_create;
    std::function<void(CallContext&, class Transaction&, const std::string& ref)> after_create;
    std::function<void(CallContext&, const std::string& ref)> before_destroy;
    // Inside the setter's transaction, after `field` of `ref` changed.
    std::function<void(class Transaction&, const std::string& ref, const std::string& field)>
        after_set;
    // Inside the destroy's transaction, before the object goes.
    std::function<void(class Transaction&, const std::string& ref)> during_destroy;
};

class Dispatcher {
  public:
    using Spawn = std::function<void(std::function<void()>)>;
    // Claims, for the task `task`, what the work of an Async call will hold; throws the error
    // the call's work would fail with (the task then fails with it and no work is queued).
    using AsyncClaim = std::function<std::shared_ptr<OperationClaim>(
        CallContext& ctx, const std::string& task, const rpc::Array& args)>;

    Dispatcher(ApiState& state, Spawn spawn);

    // Runs one call and returns the result struct; never throws. A call that waits for
    // something to happen (event.next) blocks the calling thread.
    rpc::Value call(const std::string& method, const rpc::Array& params, const rpc::Peer& peer);
    // The same, but a call that waits answers later through `later` (from another thread) and
    // this returns nullopt. Waiting includes the group commit that puts the call's changes on
    // disk: that answer comes from the store's writer thread.
    std::optional<rpc::Value> call(const std::string& method, const rpc::Array& params,
                                   const rpc::Peer& peer, std::function<void(rpc::Value)> later);

    void set_hooks(const std::string& cls, ClassHooks hooks) { hooks_[cls] = std::move(hooks); }
    // `method` is "Class.message"; its Async form claims with `claim` before answering.
    void set_async_claim(const std::string& method, AsyncClaim claim) {
        async_claims_[method] = std::move(claim);
    }
    // True for calls that only read or change memory (a change's answer waits for the disk
    // without holding the thread) and may run on the caller's thread (an I/O thread);
    // everything else goes to the worker pool.
    bool is_quick(const std::string& method) const;
    // Every method name the server answers, for host.list_methods.
    std::vector<std::string> method_names() const;

  private:
    struct Target {
        int cls;
        const MessageDesc* msg;
    };
    // call() before its answer waits for the disk.
    std::optional<rpc::Value> answer_call(const std::string& method, const rpc::Array& params,
                                          const rpc::Peer& peer,
                                          std::function<void(rpc::Value)> later);
    rpc::Value run(CallContext& ctx, const Target& target, const rpc::Array& args);
    void finish_task(const std::string& task, const Target& target, const rpc::Value& result,
                     std::vector<std::string> error);
    rpc::Value run_implicit(CallContext& ctx, const Target& target, const rpc::Array& args);
    rpc::Array decode_args(const Target& target, const rpc::Array& params, std::size_t first);
    std::string start_task(CallContext& ctx, const Target& target, rpc::Array args,
                           const std::string& method, const rpc::Peer& peer);

    ApiState& state_;
    Spawn spawn_;
    std::unordered_map<std::string, Target> methods_;
    std::unordered_map<std::string, ClassHooks> hooks_;
    std::unordered_map<std::string, AsyncClaim> async_claims_;
};

// The result structs of the wire protocol.
rpc::Value success(rpc::Value value);
rpc::Value failure(const std::string& code, const std::vector<std::string>& params);

}  // namespace tern::xapi
