// Defines SimConsole: the text console of a simulated guest, so that clients can attach, read
// and type as they would on a real one. The "guest" is a tiny line-echoing shell run by a
// thread of its own: each attach gets a banner and a prompt; what is typed is echoed back as
// a terminal in canonical mode would, and every line entered is answered with `echo: LINE`
// and a new prompt. Several clients may be attached at once: all see the output, and input
// from any of them goes into the one line being edited. A client that does not read loses
// output (as a console ring overwrites), never holds the guest up.
#pragma once

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "backend/backend.hpp"

namespace tern::xapi {

class SimConsole {
  public:
    SimConsole(DomainId domain, std::string name);
    // Closes every attached stream: their readers see end of file.
    ~SimConsole();
    SimConsole(const SimConsole&) = delete;
    SimConsole& operator=(const SimConsole&) = delete;

    // A new stream on this console (one end of a socket pair; the guest holds the other).
    Outcome<ConsoleStream> attach();

    // The prompt the guest prints, e.g. "guest-1# ".
    const std::string& prompt() const { return prompt_; }

  private:
    void run();
    void wake();
    // Handles typed bytes and answers; returns what the guest writes in reply.
    std::string on_input(const char* data, std::size_t size);
    // Writes `text` to every attached client that can take it now.
    void broadcast(const std::string& text);

    DomainId domain_;
    std::string name_;
    std::string prompt_;
    int wake_read_ = -1;
    int wake_write_ = -1;
    std::mutex mutex_;          // guards pending_ and stopping_
    std::vector<int> pending_;  // guest ends of newly attached clients, for the thread
    bool stopping_ = false;
    std::vector<int> clients_;  // guest ends the thread serves (its own)
    std::string line_;          // the line being typed (the thread's own)
    bool last_was_cr_ = false;  // the thread's own
    std::thread thread_;
};

}  // namespace tern::xapi
