// The file SR driver: a directory of images with their metadata sidecars.
#include "storage/file_sr.hpp"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

#include "diskimage/image_copy.hpp"
#include "diskimage/image_error.hpp"
#include "diskimage/image_open.hpp"

namespace tern::xapi {
namespace fs = std::filesystem;
namespace di = dom0::diskimage;
namespace {

constexpr const char* kSrFile = "sr.json";
constexpr const char* kBasePrefix = "base-";

[[noreturn]] void backend_failure(const std::string& what) {
    throw SrError("SR_BACKEND_FAILURE", {"1", "", what});
}

bool looks_like_uuid(const std::string& s) {
    if (s.size() != 36)
        return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash != (s[i] == '-'))
            return false;
        if (!dash && !std::isxdigit(static_cast<unsigned char>(s[i])))
            return false;
    }
    return true;
}

std::optional<di::ImageFormat> format_of_extension(const fs::path& p) {
    if (p.extension() == ".qcow2")
        return di::ImageFormat::kQcow2;
    if (p.extension() == ".raw")
        return di::ImageFormat::kRaw;
    return std::nullopt;
}

std::uint64_t bytes_on_disk(const fs::path& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0)
        return 0;
    return static_cast<std::uint64_t>(st.st_blocks) * 512;
}

// Writes `text` to `path` so that a reader sees the old or the new file, never half of one.
void write_atomically(const fs::path& path, const std::string& text) {
    const fs::path tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << text;
        out.flush();
        if (!out)
            backend_failure("cannot write " + tmp.string());
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec)
        backend_failure("cannot rename " + tmp.string() + ": " + ec.message());
}

nlohmann::json to_json(const VdiMeta& m) {
    return nlohmann::json{{"uuid", m.uuid},
                          {"name_label", m.name_label},
                          {"name_description", m.name_description},
                          {"type", m.type},
                          {"sharable", m.sharable},
                          {"read_only", m.read_only},
                          {"other_config", m.other_config},
                          {"sm_config", m.sm_config},
                          {"is_a_snapshot", m.is_a_snapshot},
                          {"snapshot_of", m.snapshot_of},
                          {"parent", m.parent},
                          {"snapshot_time", m.snapshot_time}};
}

template <class T>
void take(const nlohmann::json& j, const char* key, T& out) {
    if (auto it = j.find(key); it != j.end()) {
        try {
            out = it->get<T>();
        } catch (const nlohmann::json::exception&) {
            // A field of the wrong type keeps its default: the disk matters more.
        }
    }
}

VdiMeta meta_from_json(const nlohmann::json& j, const std::string& uuid) {
    VdiMeta m;
    take(j, "name_label", m.name_label);
    take(j, "name_description", m.name_description);
    take(j, "type", m.type);
    take(j, "sharable", m.sharable);
    take(j, "read_only", m.read_only);
    take(j, "other_config", m.other_config);
    take(j, "sm_config", m.sm_config);
    take(j, "is_a_snapshot", m.is_a_snapshot);
    take(j, "snapshot_of", m.snapshot_of);
    take(j, "parent", m.parent);
    take(j, "snapshot_time", m.snapshot_time);
    m.uuid = uuid;  // the file name wins
    return m;
}

std::optional<nlohmann::json> read_json(const fs::path& p) {
    std::ifstream in(p);
    if (!in)
        return std::nullopt;
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return std::nullopt;
    return j;
}

di::OpenOptions inspect_only() {
    di::OpenOptions o;
    o.writable = false;
    o.lock = false;
    o.open_backing = false;
    return o;
}

}  // namespace

di::ImageFormat requested_format(const std::map<std::string, std::string>& sm_config,
                                 const std::map<std::string, std::string>& other_config) {
    auto raw = [](const std::map<std::string, std::string>& m, const char* key) {
        auto it = m.find(key);
        return it != m.end() && it->second == "raw";
    };
    return raw(sm_config, "type") || raw(other_config, "format") ? di::ImageFormat::kRaw
                                                                 : di::ImageFormat::kQcow2;
}

std::optional<std::string> FileSr::uuid_at(const fs::path& dir) {
    auto j = read_json(dir / kSrFile);
    if (!j || !j->contains("uuid") || !(*j)["uuid"].is_string())
        return std::nullopt;
    return (*j)["uuid"].get<std::string>();
}

