// Lists the hosts of the xapid at argv[1] (a URL), as root over its Unix socket.
#include <iostream>

#include "tern/xenapi/xenapi.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: consumer URL\n";
        return 2;
    }
    tern::xenapi::Session session(argv[1]);
    session.login_with_password("root", "");
    for (const auto& host : session.host().get_all())
        std::cout << "host " << session.host().get_record(host).API_version_vendor << "\n";
    return 0;
}
