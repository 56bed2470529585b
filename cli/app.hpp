// run_xm: xm from its arguments to its exit status, with the outside world (streams, how to
// connect, where defaults come from) passed in so tests can run it whole.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "api/xen_api.hpp"
#include "connection/connection_settings.hpp"

namespace tern::cli {

struct AppEnvironment {
    std::ostream& out;
    std::ostream& err;
    bool out_is_terminal = false;
    ConnectionSources sources;
    std::function<std::shared_ptr<XenApi>(const ConnectionSettings&)> connect;
};

// `words` are the arguments after the program name. Exit status: 0 success, 1 failure
// (reported by the server or otherwise), 2 usage error.
int run_xm(const std::vector<std::string>& words, AppEnvironment& environment);

}  // namespace tern::cli
