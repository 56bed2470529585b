// connect_xen_api for a build without the C++ binding: every server command fails plainly.
#include <stdexcept>

#include "api/xen_api.hpp"
#include "connection/connection_settings.hpp"

namespace tern::cli {

std::unique_ptr<XenApi> connect_xen_api(const ConnectionSettings&) {
    throw std::runtime_error("this xm was built without the C++ XenAPI binding (tern_xenapi_cpp)");
}

}  // namespace tern::cli
