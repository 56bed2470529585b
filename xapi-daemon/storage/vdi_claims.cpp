// The VDI claims of running operations.
#include "storage/vdi_claims.hpp"

#include <map>
#include <mutex>

#include "api/api_error.hpp"

namespace tern::xapi {
namespace {

struct Holders {
    int readers = 0;
    bool writer = false;
};

std::mutex& claims_mutex() {
    static std::mutex m;
    return m;
}

std::map<std::string, Holders>& claims() {
    static std::map<std::string, Holders> c;  // guarded by claims_mutex()
    return c;
}

}  // namespace

VdiClaim::VdiClaim(std::string vdi, Mode mode, const char* operation)
    : vdi_(std::move(vdi)), mode_(mode) {
    std::lock_guard lock(claims_mutex());
    Holders& h = claims()[vdi_];
    const bool free = mode == Mode::shared ? !h.writer : !h.writer && h.readers == 0;
    if (!free) {
        if (!h.writer && h.readers == 0)
            claims().erase(vdi_);
        throw ApiError("VDI_IN_USE", {vdi_, operation});
    }
    if (mode == Mode::shared) {
        ++h.readers;
    } else {
        h.writer = true;
    }
}

VdiClaim::~VdiClaim() {
    std::lock_guard lock(claims_mutex());
    auto it = claims().find(vdi_);
    if (it == claims().end())
        return;
    if (mode_ == Mode::shared) {
        --it->second.readers;
    } else {
        it->second.writer = false;
    }
    if (!it->second.writer && it->second.readers == 0)
        claims().erase(it);
}

}  // namespace tern::xapi
