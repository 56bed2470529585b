// RawTerminal: puts a terminal into raw mode (no echo, no line buffering) for as long as it
// lives, and restores it afterwards; does nothing when the descriptor is not a terminal.
#pragma once

#include <termios.h>

namespace tern::cli {

class RawTerminal {
  public:
    explicit RawTerminal(int fd);
    ~RawTerminal();
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;

    bool active() const { return active_; }

  private:
    int fd_;
    termios saved_{};
    bool active_ = false;
};

}  // namespace tern::cli
