// Implements tern-img's command handlers over tern_diskimage.
#include "commands.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

#include "diskimage/image_copy.hpp"
#include "diskimage/image_error.hpp"
#include "diskimage/image_open.hpp"
#include "diskimage/qcow2_image.hpp"
#include "image_options.hpp"

namespace tern::dom0::tern_img {
namespace {

namespace di = diskimage;

std::optional<di::ImageFormat> optional_format(const std::optional<std::string>& name,
                                               std::string_view what) {
    if (!name) {
        return std::nullopt;
    }
    return di::parse_format(*name, what);
}

}  // namespace

int run_create(const CreateArgs& args) {
    di::CreateOptions options;
    options.format = di::parse_format(args.format, "-f");
    apply_create_options(args.options, options);
    if (args.backing_file) {
        options.backing_file = args.backing_file;
    }
    if (args.backing_format) {
        options.backing_format = di::parse_format(*args.backing_format, "-F");
    }
    if (args.size) {
        options.virtual_size = parse_size(*args.size);
    } else if (!options.backing_file) {
        throw std::invalid_argument("create needs a size unless it has a backing file");
    }
    di::create_image(args.file, options);
    std::cout << "Formatting '" << args.file << "', fmt=" << args.format
              << " size=" << options.virtual_size << "\n";
    return 0;
}

int run_info(const InfoArgs& args) {
    di::OpenOptions options;
    options.open_backing = false;
    options.lock = false;  // only the header is read: works on images in use
    const auto image = di::open_image(args.file, options, optional_format(args.format, "-f"));
    const di::ImageInfo info = image->info();
    if (args.json) {
        nlohmann::ordered_json json;
        json["filename"] = args.file;
        json["format"] = std::string(di::format_name(info.format));
        json["virtual-size"] = info.virtual_size;
        json["actual-size"] = info.allocated_bytes;
        json["dirty-flag"] = info.dirty;
        if (info.cluster_size) {
            json["cluster-size"] = *info.cluster_size;
        }
        if (info.backing_file) {
            json["backing-filename"] = *info.backing_file;
            json["full-backing-filename"] = info.backing_path->string();
        }
        if (info.backing_format) {
            json["backing-filename-format"] = std::string(di::format_name(*info.backing_format));
        }
        if (info.qcow2_version) {
            json["format-specific"] = {{"type", "qcow2"},
                                       {"data",
                                        {{"compat", *info.qcow2_version == 3 ? "1.1" : "0.10"},
                                         {"lazy-refcounts", info.lazy_refcounts},
                                         {"refcount-bits", *info.refcount_bits},
                                         {"corrupt", info.corrupt}}}};
        }
        std::cout << json.dump(4) << "\n";
        return 0;
    }
    std::cout << "image: " << args.file << "\n"
              << "file format: " << di::format_name(info.format) << "\n"
              << "virtual size: " << human_size(info.virtual_size) << " (" << info.virtual_size
              << " bytes)\n"
              << "disk size: " << human_size(info.allocated_bytes) << "\n";
    if (info.cluster_size) {
        std::cout << "cluster_size: " << *info.cluster_size << "\n";
    }
    if (info.backing_file) {
        std::cout << "backing file: " << *info.backing_file;
        if (info.backing_path && info.backing_path->string() != *info.backing_file) {
            std::cout << " (actual path: " << info.backing_path->string() << ")";
        }
        std::cout << "\n";
    }
    if (info.backing_format) {
        std::cout << "backing file format: " << di::format_name(*info.backing_format) << "\n";
    }
    if (info.qcow2_version) {
        std::cout << "Format specific information:\n"
                  << "    compat: " << (*info.qcow2_version == 3 ? "1.1" : "0.10") << "\n"
                  << "    lazy refcounts: " << (info.lazy_refcounts ? "true" : "false") << "\n"
                  << "    refcount bits: " << *info.refcount_bits << "\n"
                  << "    corrupt: " << (info.corrupt ? "true" : "false") << "\n";
    }
    if (info.dirty) {
        std::cout << "dirty flag: set (the image was not closed cleanly)\n";
    }
    return 0;
}

int run_check(const CheckArgs& args) {
    di::RepairMode mode = di::RepairMode::kNone;
    if (args.repair == "leaks") {
        mode = di::RepairMode::kLeaks;
    } else if (args.repair == "all") {
        mode = di::RepairMode::kAll;
    } else if (args.repair) {
        throw std::invalid_argument("-r takes leaks or all, not \"" + *args.repair + "\"");
    }
    const std::optional<di::ImageFormat> format = optional_format(args.format, "-f");
    if ((format ? *format : di::probe_format(args.file)) != di::ImageFormat::kQcow2) {
        std::cerr << "tern-img: " << args.file << ": this image format does not support checks\n";
        return 63;
    }
    di::OpenOptions options;
    options.writable = mode != di::RepairMode::kNone;
    options.open_backing = false;
    const auto image = di::Qcow2Image::open(args.file, options);
    const di::CheckResult result = image->check(mode);
    const std::uint64_t leaks = result.leaks - result.leaks_fixed;
    const std::uint64_t corruptions = result.corruptions - result.corruptions_fixed;
    if (args.json) {
        nlohmann::ordered_json json;
        json["filename"] = args.file;
        json["format"] = "qcow2";
        json["check-errors"] = 0;
        json["corruptions"] = corruptions;
        json["leaks"] = leaks;
        json["corruptions-fixed"] = result.corruptions_fixed;
        json["leaks-fixed"] = result.leaks_fixed;
        json["allocated-clusters"] = result.allocated_clusters;
        json["total-clusters"] = result.total_clusters;
        json["image-end-offset"] = result.image_end_offset;
        std::cout << json.dump(4) << "\n";
    } else {
        for (const std::string& message : result.messages) {
            std::cout << message << "\n";
        }
        if (result.leaks_fixed > 0 || result.corruptions_fixed > 0) {
            std::cout << "The following inconsistencies were found and repaired:\n\n"
                      << "    " << result.leaks_fixed << " leaked clusters\n"
                      << "    " << result.corruptions_fixed << " corruptions\n\n";
        }
        if (corruptions > 0) {
            std::cout << corruptions << " errors were found on the image.\n"
                      << "Data may be corrupted, or further writes to the image may corrupt "
                         "it.\n";
        }
        if (leaks > 0) {
            std::cout << leaks << " leaked clusters were found on the image.\n"
                      << "This means waste of disk space, but no harm to data.\n";
        }
        if (corruptions == 0 && leaks == 0) {
            std::cout << "No errors were found on the image.\n";
        }
        std::cout << result.allocated_clusters << "/" << result.total_clusters << " = "
                  << (result.total_clusters
                          ? 100.0 * static_cast<double>(result.allocated_clusters) /
                                static_cast<double>(result.total_clusters)
                          : 0.0)
                  << "% allocated\nImage end offset: " << result.image_end_offset << "\n";
    }
    if (corruptions > 0) {
        return 2;
    }
    return leaks > 0 ? 3 : 0;
}

int run_convert(const ConvertArgs& args) {
    di::OpenOptions source_options;
    const auto source =
        di::open_image(args.source, source_options, optional_format(args.source_format, "-f"));
    di::CreateOptions create;
    create.format = di::parse_format(args.output_format, "-O");
    apply_create_options(args.options, create);
    if (create.backing_file) {
        throw std::invalid_argument("convert does not write backing files");
    }
    create.virtual_size = source->virtual_size();
    di::create_image(args.destination, create);
    di::OpenOptions destination_options;
    destination_options.writable = true;
    const auto destination = di::open_image(args.destination, destination_options, create.format);

    di::copy_contents(*source, *destination);
    return 0;
}

int run_snapshot(const SnapshotArgs& args) {
    di::CreateOptions options;
    apply_create_options(args.options, options);
    if (args.base_format) {
        options.backing_format = di::parse_format(*args.base_format, "-F");
    }
    di::create_overlay(args.base, args.overlay, options);
    std::cout << "Created overlay '" << args.overlay << "' backed by '" << args.base << "'\n";
    return 0;
}

int run_resize(const ResizeArgs& args) {
    di::OpenOptions options;
    options.writable = true;
    options.open_backing = false;
    const auto image = di::open_image(args.file, options, optional_format(args.format, "-f"));
    std::uint64_t size = 0;
    if (!args.size.empty() && args.size[0] == '+') {
        size = image->virtual_size() + parse_size(std::string_view(args.size).substr(1));
    } else {
        size = parse_size(args.size);
    }
    image->resize(size);
    image->flush();
    std::cout << "Image resized.\n";
    return 0;
}

}  // namespace tern::dom0::tern_img
