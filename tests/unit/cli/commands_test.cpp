// xm's commands run whole (run_xm) against FakeXenApi: what they print, which calls they make,
// and their exit statuses.
#include <gtest/gtest.h>

#include <sstream>

#include "app.hpp"
#include "fake_xen_api_for_test.hpp"

namespace tern::cli {
namespace {

struct XmRun {
    int status;
    std::string out;
    std::string err;
};

class CommandsTest : public ::testing::Test {
  protected:
    XmRun xm(std::vector<std::string> words) {
        std::ostringstream out;
        std::ostringstream err;
        AppEnvironment environment{out, err, false, ConnectionSources{}, nullptr};
        environment.sources.environment = [](const std::string&) { return std::nullopt; };
        environment.connect = [this](const ConnectionSettings& settings) {
            settings_ = settings;
            return api_;
        };
        int status = run_xm(words, environment);
        return {status, out.str(), err.str()};
    }

    bool called(const std::string& call) const {
        return std::find(api_->calls.begin(), api_->calls.end(), call) != api_->calls.end();
    }

    std::shared_ptr<FakeXenApi> api_ = std::make_shared<FakeXenApi>();
    ConnectionSettings settings_;
};

TEST_F(CommandsTest, ListPrintsXmsColumns) {
    api_->add_running_vm("busybox", 3, 64, 2);
    auto run = xm({"list"});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out,
              "Name                                      ID   Mem VCPUs      State   Time(s)\n"
              "Domain-0                                   0   512     1     r-----      5.2\n"
              "busybox                                    3    64     2     -b----      3.0\n");
    EXPECT_EQ(settings_.server, kDefaultServer);
    EXPECT_EQ(settings_.password, "");
}

TEST_F(CommandsTest, ListSelectsByNameIdOrUuidAndFiltersByState) {
    api_->add_running_vm("busybox", 3, 64, 2);
    EXPECT_EQ(xm({"list", "3", "--names"}).out, "busybox\n");
    EXPECT_EQ(xm({"list", "busybox-uuid", "--names"}).out, "busybox\n");
    EXPECT_EQ(xm({"list", "--state=halted", "--names"}).out, "");
    auto missing = xm({"list", "nosuch"});
    EXPECT_EQ(missing.status, 1);
    EXPECT_EQ(missing.err, "Error: Domain 'nosuch' does not exist.\n");
}

TEST_F(CommandsTest, ListJsonIsMachineReadable) {
    api_->add_running_vm("busybox", 3, 64, 2);
    auto run = xm({"list", "--json", "busybox"});
    EXPECT_EQ(run.status, 0);
    EXPECT_NE(run.out.find("\"name\": \"busybox\""), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("\"domid\": 3"), std::string::npos);
    EXPECT_NE(run.out.find("\"memory_actual\": 67108864"), std::string::npos);
}

TEST_F(CommandsTest, CreateBuildsTheVmItsDisksAndVifsThenStartsIt) {
    auto run = xm({"create", std::string(TERN_SOURCE_DIR) + "/examples/busybox.cfg", "vcpus=1"});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "Started domain busybox\n");
    ASSERT_GE(api_->calls.size(), 5u);
    EXPECT_EQ(api_->calls[0], "VM.create busybox transient");
    EXPECT_EQ(api_->calls[1],
              "VDI.create OpaqueRef:sr busybox xvda 1073741824 "
              "file:/var/lib/tern/images/busybox-root.img");
    EXPECT_EQ(api_->calls[2], "VBD.create OpaqueRef:new1 OpaqueRef:vdi2 xvda RW");
    EXPECT_EQ(api_->calls[3], "VIF.create OpaqueRef:new1 OpaqueRef:net1 0 00:16:3e:00:00:01");
    EXPECT_EQ(api_->calls[4], "VM.start OpaqueRef:new1");
    EXPECT_EQ(api_->vms_.back().vcpus_max, 1);
}

TEST_F(CommandsTest, CreateUndoesEverythingWhenAStepFails) {
    api_->failures.emplace("VIF.create", ApiFailure("HANDLE_INVALID", {"network", "x"}));
    auto run = xm({"create", std::string(TERN_SOURCE_DIR) + "/examples/busybox.xml"});
    EXPECT_EQ(run.status, 1);
    EXPECT_EQ(run.err,
              "Error: HANDLE_INVALID: The reference does not name a live object of that class. "
              "(class: network, handle: x)\n");
    EXPECT_TRUE(called("VBD.destroy OpaqueRef:vbd3"));
    EXPECT_TRUE(called("VDI.destroy OpaqueRef:vdi2"));
    EXPECT_TRUE(called("VM.destroy OpaqueRef:new1"));
    EXPECT_EQ(api_->vms_.size(), 2u);
}

