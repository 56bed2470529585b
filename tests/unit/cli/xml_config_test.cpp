// The XML config loader: the example file, validation errors with positions, overrides.
#include "config/xml_config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/config_file.hpp"

namespace tern::cli {
namespace {

std::string example(const std::string& name) {
    std::ifstream in(std::string(TERN_SOURCE_DIR) + "/examples/" + name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
}

std::string load_error(const std::string& text) {
    auto result = load_xml_config(text, "vm.xml");
    EXPECT_FALSE(result.ok());
    return result.ok() ? "" : result.error().to_string();
}

TEST(XmlConfig, LoadsTheExample) {
    auto result = load_xml_config(example("busybox.xml"), "busybox.xml");
    ASSERT_TRUE(result.ok()) << result.error().to_string();
    ASSERT_EQ(result.value().size(), 1u);
    const VmConfig& vm = result.value()[0];
    EXPECT_EQ(vm.name, "busybox-xml");
    EXPECT_EQ(vm.description, "busybox test guest");
    EXPECT_EQ(vm.vcpus_max, 2);
    EXPECT_EQ(vm.memory_static_max, 134217728);
    EXPECT_EQ(vm.memory_dynamic_max, 67108864);
    EXPECT_EQ(vm.kernel_args(), "root=/dev/xvda ro console=hvc0 rdinit=/bin/sh");
    EXPECT_EQ(vm.on_crash, "preserve");
    ASSERT_EQ(vm.disks.size(), 1u);
    EXPECT_EQ(vm.disks[0].source, "file:/var/lib/tern/images/busybox-xml-root.img");
    EXPECT_EQ(vm.disks[0].label, "busybox-xml-root");
    EXPECT_EQ(vm.disks[0].size, 67108864);
    EXPECT_TRUE(vm.disks[0].writable);
    ASSERT_EQ(vm.vifs.size(), 1u);
    EXPECT_EQ(vm.vifs[0].mac, "00:16:3e:00:00:02");
    EXPECT_EQ(vm.vifs[0].bridge, "xenbr0");
    EXPECT_EQ(vm.vcpu_params.at("weight"), "512");
    EXPECT_EQ(vm.other_config.at("purpose"), "example");
}

TEST(XmlConfig, ReportsInvalidAttributesAtTheirPosition) {
    EXPECT_EQ(load_error(replaced(example("busybox.xml"), "vcpus_max=\"2\"", "vcpus_max=\"two\"")),
              "vm.xml:6:51: Element 'vm', attribute 'vcpus_max': 'two' is not a valid value of "
              "the atomic type 'xs:positiveInteger'.");
    EXPECT_EQ(load_error(replaced(example("busybox.xml"), "mode=\"RW\"", "mode=\"rw\"")),
              "vm.xml:16:22: Element 'vbd', attribute 'mode': [facet 'enumeration'] The value "
              "'rw' is not an element of the set {'RO', 'RW'}.");
}

TEST(XmlConfig, ReportsMissingAndUnexpectedElements) {
    EXPECT_EQ(load_error(replaced(example("busybox.xml"), "<version>0</version>", "")),
              "vm.xml:11:5: Element 'pv': This element is not expected. Expected is ( version ).");
    EXPECT_EQ(load_error(replaced(example("busybox.xml"), "vdi=\"root\"", "vdi=\"nothere\"")),
              "vm.xml:16:5: Element 'vbd': No match found for key-sequence ['nothere'] of keyref "
              "'vbdVdi'.");
}

TEST(XmlConfig, ReportsMalformedXmlWithLineAndColumn) {
    auto error = load_error("<xm>\n  <vm>\n</xm>\n");
    EXPECT_EQ(error.substr(0, 11), "vm.xml:3:6:") << error;
    EXPECT_NE(error.find("mismatch"), std::string::npos) << error;
}

TEST(XmlConfig, NeedsAVm) {
    EXPECT_EQ(load_error("<xm/>\n"), "vm.xml:1:1: expected at least one <vm> element in <xm>");
}

TEST(XmlConfig, TellsXmFromClassicByTheFirstByte) {
    EXPECT_TRUE(looks_like_xml("  \n<?xml version='1.0'?><xm/>"));
    EXPECT_FALSE(looks_like_xml("name = 'x'"));
}

TEST(ConfigFile, AppliesOverridesToXmlToo) {
    auto result = load_config_file(std::string(TERN_SOURCE_DIR) + "/examples/busybox.xml",
                                   {"name=renamed", "memory=32"});
    ASSERT_TRUE(result.ok()) << result.error().to_string();
    EXPECT_EQ(result.value()[0].name, "renamed");
    EXPECT_EQ(result.value()[0].memory_dynamic_max, 32 * 1024 * 1024);
}

TEST(ConfigFile, TheClassicExampleMatchesTheXmlOne) {
    auto classic = load_config_file(std::string(TERN_SOURCE_DIR) + "/examples/busybox.cfg", {});
    auto xml = load_config_file(std::string(TERN_SOURCE_DIR) + "/examples/busybox.xml", {});
    ASSERT_TRUE(classic.ok()) << classic.error().to_string();
    ASSERT_TRUE(xml.ok());
    const VmConfig& a = classic.value()[0];
    const VmConfig& b = xml.value()[0];
    EXPECT_EQ(a.kernel, b.kernel);
    EXPECT_EQ(a.kernel_args(), b.kernel_args());
    EXPECT_EQ(a.memory_static_max, b.memory_static_max);
    EXPECT_EQ(a.memory_dynamic_max, b.memory_dynamic_max);
    EXPECT_EQ(a.vcpus_max, b.vcpus_max);
    EXPECT_EQ(a.disks.size(), b.disks.size());
    EXPECT_EQ(a.vifs.size(), b.vifs.size());
}

TEST(ConfigFile, SaysWhenTheFileCannotBeRead) {
    auto result = load_config_file("/nonexistent/vm.cfg", {});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().to_string(), "/nonexistent/vm.cfg: cannot read the config file");
}

}  // namespace
}  // namespace tern::cli
