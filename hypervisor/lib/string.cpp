// The C library functions the compiler may call on its own in freestanding code (struct
// copies, zeroing), for the image only: host builds use the C library's.
#include <cstddef>

extern "C" {

void* memcpy(void* dest, const void* src, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dest);
    const auto* s = static_cast<const unsigned char*>(src);
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
