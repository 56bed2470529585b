// The handler of every xm command; each returns the exit status.
#pragma once

#include "command.hpp"

namespace tern::cli {

int run_help(Invocation&);
int run_list(Invocation&);
int run_info(Invocation&);
int run_create(Invocation&);
int run_new(Invocation&);
int run_delete(Invocation&);
int run_start(Invocation&);
int run_shutdown(Invocation&);
int run_reboot(Invocation&);
int run_destroy(Invocation&);
int run_pause(Invocation&);
int run_unpause(Invocation&);
int run_suspend(Invocation&);
int run_resume(Invocation&);
int run_save(Invocation&);
int run_restore(Invocation&);
int run_migrate(Invocation&);
int run_console(Invocation&);
int run_mem_set(Invocation&);
int run_mem_max(Invocation&);
int run_vcpu_set(Invocation&);
int run_vcpu_pin(Invocation&);
int run_vcpu_list(Invocation&);
int run_sched_credit(Invocation&);
int run_block_attach(Invocation&);
int run_block_detach(Invocation&);
int run_block_list(Invocation&);
int run_network_attach(Invocation&);
int run_network_detach(Invocation&);
int run_network_list(Invocation&);
int run_vdi_create(Invocation&);
int run_vdi_list(Invocation&);
int run_vdi_destroy(Invocation&);
int run_vdi_copy(Invocation&);
int run_sr_list(Invocation&);
int run_uptime(Invocation&);
int run_domid(Invocation&);
int run_domname(Invocation&);
int run_rename(Invocation&);
int run_dmesg(Invocation&);
int run_log(Invocation&);
int run_top(Invocation&);
int run_dump_core(Invocation&);

}  // namespace tern::cli
