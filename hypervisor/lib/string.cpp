// The C library functions the compiler may call on its own in freestanding code (struct
// copies, zeroing), for the image only: host builds use the C library's.
#include <cstddef>
#include <cstdint>

extern "C" {

void* memcpy(void* dest, const void* src, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dest);
    const auto* s = static_cast<const unsigned char*>(src);
    // Eight bytes at a time once both are aligned alike (the image is built with strict
    // alignment): page and struct copies are, and bytes would cost eight times the loads.
    if (((reinterpret_cast<std::uintptr_t>(d) ^ reinterpret_cast<std::uintptr_t>(s)) & 7) == 0) {
        while (n > 0 && (reinterpret_cast<std::uintptr_t>(d) & 7) != 0) {
            *d++ = *s++;
            --n;
        }
        auto* dw = reinterpret_cast<std::uint64_t*>(d);
        const auto* sw = reinterpret_cast<const std::uint64_t*>(s);
        for (; n >= 32; n -= 32, dw += 4, sw += 4) {
            const std::uint64_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];
            dw[0] = a;
            dw[1] = b;
            dw[2] = c;
            dw[3] = e;
        }
        for (; n >= 8; n -= 8)
            *dw++ = *sw++;
        d = reinterpret_cast<unsigned char*>(dw);
        s = reinterpret_cast<const unsigned char*>(sw);
    }
    for (std::size_t i = 0; i < n; ++i)
        d[i] = s[i];
    return dest;
}

void* memmove(void* dest, const void* src, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dest);
    const auto* s = static_cast<const unsigned char*>(src);
    if (d < s) {
        for (std::size_t i = 0; i < n; ++i)
            d[i] = s[i];
    } else {
        for (std::size_t i = n; i > 0; --i)
            d[i - 1] = s[i - 1];
    }
    return dest;
}

void* memset(void* dest, int value, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dest);
    while (n > 0 && (reinterpret_cast<std::uintptr_t>(d) & 7) != 0) {
        *d++ = static_cast<unsigned char>(value);
        --n;
    }
    const std::uint64_t word = 0x0101010101010101ull * static_cast<unsigned char>(value);
    auto* dw = reinterpret_cast<std::uint64_t*>(d);
    for (; n >= 8; n -= 8)
        *dw++ = word;
    d = reinterpret_cast<unsigned char*>(dw);
    for (std::size_t i = 0; i < n; ++i)
        d[i] = static_cast<unsigned char>(value);
    return dest;
}

int memcmp(const void* a, const void* b, std::size_t n) {
    const auto* x = static_cast<const unsigned char*>(a);
    const auto* y = static_cast<const unsigned char*>(b);
    for (std::size_t i = 0; i < n; ++i) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

std::size_t strlen(const char* s) {
    std::size_t n = 0;
    while (s[n] != '\0')
        ++n;
    return n;
}

}  // extern "C"

extern "C" void* memchr(const void* s, int c, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(s);
    for (std::size_t i = 0; i < n; ++i) {
        if (p[i] == static_cast<unsigned char>(c))
            return const_cast<unsigned char*>(p + i);
    }
    return nullptr;
}
