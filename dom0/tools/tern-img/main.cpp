// tern-img: create, inspect, check, convert, snapshot and resize qcow2 and raw disk images.
// Each subcommand is one entry below: its options, bound to the arguments struct its handler
// (commands.cpp) takes.
#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <stdexcept>

#include "commands.hpp"
#include "diskimage/image_error.hpp"

namespace tt = tern::dom0::tern_img;

int main(int argc, char** argv) {
    CLI::App app{"tern-img: qcow2 and raw disk images"};
    app.require_subcommand(1);
    std::function<int()> run;

    tt::CreateArgs create;
    auto* c = app.add_subcommand("create", "Create an image");
    c->add_option("-f,--format", create.format, "qcow2 (default) or raw");
    c->add_option("-o,--options", create.options,
                  "cluster_size=N, compat=0.10|1.1, lazy_refcounts=on|off, refcount_bits=N");
    c->add_option("-b,--backing", create.backing_file, "backing file (qcow2 only)");
    c->add_option("-F,--backing-format", create.backing_format, "backing file format");
    c->add_option("file", create.file, "image to create")->required();
    c->add_option("size", create.size, "virtual size (bytes, or with K, M, G, T)");
    c->callback([&] { run = [&] { return tt::run_create(create); }; });

    tt::InfoArgs info;
    auto* i = app.add_subcommand("info", "Show what an image is");
    i->add_option("-f,--format", info.format, "image format (probed if not given)");
    i->add_flag("--json", info.json, "print JSON (the keys of qemu-img info --output=json)");
    i->add_option("file", info.file, "image")->required();
    i->callback([&] { run = [&] { return tt::run_info(info); }; });

    tt::CheckArgs check;
    auto* k = app.add_subcommand("check", "Check a qcow2 image's metadata, repair leaks");
    k->add_option("-f,--format", check.format, "image format (probed if not given)");
    k->add_option("-r,--repair", check.repair,
                  "leaks: free leaked clusters; all: also fix refcounts");
    k->add_flag("--json", check.json, "print JSON");
    k->add_option("file", check.file, "image")->required();
    k->callback([&] { run = [&] { return tt::run_check(check); }; });

    tt::ConvertArgs convert;
    auto* v = app.add_subcommand("convert", "Copy an image into a new one of a given format");
    v->add_option("-f,--format", convert.source_format, "source format (probed if not given)");
    v->add_option("-O,--output-format", convert.output_format, "raw (default) or qcow2");
    v->add_option("-o,--options", convert.options, "creation options of the output");
    v->add_option("source", convert.source, "source image")->required();
    v->add_option("destination", convert.destination, "image to create")->required();
    v->callback([&] { run = [&] { return tt::run_convert(convert); }; });

    tt::SnapshotArgs snapshot;
    auto* s = app.add_subcommand("snapshot", "Create a qcow2 overlay backed by an image");
    s->add_option("-F,--backing-format", snapshot.base_format, "format of the base image");
    s->add_option("-o,--options", snapshot.options, "creation options of the overlay");
    s->add_option("base", snapshot.base, "image the overlay reads through to")->required();
    s->add_option("overlay", snapshot.overlay, "overlay to create")->required();
    s->callback([&] { run = [&] { return tt::run_snapshot(snapshot); }; });

    tt::ResizeArgs resize;
    auto* r = app.add_subcommand("resize", "Grow an image");
    r->add_option("-f,--format", resize.format, "image format (probed if not given)");
    r->add_option("file", resize.file, "image")->required();
    r->add_option("size", resize.size, "new size, or +N to grow by N")->required();
    r->callback([&] { run = [&] { return tt::run_resize(resize); }; });

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        return run();
    } catch (const tern::dom0::diskimage::ImageError& e) {
        std::cerr << "tern-img: " << e.what() << "\n";
    } catch (const std::invalid_argument& e) {
        std::cerr << "tern-img: " << e.what() << "\n";
    }
    return 1;
}
