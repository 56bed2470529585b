// save, restore, migrate: long operations run as tasks with a progress display.
#include "commands/domain_lookup.hpp"
#include "commands/handlers.hpp"
#include "terminal/task_progress.hpp"

namespace tern::cli {

int run_save(Invocation& invocation) {
    auto vm = resolve_domain(invocation.api(), invocation.args[0]);
    auto task =
        invocation.api().vm_save_async(vm.ref, invocation.args[1], invocation.has("checkpoint"));
    wait_for_task(invocation.api(), task, "Saving " + vm.name, invocation.out(),
                  invocation.context.out_is_terminal);
    return 0;
}

int run_restore(Invocation& invocation) {
    auto task = invocation.api().vm_restore_async(invocation.args[0], invocation.has("paused"));
    wait_for_task(invocation.api(), task, "Restoring " + invocation.args[0], invocation.out(),
                  invocation.context.out_is_terminal);
    return 0;
}

int run_migrate(Invocation& invocation) {
    auto vm = resolve_domain(invocation.api(), invocation.args[0]);
    auto task =
        invocation.api().vm_migrate_async(vm.ref, invocation.args[1], invocation.has("live"));
    wait_for_task(invocation.api(), task, "Migrating " + vm.name, invocation.out(),
                  invocation.context.out_is_terminal);
    return 0;
}

}  // namespace tern::cli