FileSr FileSr::attach(const fs::path& dir, const std::string& sr_uuid) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        backend_failure("cannot make the SR directory " + dir.string());
    if (auto have = uuid_at(dir)) {
        if (*have != sr_uuid)
            backend_failure(dir.string() + " belongs to SR " + *have);
    } else {
        write_atomically(dir / kSrFile, nlohmann::json{{"uuid", sr_uuid}}.dump() + "\n");
    }
    return FileSr(fs::absolute(dir));
}

fs::path FileSr::image_path(const std::string& uuid, di::ImageFormat format) const {
    return dir_ / (uuid + (format == di::ImageFormat::kRaw ? ".raw" : ".qcow2"));
}

fs::path FileSr::meta_path(const std::string& uuid) const {
    return dir_ / (uuid + ".json");
}

void write_vdi_meta(const fs::path& dir, const VdiMeta& meta) {
    write_atomically(dir / (meta.uuid + ".json"), to_json(meta).dump(2) + "\n");
}

void FileSr::write_meta(const VdiMeta& meta) const {
    write_vdi_meta(dir_, meta);
}

SrSpace FileSr::space() const {
    return sr_space(dir_);
}

SrSpace sr_space(const fs::path& dir) {
    SrSpace out;
    struct statvfs vfs {};
    if (::statvfs(dir.c_str(), &vfs) != 0)
        backend_failure("statvfs " + dir.string() + " failed");
    out.size = static_cast<std::uint64_t>(vfs.f_blocks) * vfs.f_frsize;
    out.available = static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (e.is_regular_file())
            out.used_by_sr += bytes_on_disk(e.path());
    }
    return out;
}

void FileSr::need_space(std::uint64_t bytes) const {
    const SrSpace s = space();
    if (bytes > s.available)
        throw SrError("SR_FULL", {std::to_string(bytes), std::to_string(s.available)});
}

std::optional<VdiFile> FileSr::find(const std::string& uuid) const {
    for (di::ImageFormat format : {di::ImageFormat::kQcow2, di::ImageFormat::kRaw}) {
        const fs::path p = image_path(uuid, format);
        if (!fs::exists(p))
            continue;
        VdiFile f;
        f.format = format;
        f.path = p;
        f.virtual_size = di::open_image(p, inspect_only(), format)->virtual_size();
        f.physical_utilisation = bytes_on_disk(p);
        auto j = read_json(meta_path(uuid));
        if (j) {
            f.meta = meta_from_json(*j, uuid);
        } else {
            f.meta.uuid = uuid;
        }
        return f;
    }
    return std::nullopt;
}

std::vector<VdiFile> FileSr::scan() const {
    std::vector<VdiFile> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_, ec)) {
        const std::string stem = e.path().stem().string();
        if (!e.is_regular_file() || !format_of_extension(e.path()) || !looks_like_uuid(stem))
            continue;
        try {
            if (auto f = find(stem))
                out.push_back(std::move(*f));
        } catch (const di::ImageError&) {
            // An unreadable image is not a VDI; it stays on disk for the administrator.
        }
    }
    if (ec)
        backend_failure("cannot list " + dir_.string() + ": " + ec.message());
    return out;
}

VdiFile FileSr::create(const VdiMeta& meta, std::uint64_t virtual_size, di::ImageFormat format) {
    if (!looks_like_uuid(meta.uuid))
        backend_failure("not a uuid: " + meta.uuid);
    if (find(meta.uuid))
        backend_failure("VDI " + meta.uuid + " exists");
    need_space(virtual_size);
    di::CreateOptions options;
    options.format = format;
    options.virtual_size = virtual_size;
    di::create_image(image_path(meta.uuid, format), options);
    write_meta(meta);
    return *find(meta.uuid);
}

void FileSr::destroy(const std::string& uuid) {
    if (auto f = find(uuid))
        fs::remove(f->path);
    std::error_code ignored;
    fs::remove(meta_path(uuid), ignored);
    collect_bases();
}

