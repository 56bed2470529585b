// image_io_for_test: drives tern_diskimage for the interoperability tests.
//
//   image_io_for_test IMAGE [--format F]        commands on stdin, one per line:
//       w OFFSET LENGTH   then LENGTH raw bytes: write them     -> "ok"
//       r OFFSET LENGTH   read                                  -> LENGTH raw bytes
//       d OFFSET LENGTH   discard                               -> "ok"
//       z OFFSET LENGTH   known_zero                            -> "1" or "0"
//       f                 flush                                 -> "ok"
//       s SIZE            resize                                -> "ok"
//   image_io_for_test IMAGE --stress SEED THREADS
//       random writes, discards and flushes from THREADS threads until killed (crash test).
// Errors go to stderr as "error: ..." and end the process with status 1.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "diskimage/image_error.hpp"
#include "diskimage/image_open.hpp"

namespace di = tern::dom0::diskimage;

namespace {

void serve(di::DiskImage& image) {
    std::string line;
    while (std::getline(std::cin, line)) {
        char op = 0;
        unsigned long long a = 0;
        unsigned long long b = 0;
        if (std::sscanf(line.c_str(), "%c %llu %llu", &op, &a, &b) < 1) {
            throw std::runtime_error("bad command: " + line);
        }
        if (op == 'w') {
            std::vector<std::byte> data(b);
            std::cin.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(b));
            image.write(a, data);
            std::cout << "ok\n";
        } else if (op == 'r') {
            std::vector<std::byte> data(b);
            image.read(a, data);
            std::cout.write(reinterpret_cast<const char*>(data.data()),
                            static_cast<std::streamsize>(b));
        } else if (op == 'd') {
            image.discard(a, b);
            std::cout << "ok\n";
        } else if (op == 'z') {
            std::cout << (image.known_zero(a, b) ? "1\n" : "0\n");
        } else if (op == 'f') {
            image.flush();
            std::cout << "ok\n";
        } else if (op == 's') {
            image.resize(a);
            std::cout << "ok\n";
        } else {
            throw std::runtime_error("unknown command: " + line);
        }
        std::cout.flush();
    }
}

[[noreturn]] void stress(di::DiskImage& image, unsigned seed, unsigned threads) {
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
        workers.emplace_back([&image, seed, t] {
            std::mt19937_64 random(seed * 1000 + t);
            const std::uint64_t size = image.virtual_size();
            std::vector<std::byte> data(1 << 20);
            for (std::uint64_t n = 0;; ++n) {
                const std::uint64_t length = 1 + random() % (data.size() / 4);
                const std::uint64_t offset = random() % (size - length);
                const int kind = static_cast<int>(random() % 16);
                if (kind == 0) {
                    image.discard(offset, length);
                } else if (kind == 1) {
                    image.flush();
                } else {
                    std::memset(data.data(), static_cast<int>(n & 0xff), length);
                    image.write(offset, std::span(data).first(length));
                }
            }
        });
    }
    for (std::thread& worker : workers) {
        worker.join();
    }
    std::exit(0);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: image_io_for_test IMAGE [--format F | --stress SEED THREADS]\n";
        return 2;
    }
    std::ios::sync_with_stdio(false);
    try {
        di::OpenOptions options;
        options.writable = true;
        options.l2_cache_bytes = 256 << 10;  // small, so that eviction is exercised
        std::optional<di::ImageFormat> format;
        if (argc >= 4 && std::strcmp(argv[2], "--format") == 0) {
            format = di::parse_format(argv[3], "--format");
        }
        const auto image = di::open_image(argv[1], options, format);
        if (argc >= 5 && std::strcmp(argv[2], "--stress") == 0) {
            stress(*image, static_cast<unsigned>(std::stoul(argv[3])),
                   static_cast<unsigned>(std::stoul(argv[4])));
        }
        serve(*image);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
