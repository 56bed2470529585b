#include "dom0/builder/domain_builder.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "dom0/builder/guest_device_tree.hpp"
#include "dom0/control/control_error.hpp"
#include "dom0/control/foreign_mapping.hpp"
#include "public/tern_control.h"

namespace tern::dom0 {

namespace {

constexpr std::uint64_t kPage = 4096;
constexpr std::uint64_t k2MiB = 2ull << 20;
constexpr std::size_t kCopyWindowPages = 256;  // 1 MiB of the guest mapped at a time
constexpr std::uint64_t kMagicPages = 4;       // console, xenstore, and two spare

// A file mapped read-only with every page present (MAP_POPULATE), so that the hypervisor
// copies it straight from the page cache: no read() into a buffer first.
class MappedFile {
  public:
    MappedFile(const std::string& path, const char* what) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        struct stat st {};
        if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            if (fd >= 0)
                ::close(fd);
            throw std::runtime_error(std::string("cannot read the ") + what + " '" + path + "'");
        }
        size_ = static_cast<std::size_t>(st.st_size);
        if (size_ != 0) {
            address_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
            if (address_ == MAP_FAILED) {
                const int error = errno;
                ::close(fd);
                throw std::runtime_error(std::string("cannot map the ") + what + " '" + path +
                                         "': " + std::strerror(error));
            }
        }
        ::close(fd);
    }
    ~MappedFile() {
        if (size_ != 0)
            ::munmap(address_, size_);
    }
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::span<const std::uint8_t> bytes() const {
        return {static_cast<const std::uint8_t*>(address_), size_};
    }

  private:
    void* address_ = nullptr;
    std::size_t size_ = 0;
};

std::uint64_t le64(std::span<const std::uint8_t> b, std::size_t at) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | b[at + static_cast<std::size_t>(i)];
    return v;
}

}  // namespace

// TERN_BUILDER_TRACE=1: each phase of a build and its time, on stderr.
class PhaseTrace {
  public:
    PhaseTrace() {
        const char* on = std::getenv("TERN_BUILDER_TRACE");
        enabled_ = on != nullptr && std::string(on) == "1";
        last_ = start_ = std::chrono::steady_clock::now();
    }
    void done(const char* phase) {
        if (!enabled_)
            return;
        const auto now = std::chrono::steady_clock::now();
        std::fprintf(stderr, "builder: %-22s %8.3f ms (at %8.3f ms)\n", phase,
                     std::chrono::duration<double, std::milli>(now - last_).count(),
                     std::chrono::duration<double, std::milli>(now - start_).count());
        last_ = now;
    }

  private:
    bool enabled_ = false;
    std::chrono::steady_clock::time_point start_, last_;
};

Arm64Image read_arm64_image_header(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < 64 || bytes[56] != 'A' || bytes[57] != 'R' || bytes[58] != 'M' ||
        bytes[59] != 0x64)
        throw std::runtime_error("the kernel is not an arm64 Image (no ARM\\x64 magic)");
    Arm64Image image;
    image.text_offset = le64(bytes, 8);
    image.image_size = le64(bytes, 16) != 0 ? le64(bytes, 16) : bytes.size();
    if (image.image_size < bytes.size())
        image.image_size = bytes.size();
    return image;
}

void DomainBuilder::copy_in(std::uint32_t domain, std::uint64_t at,
                            std::span<const std::uint8_t> bytes) {
    if (!map_to_copy_) {
        try {
            control_.write_memory(domain, at, bytes);  // the hypervisor copies: one copy
            return;
        } catch (const ControlError& e) {
            if (e.error() != EOPNOTSUPP)
                throw;
            map_to_copy_ = true;  // an older hypervisor: map the pages and copy here
        }
    }
    std::uint64_t done = 0;
    while (done < bytes.size()) {
        const std::uint64_t address = at + done;
        const std::uint64_t first = address / kPage;
        const std::uint64_t in_page = address % kPage;
        const std::uint64_t left = bytes.size() - done;
        const std::uint64_t pages =
            std::min<std::uint64_t>(kCopyWindowPages, (in_page + left + kPage - 1) / kPage);
        std::vector<std::uint64_t> gfns(pages);
        for (std::uint64_t i = 0; i < pages; ++i)
            gfns[i] = first + i;
        ForeignMapping window(privcmd_, domain, gfns);
        const std::uint64_t n = std::min<std::uint64_t>(left, pages * kPage - in_page);
        std::copy_n(bytes.data() + done, n, window.data() + in_page);
        done += n;
    }
}