void FileSr::collect_bases() {
    for (;;) {
        std::set<std::string> used;
        std::vector<fs::path> bases;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(dir_, ec)) {
            if (!e.is_regular_file() || format_of_extension(e.path()) != di::ImageFormat::kQcow2) {
                if (e.is_regular_file() && e.path().filename().string().starts_with(kBasePrefix))
                    bases.push_back(e.path());
                continue;
            }
            if (e.path().filename().string().starts_with(kBasePrefix))
                bases.push_back(e.path());
            try {
                auto info =
                    di::open_image(e.path(), inspect_only(), di::ImageFormat::kQcow2)->info();
                if (info.backing_file)
                    used.insert(fs::path(*info.backing_file).filename().string());
            } catch (const di::ImageError&) {
                // Not an image we can read: it uses nothing we know of.
            }
        }
        bool removed = false;
        for (const fs::path& b : bases) {
            if (!used.contains(b.filename().string())) {
                fs::remove(b, ec);
                removed = true;
            }
        }
        if (!removed)
            return;
    }
}

void FileSr::resize(const std::string& uuid, std::uint64_t new_size) {
    auto f = find(uuid);
    if (!f)
        throw SrError("VDI_MISSING", {"", uuid});
    if (new_size < f->virtual_size) {
        throw SrError("VALUE_NOT_SUPPORTED",
                      {"size", std::to_string(new_size), "a VDI only grows"});
    }
    if (new_size == f->virtual_size)
        return;
    need_space(new_size - f->virtual_size);
    di::OpenOptions o;
    o.writable = true;
    auto image = di::open_image(f->path, o, f->format);
    image->resize(new_size);
    image->flush();
}

VdiFile FileSr::share_base(const std::string& uuid, const VdiMeta& copy) {
    auto f = find(uuid);
    if (!f)
        throw SrError("VDI_MISSING", {"", uuid});
    if (f->format != di::ImageFormat::kQcow2)
        throw SrError("SR_OPERATION_NOT_SUPPORTED", {"raw VDIs have no copy-on-write"});
    const fs::path base = dir_ / (kBasePrefix + copy.uuid + ".qcow2");
    fs::rename(f->path, base);
    try {
        di::create_overlay(base, f->path);
    } catch (...) {
        std::error_code ignored;
        fs::remove(f->path, ignored);
        fs::rename(base, f->path, ignored);
        throw;
    }
    try {
        di::create_overlay(base, image_path(copy.uuid, di::ImageFormat::kQcow2));
        write_meta(copy);
    } catch (...) {
        std::error_code ignored;
        fs::remove(image_path(copy.uuid, di::ImageFormat::kQcow2), ignored);
        throw;
    }
    return *find(copy.uuid);
}

std::optional<VdiFile> FileSr::copy_from(
    const fs::path& source, const VdiMeta& meta,
    const std::function<bool(std::uint64_t, std::uint64_t)>& progress) {
    di::OpenOptions read_only;
    read_only.lock = false;  // the source may be in use; we only read it
    auto from = di::open_image(source, read_only);
    const di::ImageFormat format = from->format();
    need_space(from->virtual_size());
    const fs::path target = image_path(meta.uuid, format);
    di::CreateOptions options;
    options.format = format;
    options.virtual_size = from->virtual_size();
    di::create_image(target, options);
    bool done = false;
    try {
        di::OpenOptions writable;
        writable.writable = true;
        auto to = di::open_image(target, writable, format);
        done = di::copy_contents(*from, *to, progress);
    } catch (...) {
        std::error_code ignored;
        fs::remove(target, ignored);
        throw;
    }
    if (!done) {
        std::error_code ignored;
        fs::remove(target, ignored);
        return std::nullopt;
    }
    write_meta(meta);
    return find(meta.uuid);
}

void FileSr::remove_all() {
    std::error_code ec;
    std::vector<fs::path> ours;
    for (const auto& e : fs::directory_iterator(dir_, ec)) {
        const std::string name = e.path().filename().string();
        const std::string stem = e.path().stem().string();
        const bool vdi_file = looks_like_uuid(stem) &&
                              (format_of_extension(e.path()) || e.path().extension() == ".json");
        if (vdi_file || name.starts_with(kBasePrefix) || name == kSrFile)
            ours.push_back(e.path());
    }
    for (const fs::path& p : ours)
        fs::remove(p, ec);
    fs::remove(dir_, ec);  // only when empty
}

}  // namespace tern::xapi