TEST_F(CommandsTest, CreateReportsConfigErrorsAndTouchesNothing) {
    auto run = xm({"create", std::string(TERN_SOURCE_DIR) + "/examples/busybox.cfg", "vcpus=x y"});
    EXPECT_EQ(run.status, 1);
    EXPECT_NE(run.err.find("command line: vcpus: expected a whole number"), std::string::npos)
        << run.err;
    EXPECT_TRUE(api_->calls.empty());
    auto usage = xm({"create", std::string(TERN_SOURCE_DIR) + "/examples/busybox.cfg", "oops"});
    EXPECT_EQ(usage.status, 2);
}

TEST_F(CommandsTest, NewDefinesWithoutStartingAndDeleteRemoves) {
    EXPECT_EQ(xm({"new", std::string(TERN_SOURCE_DIR) + "/examples/busybox.xml"}).status, 0);
    EXPECT_TRUE(called("VM.create busybox-xml"));
    EXPECT_FALSE(called("VM.start OpaqueRef:new1"));
    EXPECT_EQ(xm({"delete", "busybox-xml"}).status, 0);
    EXPECT_TRUE(called("VBD.destroy OpaqueRef:vbd3"));
    EXPECT_TRUE(called("VM.destroy OpaqueRef:new1"));
}

TEST_F(CommandsTest, PowerCommandsCallTheirMessages) {
    api_->add_running_vm("vm1", 3, 64, 1);
    EXPECT_EQ(xm({"pause", "vm1"}).status, 0);
    EXPECT_EQ(xm({"unpause", "3"}).status, 0);
    EXPECT_EQ(xm({"reboot", "vm1"}).status, 0);
    EXPECT_EQ(xm({"destroy", "vm1"}).status, 0);
    EXPECT_EQ(xm({"start", "-p", "vm1"}).status, 0);
    EXPECT_EQ(xm({"shutdown", "-w", "vm1"}).out, "Domain vm1 terminated\nAll domains terminated\n");
    EXPECT_EQ(api_->calls,
              (std::vector<std::string>{
                  "VM.pause OpaqueRef:vm1", "VM.unpause OpaqueRef:vm1",
                  "VM.clean_reboot OpaqueRef:vm1", "VM.hard_shutdown OpaqueRef:vm1",
                  "VM.start_paused OpaqueRef:vm1", "VM.clean_shutdown OpaqueRef:vm1"}));
}

TEST_F(CommandsTest, ShutdownAllSparesTheControlDomain) {
    api_->add_running_vm("a", 1, 64, 1);
    api_->add_running_vm("b", 2, 64, 1);
    EXPECT_EQ(xm({"shutdown", "-a"}).status, 0);
    EXPECT_EQ(api_->calls, (std::vector<std::string>{"VM.clean_shutdown OpaqueRef:a",
                                                     "VM.clean_shutdown OpaqueRef:b"}));
    EXPECT_EQ(xm({"shutdown"}).status, 2);
}

TEST_F(CommandsTest, ServerFailuresAreExplainedAndExitOne) {
    api_->add_running_vm("vm1", 3, 64, 1);
    api_->failures.emplace(
        "VM.pause", ApiFailure("VM_BAD_POWER_STATE", {"OpaqueRef:vm1", "running", "halted"}));
    auto run = xm({"pause", "vm1"});
    EXPECT_EQ(run.status, 1);
    EXPECT_EQ(run.err,
              "Error: VM_BAD_POWER_STATE: The VM is in the wrong power state for the operation. "
              "(vm: OpaqueRef:vm1, expected: running, actual: halted)\n");
    api_->failures.emplace("VM.unpause", ApiFailure("SOMETHING_NEW", {"a", "b"}));
    EXPECT_EQ(xm({"unpause", "vm1"}).err, "Error: SOMETHING_NEW (a, b)\n");
}

