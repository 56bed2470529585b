// A new VM's metrics and console.
#include "lifecycle/vm_companions.hpp"

#include "api/marshal.hpp"
#include "api/ref.hpp"
#include "lifecycle/power_table.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {

void add_vm_companions(Transaction& txn, const std::string& vm, const std::string& host) {
    ObjectStore& store = txn.store();
    const int vm_cls = store.class_index("VM");
    const int metrics_cls = store.class_index("VM_metrics");
    const int console_cls = store.class_index("console");

    const std::string metrics = make_ref();
    txn.create(metrics_cls, metrics, new_record(store.class_desc(metrics_cls)));
    txn.set_field(vm_cls, vm, store.field_index(vm_cls, "metrics"), rpc::Value{metrics});

    std::string address = "localhost";
    const int host_cls = store.class_index("host");
    if (const rpc::Struct* h = txn.get(host_cls, host)) {
        if (auto a = h->find("address");
            a != h->end() && a->second.is<std::string>() && !a->second.as<std::string>().empty()) {
            address = a->second.as<std::string>();
        }
    }
    const std::string console = make_ref();
    rpc::Struct c = new_record(store.class_desc(console_cls));
    c["protocol"] = std::string("vt100");
    c["location"] = "https://" + address + "/console?ref=" + console;
    c["VM"] = vm;  // bound: the VM's consoles list it
    txn.create(console_cls, console, std::move(c));
    refresh_allowed_operations(txn, vm);
}

}  // namespace tern::xapi
