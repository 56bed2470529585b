// Defines check_password: a user name and password checked against the PAM service "xapid"
// (with Debian's default stack, ordinary local accounts).
#pragma once

#include <string>

namespace tern::xapi {

// True when PAM accepts the credentials; otherwise false with PAM's reason in `why`.
bool check_password(const std::string& user, const std::string& password, std::string& why);

}  // namespace tern::xapi