TEST_F(CommandsTest, MemoryAndVcpuSettings) {
    api_->add_running_vm("vm1", 3, 64, 2);
    EXPECT_EQ(xm({"mem-set", "vm1", "96"}).status, 0);
    EXPECT_EQ(xm({"mem-max", "vm1", "256"}).status, 0);
    EXPECT_EQ(xm({"vcpu-set", "vm1", "1"}).status, 0);
    EXPECT_EQ(xm({"vcpu-pin", "vm1", "all", "0-1"}).status, 0);
    EXPECT_EQ(xm({"sched-credit", "-d", "vm1", "-w", "512", "-c", "50"}).status, 0);
    EXPECT_EQ(api_->calls,
              (std::vector<std::string>{"VM.set_memory_dynamic_live OpaqueRef:vm1 100663296",
                                        "VM.set_memory_static_max OpaqueRef:vm1 268435456",
                                        "VM.set_VCPUs_number_live OpaqueRef:vm1 1",
                                        "VM.add_to_VCPUs_params_live OpaqueRef:vm1 cpumap0=0-1",
                                        "VM.add_to_VCPUs_params_live OpaqueRef:vm1 cpumap1=0-1",
                                        "VM.add_to_VCPUs_params_live OpaqueRef:vm1 weight=512",
                                        "VM.add_to_VCPUs_params_live OpaqueRef:vm1 cap=50"}));
    EXPECT_EQ(xm({"mem-set", "vm1", "lots"}).status, 2);
    EXPECT_EQ(xm({"vcpu-pin", "vm1", "0", "x"}).status, 2);
    EXPECT_EQ(xm({"sched-credit", "-w", "5"}).status, 2);
    auto show = xm({"sched-credit", "-d", "vm1"});
    EXPECT_EQ(show.out,
              "Name                                ID Weight  Cap\n"
              "vm1                                  3    512   50\n");
}

TEST_F(CommandsTest, VcpuListShowsAffinity) {
    api_->add_running_vm("vm1", 3, 64, 2);
    api_->vms_.back().vcpus_params["cpumap1"] = "2-3";
    auto run = xm({"vcpu-list", "vm1"});
    EXPECT_EQ(run.out,
              "Name                                ID  VCPU   CPU State   Time(s) CPU Affinity\n"
              "vm1                                  3     0     0   -b-       1.5 any cpu\n"
              "vm1                                  3     1     1   -b-       1.5 2-3\n");
}

TEST_F(CommandsTest, DomidDomnameRename) {
    api_->add_running_vm("vm1", 3, 64, 1);
    EXPECT_EQ(xm({"domid", "vm1"}).out, "3\n");
    EXPECT_EQ(xm({"domname", "3"}).out, "vm1\n");
    EXPECT_EQ(xm({"rename", "vm1", "vm2"}).status, 0);
    EXPECT_EQ(xm({"domname", "3"}).out, "vm2\n");
}

TEST_F(CommandsTest, BlockAndNetworkDevices) {
    api_->add_running_vm("vm1", 3, 64, 1);
    EXPECT_EQ(xm({"block-attach", "vm1", "file:/srv/d.img", "xvdb", "r"}).status, 0);
    EXPECT_TRUE(called("VBD.create OpaqueRef:vm1 OpaqueRef:vdi1 xvdb RO"));
    auto list = xm({"block-list", "vm1"});
    EXPECT_EQ(list.out,
              "Vdev     Mode  Type  Attached  UUID\n"
              "xvdb     RO    Disk  no        vbd-uuid-2\n");
    EXPECT_EQ(xm({"block-detach", "vm1", "xvdb"}).status, 0);
    EXPECT_EQ(xm({"block-detach", "vm1", "xvdb"}).err,
              "Error: Device xvdb not connected to domain vm1\n");
    EXPECT_EQ(xm({"block-attach", "vm1", "/srv/d.img", "xvdb", "r"}).status, 2);

    EXPECT_EQ(xm({"network-attach", "vm1", "mac=00:16:3e:00:00:07", "bridge=xenbr0"}).status, 0);
    EXPECT_TRUE(called("VIF.create OpaqueRef:vm1 OpaqueRef:net1 0 00:16:3e:00:00:07"));
    EXPECT_EQ(xm({"network-list", "vm1"}).out,
              "Idx   MAC               MTU   Attached  UUID\n"
              "0     00:16:3e:00:00:07 1500  no        vif-uuid-3\n");
    EXPECT_EQ(xm({"network-detach", "vm1", "0"}).status, 0);
    EXPECT_EQ(xm({"network-attach", "vm1", "bridge=nosuch"}).err,
              "Error: no network is named 'nosuch' or uses the bridge 'nosuch'\n");
}

TEST_F(CommandsTest, StorageCommands) {
    auto created = xm({"vdi-create", "scratch", "64M"});
    EXPECT_EQ(created.status, 0) << created.err;
    EXPECT_EQ(created.out, "vdi-uuid-1\n");
    EXPECT_TRUE(called("VDI.create OpaqueRef:sr scratch 67108864"));
    EXPECT_EQ(xm({"vdi-list"}).out,
              "Name                     UUID                                       Size Type\n"
              "scratch                  vdi-uuid-1                             64.0 MiB user\n");
    EXPECT_EQ(xm({"sr-list"}).out,
              "Name                     UUID                                 Type           Size "
              "      Used\n"
              "Local storage            sr-uuid                              file       10.0 GiB "
              "   1.0 GiB\n");
    auto copy = xm({"vdi-copy", "scratch"});
    EXPECT_EQ(copy.status, 0) << copy.err;
    EXPECT_EQ(copy.out, "Copying scratch: 100%\nvdi-uuid-2\n");
    EXPECT_TRUE(called("Async.VDI.copy OpaqueRef:vdi1 OpaqueRef:sr"));
    EXPECT_EQ(xm({"vdi-destroy", "vdi-uuid-2"}).status, 0);
    EXPECT_EQ(xm({"vdi-destroy", "scratch"}).status, 0);
    EXPECT_EQ(xm({"vdi-destroy", "scratch"}).status, 1);
    EXPECT_EQ(xm({"vdi-create", "x", "lots"}).status, 2);
}

