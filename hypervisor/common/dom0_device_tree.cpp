// Rewriting the host tree for dom0.
#include "common/dom0_device_tree.hpp"

#include "lib/fdt_writer.hpp"

namespace tern::hv {
namespace {

constexpr int kMaxDepth = 16;

class Rewriter {
  public:
    Rewriter(const lib::Fdt& host, const Dom0TreeParams& p, lib::FdtWriter& w)
        : host_(host), p_(p), w_(w) {}

    Status run() {
        copy(host_.root(), host_.root(), 0, "");
        return status_;
    }

  private:
    void note(Status s) {
        if (status_ == Status::ok && s != Status::ok)
            status_ = s;
    }

    bool is_hypervisor_uart(lib::Fdt::Node parent, lib::Fdt::Node node) const {
        if (p_.hypervisor_uart == 0 || !host_.is_compatible(node, "arm,pl011"))
            return false;
        auto r = host_.reg(parent, node, 0);
        return r && r->address == p_.hypervisor_uart;
    }

    bool skip_child(lib::Fdt::Node parent, lib::Fdt::Node node,
                    std::string_view parent_path) const {
        const std::string_view name = host_.name(node);
        if (parent_path.empty()) {
            if (host_.string_property(node, "device_type") == std::string_view("memory"))
                return true;
            if (name == "hypervisor")
                return true;  // ours replaces any
            if (is_hypervisor_uart(parent, node))
                return true;
        }
        if (parent_path == "/chosen")
            return true;  // boot modules are the hypervisor's business
        // dom0's GIC is the virtual one: no ITS (no LPIs) and no PMU interrupt behind it.
        if (host_.is_compatible(node, "arm,gic-v3-its") ||
            host_.is_compatible(node, "arm,armv8-pmuv3"))
            return true;
        if (parent_path == "/cpus") {
            if (host_.string_property(node, "device_type") != std::string_view("cpu"))
                return true;
            auto r = host_.reg(parent, node, 0);
            return !r || r->address >= p_.vcpus;
        }
        return false;
    }

    void copy_properties(lib::Fdt::Node node, std::string_view path) {
        const bool gic = host_.is_compatible(node, "arm,gic-v3");
        host_.for_each_property(node,
                                [&](std::string_view name, std::span<const std::uint8_t> value) {
                                    if (path == "/chosen") {
                                        // Only what dom0 needs; its command line and initrd are
                                        // written below.
                                        if (name == "kaslr-seed" || name == "stdout-path")
                                            note(w_.property(name, value));
                                        return true;
                                    }
                                    // The GIC's maintenance interrupt is the hypervisor's.
                                    if (name == "interrupts" && gic) {
                                        return true;
                                    }
                                    if (path == "/psci" && name == "method") {
                                        note(w_.property_string("method", "hvc"));
                                        return true;
                                    }
                                    note(w_.property(name, value));
                                    return true;
                                });
    }

    void write_chosen_extras() {
        if (!p_.bootargs.empty())
            note(w_.property_string("bootargs", p_.bootargs));
        if (p_.initrd_start != 0) {
            note(w_.property_u64("linux,initrd-start", p_.initrd_start));
            note(w_.property_u64("linux,initrd-end", p_.initrd_end));
        }
    }

    void write_root_extras() {
        for (const MemoryBank& b : p_.ram) {
            char name[32] = "memory@";
            std::size_t n = 7;
            char hex[16];
            std::size_t h = 0;
            std::uint64_t v = b.base;
            do {
                hex[h++] = "0123456789abcdef"[v & 0xf];
                v >>= 4;
            } while (v != 0);
            while (h > 0)
                name[n++] = hex[--h];
            note(w_.begin_node(std::string_view(name, n)));
            note(w_.property_string("device_type", "memory"));
            const std::uint32_t reg[] = {
                static_cast<std::uint32_t>(b.base >> 32), static_cast<std::uint32_t>(b.base),
                static_cast<std::uint32_t>(b.size >> 32), static_cast<std::uint32_t>(b.size)};
            note(w_.property_cells("reg", reg));
            note(w_.end_node());
        }
        note(w_.begin_node("hypervisor"));
        static constexpr char kCompatible[] = "xen,xen-4.17\0xen,xen";
        note(w_.property("compatible", std::span<const std::uint8_t>(
                                           reinterpret_cast<const std::uint8_t*>(kCompatible),
                                           sizeof kCompatible)));
        const std::uint64_t gb = p_.grant_table_base;
        const std::uint64_t gs = p_.grant_table_size;
        const std::uint32_t reg[] = {
            static_cast<std::uint32_t>(gb >> 32), static_cast<std::uint32_t>(gb),
            static_cast<std::uint32_t>(gs >> 32), static_cast<std::uint32_t>(gs)};
        note(w_.property_cells("reg", reg));
        // A PPI, level-sensitive, active low to all CPUs: the GIC binding's three cells.
        const std::uint32_t interrupts[] = {1, p_.event_ppi, 0xf08};
        note(w_.property_cells("interrupts", interrupts));
        if (auto parent = host_.u32_property(host_.root(), "interrupt-parent")) {
            note(w_.property_u32("interrupt-parent", *parent));
        }
        note(w_.end_node());
    }

    void copy(lib::Fdt::Node parent, lib::Fdt::Node node, int depth, std::string_view path) {
        if (depth > kMaxDepth)
            return note(Status::bad_format);
        note(w_.begin_node(host_.name(node)));
        copy_properties(node, depth == 0 ? std::string_view("/") : path);
        if (path == "/chosen")
            write_chosen_extras();
        char child_path[128];
        host_.for_each_child(node, [&](lib::Fdt::Node child) {
            if (skip_child(node, child, depth == 0 ? std::string_view() : path))
                return true;
            // The path of a child: parent path + "/" + name, truncated safely.
            const std::string_view name = host_.name(child);
            std::size_t n = 0;
            for (char c : path) {
                if (n < sizeof child_path)
                    child_path[n++] = c;
            }
            if (n < sizeof child_path)
                child_path[n++] = '/';
            for (char c : name) {
                if (n < sizeof child_path)
                    child_path[n++] = c;
            }
            copy(node, child, depth + 1, std::string_view(child_path, n));
            return status_ == Status::ok;
        });
        if (depth == 0)
            write_root_extras();
        note(w_.end_node());
        (void)parent;
    }

    const lib::Fdt& host_;
    const Dom0TreeParams& p_;
    lib::FdtWriter& w_;
    Status status_ = Status::ok;
};

}  // namespace

Result<std::size_t> write_dom0_device_tree(const lib::Fdt& host, const Dom0TreeParams& params,
                                           std::span<std::uint8_t> out) {
    if (params.ram.empty() || params.vcpus == 0)
        return Status::invalid_argument;
    lib::FdtWriter writer(out);
    Rewriter rewriter(host, params, writer);
    const Status s = rewriter.run();
    if (s != Status::ok)
        return s;
    return writer.finish();
}

}  // namespace tern::hv
