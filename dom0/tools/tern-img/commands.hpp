// Defines tern-img's commands: one arguments struct and one handler each. Handlers print to
// stdout and return the process exit status; they throw ImageError or std::invalid_argument,
// which main reports.
#pragma once

#include <optional>
#include <string>

namespace tern::dom0::tern_img {

struct CreateArgs {
    std::string format = "qcow2";
    std::string options;
    std::optional<std::string> backing_file;
    std::optional<std::string> backing_format;
    std::string file;
    std::optional<std::string> size;
};
int run_create(const CreateArgs& args);

struct InfoArgs {
    std::optional<std::string> format;
    bool json = false;
    std::string file;
};
int run_info(const InfoArgs& args);

// Exit status as qemu-img check: 0 clean, 1 check failed, 2 corruptions remain, 3 only leaks
// remain, 63 the format has no checks.
struct CheckArgs {
    std::optional<std::string> format;
    std::optional<std::string> repair;  // "leaks" or "all"
    bool json = false;
    std::string file;
};
int run_check(const CheckArgs& args);

struct ConvertArgs {
    std::optional<std::string> source_format;
    std::string output_format = "raw";
    std::string options;
    std::string source;
    std::string destination;
};
int run_convert(const ConvertArgs& args);

// Snapshot by backing file: creates `overlay`, a qcow2 image whose backing file is `base`.
struct SnapshotArgs {
    std::string base;
    std::string overlay;
    std::optional<std::string> base_format;
    std::string options;
};
int run_snapshot(const SnapshotArgs& args);

struct ResizeArgs {
    std::optional<std::string> format;
    std::string file;
    std::string size;
};
int run_resize(const ResizeArgs& args);

}  // namespace tern::dom0::tern_img
