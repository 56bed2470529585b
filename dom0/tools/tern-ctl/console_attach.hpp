// Declares tern-ctl's console command: attaching a terminal to a guest's console pty (the
// path tern-consoled wrote to /local/domain/<id>/console/tty), as `xl console` does, and
// printing a guest's console log for scripts.
#pragma once

#include <string>

namespace tern::dom0 {

// The byte that detaches: Ctrl-], as in xl console and telnet.
inline constexpr char kDetachByte = 0x1d;

// Copies `in` to the pty and the pty to `out` until Ctrl-] is typed or `in` ends (0), or the
// console goes away (1, said on stderr). A terminal on `in` is put in raw mode meanwhile and
// restored afterwards. Throws ControlError when the pty cannot be opened.
int attach_console(const std::string& pty_path, int in, int out);

// Writes the whole log file to `out`; throws ControlError when it cannot be read.
void print_console_log(const std::string& log_path, int out);

}  // namespace tern::dom0