TEST_F(CommandsTest, LongOperationsFollowTheirTask) {
    api_->add_running_vm("vm1", 3, 64, 1);
    api_->tasks_ = {{"t", "pending", 0.0, "", {}},
                    {"t", "pending", 0.5, "", {}},
                    {"t", "success", 1.0, "", {}}};
    auto run = xm({"save", "vm1", "/tmp/vm1.save"});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "Saving vm1: 0%\nSaving vm1: 50%\nSaving vm1: 100%\n");
    EXPECT_TRUE(called("task.destroy OpaqueRef:task"));
    api_->tasks_ = {{"t", "failure", 0.2, "", {"VM_BAD_POWER_STATE", "r", "running", "halted"}}};
    auto failed = xm({"restore", "/tmp/vm1.save"});
    EXPECT_EQ(failed.status, 1);
    EXPECT_NE(failed.err.find("VM_BAD_POWER_STATE"), std::string::npos);
    EXPECT_EQ(xm({"migrate", "--live", "vm1", "host2"}).status, 0);
    EXPECT_TRUE(called("Async.VM.migrate OpaqueRef:vm1 host2 live"));
}

TEST_F(CommandsTest, HostCommands) {
    auto info = xm({"info"});
    EXPECT_EQ(info.status, 0);
    EXPECT_NE(info.out.find("nr_cpus                : 4\n"), std::string::npos) << info.out;
    EXPECT_NE(info.out.find("total_memory           : 4096\n"), std::string::npos);
    EXPECT_EQ(xm({"dmesg", "-c"}).out, "(XEN) Tern booted\n");
    EXPECT_TRUE(called("host.dmesg_clear"));
    EXPECT_EQ(xm({"log"}).out, "xapid: ready\n");
}

TEST_F(CommandsTest, ConsoleAndDumpCoreReportWhatTheServerLacks) {
    api_->add_running_vm("vm1", 3, 64, 1);
    auto console = xm({"console", "vm1"});
    EXPECT_EQ(console.status, 1);
    EXPECT_TRUE(called("console_connect https://host/console?ref=OpaqueRef:vm1"));
    EXPECT_EQ(xm({"dump-core", "-L", "vm1", "/tmp/vm1.core"}).status, 0);
    EXPECT_TRUE(called("VM.dump_core OpaqueRef:vm1 /tmp/vm1.core live"));
    api_->failures.emplace("VM.dump_core", ApiFailure("MESSAGE_METHOD_UNKNOWN", {"VM.dump_core"}));
    auto core = xm({"dump-core", "vm1"});
    EXPECT_EQ(core.status, 1);
    EXPECT_EQ(core.err, "Error: MESSAGE_METHOD_UNKNOWN: No such method. (method: VM.dump_core)\n");
}

TEST_F(CommandsTest, ConsoleRelaysTheConsoleUntilItCloses) {
    api_->add_running_vm("vm1", 3, 64, 1);
    api_->console_text_ = "Debian GNU/Linux 12 vm1 hvc0\n\nvm1 login: ";
    auto run = xm({"console", "vm1"});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "Debian GNU/Linux 12 vm1 hvc0\n\nvm1 login: \n");
    api_->vms_.back().power_state = "Halted";
    EXPECT_EQ(xm({"console", "vm1"}).err, "Error: Domain vm1 is not running.\n");
}

TEST_F(CommandsTest, TopInBatchModePrintsTheTable) {
    api_->add_running_vm("vm1", 3, 64, 1);
    auto run = xm({"top", "-b", "-i", "1"});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_NE(run.out.find("NAME  STATE   CPU(sec) CPU(%)"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("vm1 -b----"), std::string::npos) << run.out;
}

TEST_F(CommandsTest, UptimeOfRunningDomains) {
    api_->add_running_vm("vm1", 3, 64, 1);
    auto run = xm({"uptime", "vm1"});
    EXPECT_EQ(run.status, 0);
    EXPECT_EQ(run.out.substr(0, 50), "Name                                ID Uptime\nvm1 ");
}

}  // namespace
}  // namespace tern::cli
