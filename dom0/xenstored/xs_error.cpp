// The errno names of XsError.
#include "xenstored/xs_error.hpp"

namespace tern::dom0::xenstored {

std::string_view error_name(XsError error) {
    switch (error) {
        case XsError::kEINVAL:
            return "EINVAL";
        case XsError::kEACCES:
            return "EACCES";
        case XsError::kEEXIST:
            return "EEXIST";
        case XsError::kEISDIR:
            return "EISDIR";
        case XsError::kENOENT:
            return "ENOENT";
        case XsError::kENOMEM:
            return "ENOMEM";
        case XsError::kENOSPC:
            return "ENOSPC";
        case XsError::kEIO:
            return "EIO";
        case XsError::kENOTEMPTY:
            return "ENOTEMPTY";
        case XsError::kENOSYS:
            return "ENOSYS";
        case XsError::kEROFS:
            return "EROFS";
        case XsError::kEBUSY:
            return "EBUSY";
        case XsError::kEAGAIN:
            return "EAGAIN";
        case XsError::kEISCONN:
            return "EISCONN";
        case XsError::kE2BIG:
            return "E2BIG";
        case XsError::kEPERM:
            return "EPERM";
        case XsError::kEQUOTA:
            return "EQUOTA";
    }
    return "EINVAL";
}

}  // namespace tern::dom0::xenstored
