// disk_io_bench: times one I/O pattern on a disk image through tern_diskimage, the way
// `qemu-img bench` times its own, so that run.sh can compare the two on the same file.
//
//   disk_io_bench [--write] [-s buffer_size] [-c count] [-S step] [--random] [-t threads] image
//
// Requests go to offsets 0, step, 2*step, ... modulo the image size (qemu-img bench's
// pattern; step defaults to the buffer size: sequential), or with --random to uniformly random
// buffer-aligned offsets (a pattern qemu-img bench does not have). `-t` requesters share the
// count, each with its own slice of the pattern. It prints the elapsed seconds, MB/s and IOPS.
// The image is flushed after the timed part, as qemu-img bench (without --flush-interval)
// flushes only when it closes the image.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "diskimage/image_error.hpp"
#include "diskimage/image_open.hpp"

namespace di = tern::dom0::diskimage;

namespace {

struct Options {
    bool write = false;
    bool random = false;
    std::uint64_t buffer = 4096;
    std::uint64_t count = 75000;
    std::uint64_t step = 0;  // 0: the buffer size
    unsigned threads = 1;
    std::string image;
};

[[noreturn]] void usage() {
    std::fprintf(stderr,
                 "usage: disk_io_bench [--write] [-s buffer_size] [-c count] [-S step] "
                 "[--random] [-t threads] image\n");
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto number = [&] {
            if (i + 1 >= argc)
                usage();
            return std::stoull(argv[++i]);
        };
        if (a == "--write" || a == "-w") {
            o.write = true;
        } else if (a == "--random") {
            o.random = true;
        } else if (a == "-s") {
            o.buffer = number();
        } else if (a == "-c") {
            o.count = number();
        } else if (a == "-S") {
            o.step = number();
        } else if (a == "-t") {
            o.threads = static_cast<unsigned>(number());
        } else if (!a.empty() && a[0] != '-' && o.image.empty()) {
            o.image = a;
        } else {
            usage();
        }
    }
    if (o.image.empty() || o.buffer == 0 || o.threads == 0)
        usage();
    if (o.step == 0)
        o.step = o.buffer;
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    try {
        di::OpenOptions open;
        open.writable = o.write;
        auto image = di::open_image(o.image, open);
        const std::uint64_t size = image->virtual_size();
        const std::uint64_t slots = size / o.buffer;
        if (slots == 0) {
            std::fprintf(stderr, "disk_io_bench: the image is smaller than one buffer\n");
            return 1;
        }
        const auto start = std::chrono::steady_clock::now();
        std::vector<std::thread> threads;
        for (unsigned t = 0; t < o.threads; ++t) {
            threads.emplace_back([&, t] {
                std::vector<std::byte> buffer(o.buffer, std::byte{0x5a});
                std::mt19937_64 rng(1234 + t);
                std::uniform_int_distribution<std::uint64_t> slot(0, slots - 1);
                for (std::uint64_t i = t; i < o.count; i += o.threads) {
                    std::uint64_t offset = o.random ? slot(rng) * o.buffer : (i * o.step) % size;
                    if (offset + o.buffer > size)
                        offset = 0;
                    if (o.write) {
                        image->write(offset, buffer);
                    } else {
                        image->read(offset, buffer);
                    }
                }
            });
        }
        for (std::thread& t : threads)
            t.join();
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (o.write)
            image->flush();
        const double bytes = static_cast<double>(o.count) * static_cast<double>(o.buffer);
        std::printf("seconds=%.6f mbps=%.1f iops=%.0f\n", seconds, bytes / seconds / 1e6,
                    static_cast<double>(o.count) / seconds);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "disk_io_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
