// Defines the helpers that join the file SR driver (FileSr) to the object store: finding the
// directory of an attached SR, turning VDI files into VDI records and back, keeping an SR's
// size fields true, and knowing when a VDI is in use by a running VM.
#pragma once

#include <optional>
#include <string>

#include "api/call_context.hpp"
#include "rpc/value.hpp"
#include "storage/file_sr.hpp"

namespace tern::xapi {

class ObjectStore;
class Transaction;

// The SR types this host can serve.
inline constexpr const char* kFileSrType = "file";

// The directory a PBD's device_config names ("path", or xapi's "location").
std::optional<std::string> pbd_path(const rpc::Struct& pbd);

// The driver of the SR `sr`, through its attached PBD. Throws HANDLE_INVALID for an unknown
// SR, SR_HAS_NO_PBDS when it has no PBD, SR_NOT_ATTACHED when none is plugged.
FileSr attached_sr(ObjectStore& store, const std::string& sr);

// True when a VBD of a running (or paused) VM has the VDI attached.
bool vdi_in_use(ObjectStore& store, const std::string& vdi);
// Throws VDI_IN_USE(vdi, operation) when vdi_in_use.
void check_not_in_use(ObjectStore& store, const std::string& vdi, const char* operation);

// A new VDI record for `file` in `sr` (parent and snapshot_of are left NULL: the caller binds
// them, it knows the references).
rpc::Struct vdi_record(ObjectStore& store, const VdiFile& file, const std::string& sr);
// The sidecar metadata of a VDI record.
VdiMeta meta_of(const rpc::Struct& vdi, ObjectStore& store);
// Sets the fields a file decides (size, utilisation, location, missing) on record `vdi`.
void refresh_vdi(Transaction& txn, const std::string& vdi, const VdiFile& file);
// Sets physical_size, physical_utilisation and virtual_allocation of `sr` from its directory
// and its VDI records (`leaving`, a VDI about to go, is not counted).
void refresh_sr(Transaction& txn, const std::string& sr, const std::string& leaving = "");

// SR.scan: makes the VDI records of `sr` agree with the directory. New images get records,
// known ones their sizes, records whose image is gone are marked missing, and every sidecar
// is rewritten from its record.
void scan_into_store(CallContext& ctx, const std::string& sr);

// Rethrows an SrError or diskimage::ImageError as the ApiError it stands for.
[[noreturn]] void rethrow_storage_error();

// Runs `work`, turning SrError and ImageError into ApiErrors.
template <class F>
auto storage_call(F&& work) -> decltype(work()) {
    try {
        return work();
    } catch (...) {
        rethrow_storage_error();
    }
}

}  // namespace tern::xapi
