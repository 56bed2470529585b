// Every xm command, one entry each. Help, the man page, bash completion and argument checking
// are all derived from this table.
#include "command_table.hpp"

#include "commands/handlers.hpp"

namespace tern::cli {
namespace {

using K = ArgumentKind;

const OptionSpec kJson{"json", 0, "", "print machine-readable JSON"};
const OptionSpec kLong{"long", 'l', "", "print every field"};

CommandSpec command(std::string name, std::string group, std::string synopsis, std::string summary,
                    int min_args, int max_args, K first, Handler handler) {
    CommandSpec spec;
    spec.name = std::move(name);
    spec.group = std::move(group);
    spec.synopsis = std::move(synopsis);
    spec.summary = std::move(summary);
    spec.min_args = min_args;
    spec.max_args = max_args;
    spec.first_argument = first;
    spec.handler = handler;
    return spec;
}

// Builder helpers so each table entry reads as one statement.
CommandSpec with(CommandSpec spec, std::vector<OptionSpec> options, std::string description,
                 bool changes_state, bool long_running = false) {
    spec.options = std::move(options);
    spec.description = std::move(description);
    spec.changes_state = changes_state;
    spec.long_running = long_running;
    return spec;
}

std::vector<CommandSpec> build_table() {
    std::vector<CommandSpec> table;
    auto add = [&](CommandSpec spec) { table.push_back(std::move(spec)); };

    // Domains: listing and life cycle.
    add(with(command("list", "domain", "[Domain ...]", "List information about all or some domains",
                     0, -1, K::kDomain, run_list),
             {kLong,
              {"label", 0, "", "add the security label column"},
              {"state", 0, "STATE", "only domains in this power state (running, halted, ...)"},
              {"names", 0, "", "print only the names, one a line (used by completion)"},
              kJson},
             "Prints one line per domain: Name, ID, Mem (MiB), VCPUs, State (r running, b "
             "blocked, p paused, s shutdown, c crashed, d dying) and Time(s), the CPU time used.",
             false));
    add(with(command("create", "domain", "<ConfigFile> [name=value ...]",
                     "Create and start a domain from a config file", 1, -1, K::kFile, run_create),
             {{"console", 'c', "", "attach to the console after starting"},
              {"paused", 'p', "", "leave the domain paused after creating it"},
              {"dryrun", 'n', "", "print the parsed configuration and create nothing"}},
             "Reads a classic (key = value) or XML config file (XML when its first byte is '<'), "
             "applies the name=value settings given after it, then calls VM.create, VDI.create, "
             "VBD.create, VIF.create and VM.start. On a failure everything created is removed.",
             true));
    add(with(command("new", "domain", "<ConfigFile> [name=value ...]",
                     "Define a managed domain from a config file", 1, -1, K::kFile, run_new),
             {{"dryrun", 'n', "", "print the parsed configuration and create nothing"}},
             "Like create, but only defines the VM and its devices; start it with 'xm start'.",
             true));
    add(with(command("delete", "domain", "<Domain>", "Remove a managed domain's definition", 1, 1,
                     K::kDomain, run_delete),
             {}, "Destroys the VM record and its devices. The domain must be halted.", true));
    add(with(command("start", "domain", "<Domain>", "Start a managed domain", 1, 1, K::kDomain,
                     run_start),
             {{"paused", 'p', "", "leave it paused"},
              {"console", 'c', "", "attach to the console after starting"}},
             "Calls VM.start.", true));
    add(with(command("shutdown", "domain", "[Domain]", "Shut down a domain cleanly", 0, 1,
                     K::kDomain, run_shutdown),
             {{"wait", 'w', "", "wait until the domain has shut down"},
              {"all", 'a', "", "shut down every running domain except the control domain"},
              {"reboot", 'R', "", "reboot instead"},
              {"halt", 'H', "", "halt (the default)"}},
             "Asks the guest to shut down (VM.clean_shutdown).", true));
    add(with(command("reboot", "domain", "[Domain]", "Reboot a domain cleanly", 0, 1, K::kDomain,
                     run_reboot),
             {{"wait", 'w', "", "wait until the domain has rebooted"},
              {"all", 'a', "", "reboot every running domain except the control domain"}},
             "Asks the guest to reboot (VM.clean_reboot).", true));
    add(with(command("destroy", "domain", "<Domain>", "Terminate a domain immediately", 1, 1,
                     K::kDomain, run_destroy),
             {}, "Stops the domain at once (VM.hard_shutdown).", true));
    add(with(command("pause", "domain", "<Domain>", "Pause execution of a domain", 1, 1, K::kDomain,
                     run_pause),
             {}, "Calls VM.pause.", true));
    add(with(command("unpause", "domain", "<Domain>", "Unpause a paused domain", 1, 1, K::kDomain,
                     run_unpause),
             {}, "Calls VM.unpause.", true));
    add(with(command("suspend", "domain", "<Domain>", "Suspend a managed domain", 1, 1, K::kDomain,
                     run_suspend),
             {}, "Calls VM.suspend; 'xm resume' brings it back.", true));
    add(with(command("resume", "domain", "<Domain>", "Resume a suspended managed domain", 1, 1,
                     K::kDomain, run_resume),
             {{"paused", 'p', "", "leave it paused"}}, "Calls VM.resume.", true));
    add(with(command("save", "domain", "<Domain> <File>", "Save a domain's state to a file", 2, 2,
                     K::kDomain, run_save),
             {{"checkpoint", 'c', "", "leave the domain running after saving"}},
             "Calls Async.VM.save and shows the task's progress.", true, true));
    add(with(command("restore", "domain", "<File>", "Restore a domain from a saved file", 1, 1,
                     K::kFile, run_restore),
             {{"paused", 'p', "", "leave it paused"}},
             "Calls Async.VM.restore and shows the task's progress.", true, true));
    add(with(command("migrate", "domain", "<Domain> <Host>", "Migrate a domain to another host", 2,
                     2, K::kDomain, run_migrate),
             {{"live", 'l', "", "migrate while the domain keeps running"},
              {"port", 'p', "PORT", "the destination's relocation port"},
              {"resource", 'r', "MBIT", "bandwidth limit"}},
             "Calls Async.VM.migrate and shows the task's progress.", true, true));
    add(with(command("console", "domain", "<Domain>", "Attach to a domain's console", 1, 1,
                     K::kDomain, run_console),
             {{"quiet", 'q', "", "print nothing when the domain has no console"}},
             "Connects the terminal to the domain's text console (its vt100 console's "
             "location). Leave with Ctrl-].",
             false));
    add(with(command("uptime", "domain", "[Domain ...]", "Print the uptime of domains", 0, -1,
                     K::kDomain, run_uptime),
             {{"short", 's', "", "print the uptime only, as xm -s did"}, kJson},
             "Uptime since each running domain last started.", false));
    add(with(command("domid", "domain", "<DomainName>", "Print a domain's id", 1, 1, K::kDomain,
                     run_domid),
             {}, "", false));
    add(with(command("domname", "domain", "<DomainId>", "Print a domain's name", 1, 1, K::kDomain,
                     run_domname),
             {}, "", false));
    add(with(command("rename", "domain", "<Domain> <NewName>", "Rename a domain", 2, 2, K::kDomain,
                     run_rename),
             {}, "Calls VM.set_name_label.", true));
    add(with(command("dump-core", "domain", "<Domain> [File]", "Dump a domain's memory core", 1, 2,
                     K::kDomain, run_dump_core),
             {{"live", 'L', "", "do not pause the domain while dumping"},
              {"crash", 'C', "", "destroy the domain after dumping"}},
             "Writes the domain's memory to a file on the host.", true));
    add(with(command("top", "domain", "", "Monitor domains' CPU and memory use (like xentop)", 0, 0,
                     K::kNone, run_top),
             {{"delay", 'd', "SECONDS", "seconds between updates (default 3)"},
              {"iterations", 'i', "COUNT", "stop after COUNT updates"},
              {"batch", 'b', "", "print updates as plain text instead of a full screen"}},
             "A full-screen view refreshed every few seconds; q quits.", false));

    // Resources of a domain.
    add(with(command("mem-set", "resource", "<Domain> <Mem>", "Set a domain's current memory", 2, 2,
                     K::kDomain, run_mem_set),
             {}, "Sets the balloon target in MiB (VM.set_memory_dynamic_max_live and _min_live).",
             true));
    add(with(command("mem-max", "resource", "<Domain> <Mem>", "Set a domain's maximum memory", 2, 2,
                     K::kDomain, run_mem_max),
             {}, "Sets the memory ceiling in MiB (VM.set_memory_static_max).", true));
    add(with(command("vcpu-set", "resource", "<Domain> <vCPUs>", "Set the number of online vCPUs",
                     2, 2, K::kDomain, run_vcpu_set),
             {}, "Calls VM.set_VCPUs_number_live.", true));
    add(with(command("vcpu-pin", "resource", "<Domain> <vCPU|all> <CPUs|all>",
                     "Pin vCPUs to physical CPUs", 3, 3, K::kDomain, run_vcpu_pin),
             {}, "Sets VCPUs_params cpumap<N> (VM.add_to_VCPUs_params_live).", true));
    add(with(command("vcpu-list", "resource", "[Domain ...]", "List vCPUs of domains", 0, -1,
                     K::kDomain, run_vcpu_list),
             {kJson}, "One line per vCPU: Name, ID, VCPU, CPU, State, Time(s), CPU Affinity.",
             false));
    add(with(command("sched-credit", "resource", "", "Get or set credit scheduler parameters", 0, 0,
                     K::kNone, run_sched_credit),
             {{"domain", 'd', "DOMAIN", "the domain"},
              {"weight", 'w', "WEIGHT", "set the weight (1-65535, default 256)"},
              {"cap", 'c', "CAP", "set the cap in percent of one CPU (0 = none)"},
              kJson},
             "Without -w or -c prints the parameters of one or all domains.", true));

    // Devices.
    add(with(command("block-attach", "device", "<Domain> <BackDev> <FrontDev> <Mode>",
                     "Attach a disk to a domain", 4, 5, K::kDomain, run_block_attach),
             {}, "For example: xm block-attach vm1 file:/srv/d.img xvdb w", true));
    add(with(command("block-detach", "device", "<Domain> <DevId>", "Detach a disk", 2, 2,
                     K::kDomain, run_block_detach),
             {{"force", 'f', "", "detach even if the guest does not agree"}},
             "DevId is the device name (xvdb) or the VBD's uuid.", true));
    add(with(command("block-list", "device", "<Domain>", "List a domain's disks", 1, 1, K::kDomain,
                     run_block_list),
             {kLong, kJson}, "", false));
    add(with(command("network-attach", "device", "<Domain> [mac=M] [bridge=B] [mtu=N] ...",
                     "Attach a network interface", 1, -1, K::kDomain, run_network_attach),
             {}, "Settings as in a config file's vif entry.", true));
    add(with(command("network-detach", "device", "<Domain> <DevId>", "Detach a network interface",
                     2, 2, K::kDomain, run_network_detach),
             {{"force", 'f', "", "detach even if the guest does not agree"}},
             "DevId is the interface's index (0, 1 ...), device name or uuid.", true));
    add(with(command("network-list", "device", "<Domain>", "List a domain's network interfaces", 1,
                     1, K::kDomain, run_network_list),
             {kLong, kJson}, "", false));

    // Storage (the XenAPI-era commands).
    add(with(command("vdi-create", "storage", "<Name> <Size>", "Create a virtual disk image", 2, 2,
                     K::kOther, run_vdi_create),
             {{"sr", 0, "SR", "the storage repository (name or uuid; default: the local SR)"},
              {"read-only", 0, "", "make it read-only"},
              {"sharable", 0, "", "let several VMs use it at once"}},
             "Size in bytes, or with a suffix K, M, G, T.", true));
    add(with(command("vdi-list", "storage", "", "List virtual disk images", 0, 0, K::kNone,
                     run_vdi_list),
             {{"sr", 0, "SR", "only this storage repository"}, kLong, kJson}, "", false));
    add(with(command("vdi-destroy", "storage", "<VDI>", "Destroy a virtual disk image", 1, 1,
                     K::kOther, run_vdi_destroy),
             {}, "VDI is a name or uuid.", true));
    add(with(command("vdi-copy", "storage", "<VDI>", "Copy a virtual disk image", 1, 1, K::kOther,
                     run_vdi_copy),
             {{"sr", 0, "SR", "the storage repository of the copy (default: the VDI's own)"}},
             "Calls Async.VDI.copy, shows the task's progress and prints the copy's uuid.", true,
             true));
    add(with(
        command("sr-list", "storage", "", "List storage repositories", 0, 0, K::kNone, run_sr_list),
        {kLong, kJson}, "", false));

    // The host.
    add(with(
        command("info", "host", "", "Print information about the host", 0, 0, K::kNone, run_info),
        {kJson}, "", false));
    add(with(command("dmesg", "host", "", "Print the hypervisor's message buffer", 0, 0, K::kNone,
                     run_dmesg),
             {{"clear", 'c', "", "clear the buffer after reading it"}}, "", false));
    add(with(
        command("log", "host", "", "Print the management daemon's log", 0, 0, K::kNone, run_log),
        {}, "", false));
    CommandSpec help = with(
        command("help", "help", "[Command]", "Print help", 0, 1, K::kNone, run_help),
        {{"long", 'l', "", "describe every command"}}, "Without a command lists them all.", false);
    help.needs_server = false;
    add(help);
    return table;
}

}  // namespace

const std::vector<CommandSpec>& command_table() {
    static const std::vector<CommandSpec> kTable = build_table();
    return kTable;
}

const CommandSpec* find_command(std::string_view name) {
    for (const auto& spec : command_table()) {
        if (spec.name == name) {
            return &spec;
        }
    }
    return nullptr;
}

const std::vector<OptionSpec>& global_options() {
    static const std::vector<OptionSpec> kOptions = {
        {"server", 's', "URL",
         "the server: https://host[:port], ssh://user@host, or a Unix socket path"},
        {"user", 'u', "NAME", "log in as NAME (default root)"},
        {"password-file", 0, "FILE", "read the password from the first line of FILE"},
        {"insecure", 0, "", "do not verify the server's TLS certificate (testing only)"},
        {"help", 'h', "", "print help"},
    };
    return kOptions;
}

}  // namespace tern::cli
