// The API service: parses each request, runs it on a worker thread, answers.
#include "api/api_service.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "api/dispatcher.hpp"
#include "api/host_inventory.hpp"
#include "api/host_messages.hpp"
#include "api/object_rules.hpp"
#include "api/session_messages.hpp"
#include "api/session_registry.hpp"
#include "rpc/xmlrpc_codec.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

class ApiService final : public rpc::RequestHandler {
  public:
    explicit ApiService(const ApiConfig& config)
        : store_(open_store(config.state_dir)),
          sessions_(config.session_idle_timeout),
          workers_(config.workers),
          tasks_(2),
          state_{*store_, sessions_, Handlers{}, config.clock ? config.clock : system_clock, ""},
          dispatcher_(
              state_,
              [this](std::function<void()> job) { boost::asio::post(tasks_, std::move(job)); }),
          host_handlers_([this] { return dispatcher_.method_names(); }) {
        state_.handlers.session = &session_handlers_;
        state_.handlers.host = &host_handlers_;
        state_.handlers.debug = &debug_handlers_;
        install_object_rules(dispatcher_);
        state_.host_ref = ensure_inventory(state_, read_machine_info());
    }

    ~ApiService() override {
        workers_.join();
        tasks_.join();
    }

    void handle_rpc(std::string body, const rpc::Peer& peer, rpc::RpcCompletion done) override {
        auto parsed = rpc::parse_method_call(body);
        if (auto* error = std::get_if<rpc::ParseError>(&parsed)) {
            done(rpc::RpcResponse{200, "text/xml",
                                  rpc::encode_fault(-1, "Malformed request: " + error->message)});
            return;
        }
        auto call = std::make_shared<rpc::MethodCall>(std::move(std::get<rpc::MethodCall>(parsed)));
        auto run = [this, call, peer, done = std::move(done)] {
            done(rpc::RpcResponse{
                200, "text/xml",
                rpc::encode_response(dispatcher_.call(call->method, call->params, peer))});
        };
        // Reads of memory are answered on the calling (I/O) thread; anything that may wait
        // (PAM, the backend, the disk) runs on a worker.
        if (dispatcher_.is_quick(call->method)) {
            run();
        } else {
            boost::asio::post(workers_, std::move(run));
        }
    }

  private:
    static std::chrono::system_clock::time_point system_clock() {
        return std::chrono::system_clock::now();
    }
    static std::unique_ptr<ObjectStore> open_store(const std::filesystem::path& dir) {
        std::filesystem::create_directories(dir);
        return std::make_unique<ObjectStore>(dir / "xapi.db");
    }

    std::unique_ptr<ObjectStore> store_;
    SessionRegistry sessions_;
    boost::asio::thread_pool workers_;
    boost::asio::thread_pool tasks_;
    ApiState state_;
    Dispatcher dispatcher_;
    SessionHandlers session_handlers_;
    HostHandlers host_handlers_;
    DebugHandlers debug_handlers_;
};

}  // namespace

std::unique_ptr<rpc::RequestHandler> make_api_service(const ApiConfig& config) {
    return std::make_unique<ApiService>(config);
}

}  // namespace tern::xapi