BuiltDomain DomainBuilder::build(const GuestConfig& config) {
    DomainLimits limits;
    limits.max_vcpus = config.vcpus;
    limits.handle = config.handle;
    limits.max_memory_kib = config.memory_mib * 1024 + kMagicPages * 4;
    PhaseTrace trace;
    const std::uint32_t domain = control_.create(limits);
    trace.done("create the domain");
    try {
        return build_into(domain, config, trace);
    } catch (...) {
        try {
            control_.destroy(domain);  // nothing half-built is left behind
        } catch (const ControlError&) {
        }
        throw;
    }
}

BuiltDomain DomainBuilder::build_into(std::uint32_t domain, const GuestConfig& config,
                                      PhaseTrace& trace) {
    const MappedFile kernel_file(config.kernel, "kernel");
    const std::span<const std::uint8_t> kernel = kernel_file.bytes();
    const Arm64Image image = read_arm64_image_header(kernel);
    std::optional<MappedFile> ramdisk_file;
    std::span<const std::uint8_t> ramdisk;
    if (!config.ramdisk.empty())
        ramdisk = ramdisk_file.emplace(config.ramdisk, "ramdisk").bytes();
    trace.done("read kernel, ramdisk");

    const std::uint64_t ram_base = TERN_GUEST_RAM0_BASE;
    const std::uint64_t ram_size = config.memory_mib << 20;
    // The kernel at the bottom, the tree in the last 2 MiB, the ramdisk below it on a 2 MiB
    // boundary (as Tern places dom0's).
    BuiltDomain built;
    built.domain = domain;
    built.kernel_entry = ram_base + image.text_offset;
    built.device_tree = ram_base + ram_size - k2MiB;
    std::uint64_t kernel_limit = built.device_tree;
    if (!ramdisk.empty()) {
        if (ramdisk.size() > built.device_tree - ram_base)
            throw std::runtime_error("the ramdisk does not fit in " +
                                     std::to_string(config.memory_mib) + " MiB");
        built.initrd = (built.device_tree - ramdisk.size()) & ~(k2MiB - 1);
        kernel_limit = built.initrd;
    }
    if (built.kernel_entry + image.image_size > kernel_limit)
        throw std::runtime_error("the kernel (" + std::to_string(image.image_size >> 20) +
                                 " MiB with its BSS) and ramdisk do not fit in " +
                                 std::to_string(config.memory_mib) + " MiB");

    control_.populate(domain, ram_base / kPage, ram_size / kPage);
    control_.populate(domain, TERN_GUEST_MAGIC_BASE / kPage, kMagicPages);
    trace.done("populate RAM");

    copy_in(domain, built.kernel_entry, kernel);
    trace.done("load the kernel");
    if (!ramdisk.empty())
        copy_in(domain, built.initrd, ramdisk);
    trace.done("load the ramdisk");
    GuestTreeParams tree;
    tree.ram_size = ram_size;
    tree.vcpus = config.vcpus;
    tree.bootargs = config.extra;
    if (!ramdisk.empty()) {
        tree.initrd_start = built.initrd;
        tree.initrd_end = built.initrd + ramdisk.size();
    }
    copy_in(domain, built.device_tree, write_guest_device_tree(tree));

    built.console_gfn = TERN_GUEST_MAGIC_BASE / kPage;
    built.store_gfn = built.console_gfn + 1;
    built.console_port = control_.alloc_unbound(domain, 0);
    built.store_port = control_.alloc_unbound(domain, 0);
    control_.set_hvm_param(domain, kHvmParamConsolePfn, built.console_gfn);
    control_.set_hvm_param(domain, kHvmParamConsoleEvtchn, built.console_port);
    control_.set_hvm_param(domain, kHvmParamStorePfn, built.store_gfn);
    control_.set_hvm_param(domain, kHvmParamStoreEvtchn, built.store_port);
    control_.set_vcpu_context(domain, 0, built.kernel_entry, built.device_tree);
    trace.done("tree, rings, vCPU 0");
    return built;
}

}  // namespace tern::dom0
