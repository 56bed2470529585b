// The formatted writer.
#include "lib/format.hpp"

namespace tern::lib {

Out& Out::operator<<(std::string_view text) {
    sink_.write(text);
    return *this;
}

Out& Out::operator<<(std::uint64_t value) {
    char digits[20];
    std::size_t n = 0;
    do {
        digits[sizeof digits - 1 - n++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    sink_.write(std::string_view(digits + sizeof digits - n, n));
    return *this;
}

Out& Out::operator<<(int value) {
    if (value < 0) {
        sink_.write("-");
        return *this << static_cast<std::uint64_t>(-static_cast<std::int64_t>(value));
    }
    return *this << static_cast<std::uint64_t>(value);
}

Out& Out::operator<<(Hex hex) {
    static constexpr char kDigits[] = "0123456789abcdef";
    char out[18] = {'0', 'x'};
    std::size_t n = 0;
    std::uint64_t v = hex.value;
    char rev[16];
    do {
        rev[n++] = kDigits[v & 0xf];
        v >>= 4;
    } while (v != 0);
    for (std::size_t i = 0; i < n; ++i)
        out[2 + i] = rev[n - 1 - i];
    sink_.write(std::string_view(out, 2 + n));
    return *this;
}

Out& Out::operator<<(Bytes bytes) {
    static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    std::uint64_t v = bytes.value;
    std::size_t unit = 0;
    while (unit + 1 < sizeof kUnits / sizeof kUnits[0] && v >= 1024 && v % 1024 == 0) {
        v /= 1024;
        ++unit;
    }
    return *this << v << " " << kUnits[unit];
}

void BufferSink::write(std::string_view text) {
    for (char c : text) {
        if (used_ < size_)
            buffer_[used_++] = c;
    }
}

}  // namespace tern::lib
