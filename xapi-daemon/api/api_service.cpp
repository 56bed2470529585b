// The API service: parses each request, runs it on a worker thread, answers.
#include "api/api_service.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <optional>

#include "api/console_connections.hpp"
#include "api/dispatcher.hpp"
#include "api/host_inventory.hpp"
#include "api/host_messages.hpp"
#include "api/housekeeping.hpp"
#include "api/object_rules.hpp"
#include "api/session_messages.hpp"
#include "api/session_registry.hpp"
#include "api/task_messages.hpp"
#include "api/task_registry.hpp"
#include "backend/make_backend.hpp"
#include "events/event_hub.hpp"
#include "events/event_messages.hpp"
#include "lifecycle/device_messages.hpp"
#include "lifecycle/guest_watcher.hpp"
#include "lifecycle/operation_slot.hpp"
#include "lifecycle/reconcile.hpp"
#include "lifecycle/vm_lifecycle.hpp"
#include "rpc/xmlrpc_codec.hpp"
#include "storage/local_sr.hpp"
#include "storage/sr_messages.hpp"
#include "storage/vdi_messages.hpp"
#include "storage/vdi_transfers.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

class ApiService final : public rpc::RequestHandler {
  public:
    explicit ApiService(const ApiConfig& config)
        : store_(open_store(config.state_dir)),
          sessions_(config.session_idle_timeout),
          backend_(make_backend(BackendOptions{config.backend, config.sim})),
          workers_(config.workers),
          tasks_(config.task_workers),
          events_(config.event_queue, config.clock ? config.clock : system_clock),
          state_{*store_,
                 sessions_,
                 Handlers{},
                 config.clock ? config.clock : system_clock,
                 "",
                 backend_.backend.get(),
                 &task_registry_,
                 &events_,
                 backend_.sim,
                 config.state_dir},
          dispatcher_(state_, [this](std::function<void()> job) { post_task(std::move(job)); }),
          host_handlers_([this] { return dispatcher_.method_names(); }),
          vm_handlers_(LifecycleOptions{config.shutdown_timeout}),
          event_handlers_(
              [this](std::function<void()> job) { boost::asio::post(workers_, std::move(job)); }),
          watcher_(state_, [this](std::function<void()> job) { post_task(std::move(job)); }),
          transfers_(
              state_,
              [this](std::function<void()> job) { boost::asio::post(workers_, std::move(job)); }),
          consoles_(state_, [this](std::function<void()> job) {
              boost::asio::post(workers_, std::move(job));
          }) {
        state_.handlers.session = &session_handlers_;
        state_.handlers.host = &host_handlers_;
        state_.handlers.debug = &debug_handlers_;
        state_.handlers.VM = &vm_handlers_;
        state_.handlers.task = &task_handlers_;
        state_.handlers.event = &event_handlers_;
        state_.handlers.VBD = &vbd_handlers_;
        state_.handlers.VIF = &vif_handlers_;
        state_.handlers.SR = &sr_handlers_;
        state_.handlers.PBD = &pbd_handlers_;
        state_.handlers.VDI = &vdi_handlers_;
        seed_event_counts(*store_, events_);
        encode_events_when_published(events_);
        store_->set_observer(
            [this](std::vector<StoreChange>&& changes) { events_.publish(std::move(changes)); });
        install_object_rules(dispatcher_);
        install_async_claims(dispatcher_);
        install_storage_rules(dispatcher_);
        state_.host_ref = ensure_inventory(state_, read_machine_info());
        start_storage(state_);
        reconcile_with_backend(state_);
        backend_.backend->set_listener(&watcher_);
        housekeeping_.emplace(state_,
                              HousekeepingOptions{config.metrics_interval, config.task_retention});
    }

    ~ApiService() override {
        housekeeping_.reset();
        backend_.backend->set_listener(nullptr);
        task_registry_.cancel_all();  // work that can stop does not hold the exit up
        tasks_.join();
        events_.stop();  // parked event calls answer on the workers
        workers_.join();
        store_->set_observer(nullptr);
    }

    void stop_waiting() override { events_.stop(); }
    DiskTransfers* disk_transfers() override { return &transfers_; }
    ConsoleConnector* console_connector() override { return &consoles_; }

    void handle_rpc(std::string body, const rpc::Peer& peer, rpc::RpcCompletion done) override {
        auto parsed = rpc::parse_method_call(body);
        if (auto* error = std::get_if<rpc::ParseError>(&parsed)) {
            done(rpc::RpcResponse{200,
                                  "text/xml",
                                  rpc::encode_fault(-1, "Malformed request: " + error->message),
                                  {}});
            return;
        }
        auto call = std::make_shared<rpc::MethodCall>(std::move(std::get<rpc::MethodCall>(parsed)));
        auto run = [this, call, peer, done = std::move(done)] {
            // Encodings shared with other answers (event.from's) are written out, not copied.
            auto respond = [done](rpc::Value result) {
                done(rpc::RpcResponse{200, "text/xml", {}, rpc::encode_response_pieces(result)});
            };
            // A call that waits for events answers later, through `respond`.
            auto result = dispatcher_.call(call->method, call->params, peer, respond);
            if (result)
                respond(std::move(*result));
        };
        // Reads and plain setters of memory run on the calling (I/O) thread (a setter's answer
        // waits for the disk on the store's writer); anything that may wait (PAM, the backend)
        // runs on a worker.
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
    void post_task(std::function<void()> job) { boost::asio::post(tasks_, std::move(job)); }
    static std::unique_ptr<ObjectStore> open_store(const std::filesystem::path& dir) {
        std::filesystem::create_directories(dir);
        return std::make_unique<ObjectStore>(dir / "xapi.db");
    }

    std::unique_ptr<ObjectStore> store_;
    SessionRegistry sessions_;
    BackendChoice backend_;
    TaskRegistry task_registry_;
    boost::asio::thread_pool workers_;
    boost::asio::thread_pool tasks_;
    EventHub events_;
    ApiState state_;
    Dispatcher dispatcher_;
    SessionHandlers session_handlers_;
    HostHandlers host_handlers_;
    DebugHandlers debug_handlers_;
    VmLifecycle vm_handlers_;
    TaskHandlers task_handlers_;
    EventHandlers event_handlers_;
    VbdHandlers vbd_handlers_;
    VifHandlers vif_handlers_;
    GuestWatcher watcher_;
    SrHandlers sr_handlers_;
    PbdHandlers pbd_handlers_;
    VdiHandlers vdi_handlers_;
    VdiTransfers transfers_;
    ConsoleConnections consoles_;
    std::optional<Housekeeping> housekeeping_;
};

}  // namespace

std::unique_ptr<rpc::RequestHandler> make_api_service(const ApiConfig& config) {
    return std::make_unique<ApiService>(config);
}

}  // namespace tern::xapi
