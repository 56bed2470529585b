// Defines FileSr: the `file` storage repository driver. An SR is a directory:
//
//   sr.json                  the SR's own uuid (so that a lost database finds the same SR)
//   <uuid>.qcow2 | <uuid>.raw   one image per VDI; the file name is the VDI's uuid
//   <uuid>.json              the VDI's metadata (names, type, flags, other_config, snapshot
//                            links), written next to the image on every change
//   base-<uuid>.qcow2|.raw   a hidden base: what a VDI was when it was snapshotted or cloned.
//                            The VDI and its snapshot/clone are both qcow2 overlays on it, so
//                            both operations are instant; a base goes when no image uses it.
//
// SR.scan rebuilds every VDI from the images and their sidecars alone; an image without a
// sidecar comes back with default metadata. FileSr touches only the directory: it knows
// nothing of the object store, and throws SrError (with the XenAPI error to answer) or
// diskimage::ImageError.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "diskimage/disk_image.hpp"

namespace tern::xapi {

// A failure of the SR driver, with the XenAPI error code and parameters it becomes.
class SrError : public std::runtime_error {
  public:
    SrError(std::string code, std::vector<std::string> params)
        : std::runtime_error(code), code_(std::move(code)), params_(std::move(params)) {}
    const std::string& code() const { return code_; }
    const std::vector<std::string>& params() const { return params_; }

  private:
    std::string code_;
    std::vector<std::string> params_;
};

// What the sidecar of a VDI keeps: every field SR.scan cannot read from the image itself.
struct VdiMeta {
    std::string uuid;
    std::string name_label;
    std::string name_description;
    std::string type = "user";
    bool sharable = false;
    bool read_only = false;
    std::map<std::string, std::string> other_config;
    std::map<std::string, std::string> sm_config;
    bool is_a_snapshot = false;
    std::string snapshot_of;    // uuid, or empty
    std::string parent;         // uuid of the VDI it was cloned from, or empty
    std::string snapshot_time;  // as the API writes datetimes, or empty
};

// One VDI as the directory shows it.
struct VdiFile {
    VdiMeta meta;
    dom0::diskimage::ImageFormat format = dom0::diskimage::ImageFormat::kQcow2;
    std::filesystem::path path;
    std::uint64_t virtual_size = 0;
    std::uint64_t physical_utilisation = 0;  // bytes the file takes on disk
};

// The filesystem's figures for SR.physical_size and physical_utilisation.
struct SrSpace {
    std::uint64_t size = 0;        // bytes of the filesystem (or the SR's own limit)
    std::uint64_t available = 0;   // bytes free for us
    std::uint64_t used_by_sr = 0;  // bytes the SR's files take
};

class FileSr {
  public:
    // The SR at `dir`, created (with sr.json naming `sr_uuid`) when missing. Throws SrError
    // SR_BACKEND_FAILURE when the directory belongs to another SR or cannot be made.
    static FileSr attach(const std::filesystem::path& dir, const std::string& sr_uuid);
    // The uuid written in `dir`/sr.json, if any.
    static std::optional<std::string> uuid_at(const std::filesystem::path& dir);

    const std::filesystem::path& dir() const { return dir_; }

    // Creates an empty VDI of `virtual_size` bytes and writes its sidecar. SR_FULL when the
    // filesystem could never hold it (the file SR does not overcommit).
    VdiFile create(const VdiMeta& meta, std::uint64_t virtual_size,
                   dom0::diskimage::ImageFormat format);
    // Every VDI in the directory, hidden bases left out.
    std::vector<VdiFile> scan() const;
    std::optional<VdiFile> find(const std::string& uuid) const;
    void write_meta(const VdiMeta& meta) const;
    // Deletes the VDI's image and sidecar, then every base no image uses any more.
    void destroy(const std::string& uuid);
    // Grows the VDI; VALUE_NOT_SUPPORTED for a shrink, SR_FULL when the space is not there.
    void resize(const std::string& uuid, std::uint64_t new_size);
    // Turns `uuid` into an overlay on a new hidden base and makes `copy` (a new VDI) a second
    // overlay on the same base: the copy-on-write step of snapshot and clone. Raw VDIs have no
    // copy-on-write: SR_OPERATION_NOT_SUPPORTED.
    VdiFile share_base(const std::string& uuid, const VdiMeta& copy);
    // A full copy of `source` (any image) as a new VDI here, written sparse. `progress` gets
    // (done, total) and returns false to cancel; a cancelled copy leaves nothing behind and
    // returns nullopt.
    std::optional<VdiFile> copy_from(
        const std::filesystem::path& source, const VdiMeta& meta,
        const std::function<bool(std::uint64_t, std::uint64_t)>& progress);
    SrSpace space() const;
    // Deletes the SR's own files (images, sidecars, bases, sr.json) and the directory if it is
    // then empty.
    void remove_all();

    std::filesystem::path image_path(const std::string& uuid,
                                     dom0::diskimage::ImageFormat format) const;
    std::filesystem::path meta_path(const std::string& uuid) const;

  private:
    explicit FileSr(std::filesystem::path dir) : dir_(std::move(dir)) {}
    void need_space(std::uint64_t bytes) const;
    void collect_bases();

    std::filesystem::path dir_;
};

// Writes the sidecar of a VDI in the SR directory `dir` (replacing it atomically).
void write_vdi_meta(const std::filesystem::path& dir, const VdiMeta& meta);

// The filesystem's figures for the SR at `dir`; SR_BACKEND_FAILURE when it cannot be read.
SrSpace sr_space(const std::filesystem::path& dir);

// The format a new VDI gets: sm_config["type"] or other_config["format"] "raw" asks for raw,
// anything else (or nothing) gives qcow2.
dom0::diskimage::ImageFormat requested_format(
    const std::map<std::string, std::string>& sm_config,
    const std::map<std::string, std::string>& other_config);

}  // namespace tern::xapi
