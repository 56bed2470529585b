// Defines a guest ring for tests of the real daemon: the ring page is a shared file and the
// event channel a pair of FIFOs, so that a test process can play a guest of domain <id>
// (xenstored --guest-ring-for-test DIR:DOMID). DIR holds `page` (the ring page, 4096 bytes),
// `kick` (the guest writes a byte to notify xenstored) and `event` (xenstored writes a byte to
// notify the guest).
#pragma once

#include <memory>
#include <string>

#include "xenstored/transport.hpp"

namespace tern::dom0::xenstored {

// The ring in `directory`; nullptr and `error` set if its files cannot be opened.
std::unique_ptr<Transport> open_file_ring_for_test(const std::string& directory,
                                                   std::string& error);

}  // namespace tern::dom0::xenstored
