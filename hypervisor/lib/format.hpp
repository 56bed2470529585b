// Defines Out, a tiny formatted writer for the hypervisor's console and logs: text, decimal
// and hexadecimal numbers, with no allocation, onto any Sink.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tern::lib {

class Sink {
  public:
    virtual void write(std::string_view text) = 0;

  protected:
    ~Sink() = default;
};

struct Hex {
    std::uint64_t value;
};

// Bytes as "512 MiB", "4 KiB" or "123 B" (exact multiples only).
struct Bytes {
    std::uint64_t value;
};

class Out {
  public:
    explicit Out(Sink& sink) : sink_(sink) {}
    Out& operator<<(std::string_view text);
    Out& operator<<(const char* text) { return *this << std::string_view(text); }
    Out& operator<<(std::uint64_t value);
    Out& operator<<(std::uint32_t value) { return *this << std::uint64_t{value}; }
    Out& operator<<(int value);
    Out& operator<<(Hex hex);
    Out& operator<<(Bytes bytes);

  private:
    Sink& sink_;
};

// A Sink into a fixed buffer, for tests and for building a line before writing it.
class BufferSink final : public Sink {
  public:
    BufferSink(char* buffer, std::size_t size) : buffer_(buffer), size_(size) {}
    void write(std::string_view text) override;
    std::string_view text() const { return {buffer_, used_}; }

  private:
    char* buffer_;
    std::size_t size_;
    std::size_t used_ = 0;
};

}  // namespace tern::lib
