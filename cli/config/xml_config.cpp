// The XML config loader: parse, validate against the compiled-in XSD, then read the tree.
#include "config/xml_config.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include <cctype>
#include <map>
#include <memory>
#include <optional>

#include "config/vm_config_schema.hpp"

namespace tern::cli {
namespace {

struct DocFree {
    void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
struct SchemaParserFree {
    void operator()(xmlSchemaParserCtxt* ctxt) const { xmlSchemaFreeParserCtxt(ctxt); }
};
struct SchemaFree {
    void operator()(xmlSchema* schema) const { xmlSchemaFree(schema); }
};
struct ValidFree {
    void operator()(xmlSchemaValidCtxt* ctxt) const { xmlSchemaFreeValidCtxt(ctxt); }
};
struct ParserFree {
    void operator()(xmlParserCtxt* ctxt) const { xmlFreeParserCtxt(ctxt); }
};

// Keeps the first error libxml2 reports, with the node it concerns when there is one.
struct FirstError {
    std::optional<ConfigError> error;
    std::string element;
    std::string_view text;
    std::string file;
};

std::string line_of(std::string_view text, int line) {
    std::size_t start = 0;
    for (int i = 1; i < line; ++i) {
        start = text.find('\n', start);
        if (start == std::string_view::npos) {
            return {};
        }
        ++start;
    }
    auto end = text.find('\n', start);
    return std::string(text.substr(start, end == std::string_view::npos ? end : end - start));
}

// libxml2 gives validation errors a line (the line where the start tag ends) but no column:
// find the attribute the message names, or the element's "<name", on that line or the lines
// before it up to the element's start.
SourcePosition position_for(std::string_view text, int line, const std::string& element,
                            const std::string& message) {
    std::string attribute;
    if (auto quote = message.find("attribute '"); quote != std::string::npos) {
        auto name_end = message.find('\'', quote + 11);
        attribute = message.substr(quote + 11, name_end - quote - 11);
    }
    for (int at = line; at >= 1 && at > line - 20; --at) {
        std::string source = line_of(text, at);
        if (!attribute.empty()) {
            if (auto found = source.find(attribute + "="); found != std::string::npos) {
                return {at, static_cast<int>(found) + 1};
            }
        }
        if (!element.empty()) {
            if (auto found = source.find("<" + element); found != std::string::npos) {
                return {at, static_cast<int>(found) + 1};
            }
        }
    }
    std::string source = line_of(text, line);
    auto first = source.find_first_not_of(" \t");
    return {line, first == std::string::npos ? 1 : static_cast<int>(first) + 1};
}

void record_error(void* user, xmlError* error) {
    auto* first = static_cast<FirstError*>(user);
    if (first->error || error == nullptr || error->level == XML_ERR_WARNING) {
        return;
    }
    std::string message = error->message ? error->message : "invalid XML";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
        message.pop_back();
    }
    SourcePosition where{error->line, error->int2};
    std::string element;
    if (error->node != nullptr) {
        auto* node = static_cast<xmlNode*>(error->node);
        if (node->type == XML_ELEMENT_NODE && node->name != nullptr) {
            element = reinterpret_cast<const char*>(node->name);
        }
        if (where.line <= 0) {
            where.line = static_cast<int>(xmlGetLineNo(node));
        }
    }
    if (element.empty() && message.rfind("Element '", 0) == 0) {
        element = message.substr(9, message.find('\'', 9) - 9);
    }
    if (where.column <= 0 && where.line > 0) {
        where = position_for(first->text, where.line, element, message);
    }
    first->error = ConfigError{first->file, where, message};
}

std::string attribute(xmlNode* node, const char* name) {
    xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
    if (value == nullptr) {
        return {};
    }
    std::string text(reinterpret_cast<const char*>(value));
    xmlFree(value);
    return text;
}

std::string content(xmlNode* node) {
    xmlChar* value = xmlNodeGetContent(node);
    if (value == nullptr) {
        return {};
    }
    std::string text(reinterpret_cast<const char*>(value));
    xmlFree(value);
    return text;
}

bool is(xmlNode* node, const char* name) {
    return node->type == XML_ELEMENT_NODE &&
           xmlStrcmp(node->name, reinterpret_cast<const xmlChar*>(name)) == 0;
}

bool truthy(const std::string& value) {
    return value == "true" || value == "True" || value == "1";
}

std::int64_t number(const std::string& value) {
    return std::stoll(value);
}

void read_name(xmlNode* name, std::string& label, std::string& description) {
    for (xmlNode* child = name->children; child != nullptr; child = child->next) {
        if (is(child, "label")) {
            label = content(child);
        } else if (is(child, "description")) {
            description = content(child);
        }
    }
}

struct VdiElement {
    std::string src;
    std::string label;
    std::int64_t size = -1;
    bool read_only = false;
};

VmConfig read_vm(xmlNode* vm, const std::map<std::string, VdiElement>& vdis) {
    VmConfig config;
    config.vcpus_max = number(attribute(vm, "vcpus_max"));
    config.vcpus_at_startup = number(attribute(vm, "vcpus_at_startup"));
    config.on_poweroff = attribute(vm, "actions_after_shutdown");
    config.on_reboot = attribute(vm, "actions_after_reboot");
    config.on_crash = attribute(vm, "actions_after_crash");
    for (xmlNode* child = vm->children; child != nullptr; child = child->next) {
        if (is(child, "name")) {
            read_name(child, config.name, config.description);
        } else if (is(child, "pv")) {
            config.kernel = attribute(child, "kernel");
            config.ramdisk = attribute(child, "ramdisk");
            config.extra = attribute(child, "args");
            config.bootloader = attribute(child, "bootloader");
            config.bootloader_args = attribute(child, "bootloader_args");
        } else if (is(child, "memory")) {
            config.memory_static_min = number(attribute(child, "static_min"));
            config.memory_static_max = number(attribute(child, "static_max"));
            config.memory_dynamic_min = number(attribute(child, "dynamic_min"));
            config.memory_dynamic_max = number(attribute(child, "dynamic_max"));
        } else if (is(child, "vbd")) {
            DiskConfig disk;
            const VdiElement& vdi = vdis.at(attribute(child, "vdi"));
            disk.source = vdi.src;
            disk.label = vdi.label;
            disk.size = vdi.size;
            disk.device = attribute(child, "device");
            disk.writable = attribute(child, "mode") == "RW" && !vdi.read_only;
            disk.cdrom = attribute(child, "type") == "CD";
            disk.bootable = truthy(attribute(child, "bootable"));
            config.disks.push_back(disk);
        } else if (is(child, "vif")) {
            VifConfig vif;
            vif.mac = attribute(child, "mac");
            vif.mtu = number(attribute(child, "mtu"));
            vif.device = attribute(child, "device");
            vif.bridge = attribute(child, "network");
            config.vifs.push_back(vif);
        } else if (is(child, "platform")) {
            config.platform[attribute(child, "key")] = attribute(child, "value");
        } else if (is(child, "vcpu_param")) {
            config.vcpu_params[attribute(child, "key")] = attribute(child, "value");
        } else if (is(child, "other_config")) {
            config.other_config[attribute(child, "key")] = attribute(child, "value");
        }
    }
    return config;
}

}  // namespace

bool looks_like_xml(std::string_view text) {
    auto first = text.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && text[first] == '<';
}

ConfigResult<std::vector<VmConfig>> load_xml_config(std::string_view text,
                                                    const std::string& file) {
    FirstError first{std::nullopt, {}, text, file};

    std::unique_ptr<xmlSchemaParserCtxt, SchemaParserFree> schema_parser(xmlSchemaNewMemParserCtxt(
        vm_config_schema().data(), static_cast<int>(vm_config_schema().size())));
    xmlSchemaSetParserStructuredErrors(schema_parser.get(), record_error, &first);
    std::unique_ptr<xmlSchema, SchemaFree> schema(xmlSchemaParse(schema_parser.get()));
    if (!schema) {
        return ConfigError{"vm-config.xsd", {}, "xm's compiled-in schema does not load"};
    }

    std::unique_ptr<xmlParserCtxt, ParserFree> parser(xmlNewParserCtxt());
    xmlSetStructuredErrorFunc(&first, record_error);
    std::unique_ptr<xmlDoc, DocFree> doc(
        xmlCtxtReadMemory(parser.get(), text.data(), static_cast<int>(text.size()), file.c_str(),
                          nullptr, XML_PARSE_NONET | XML_PARSE_NOENT | XML_PARSE_NOWARNING));
    xmlSetStructuredErrorFunc(nullptr, nullptr);
    if (!doc || first.error) {
        if (first.error) {
            return *first.error;
        }
        return ConfigError{file, {}, "not well-formed XML"};
    }

    std::unique_ptr<xmlSchemaValidCtxt, ValidFree> validator(xmlSchemaNewValidCtxt(schema.get()));
    xmlSchemaSetValidStructuredErrors(validator.get(), record_error, &first);
    if (xmlSchemaValidateDoc(validator.get(), doc.get()) != 0 || first.error) {
        if (first.error) {
            return *first.error;
        }
        return ConfigError{file, {}, "the document does not match vm-config.xsd"};
    }

    xmlNode* root = xmlDocGetRootElement(doc.get());
    std::map<std::string, VdiElement> vdis;
    for (xmlNode* child = root->children; child != nullptr; child = child->next) {
        if (is(child, "vdi")) {
            VdiElement vdi;
            vdi.src = attribute(child, "src");
            vdi.size = number(attribute(child, "size"));
            vdi.read_only = truthy(attribute(child, "read_only"));
            std::string description;
            for (xmlNode* name = child->children; name != nullptr; name = name->next) {
                if (is(name, "name")) {
                    read_name(name, vdi.label, description);
                }
            }
            vdis[attribute(child, "name")] = vdi;
        }
    }
    std::vector<VmConfig> vms;
    for (xmlNode* child = root->children; child != nullptr; child = child->next) {
        if (is(child, "vm")) {
            vms.push_back(read_vm(child, vdis));
        }
    }
    if (vms.empty()) {
        return ConfigError{file,
                           {static_cast<int>(xmlGetLineNo(root)), 1},
                           "expected at least one <vm> element in <xm>"};
    }
    return vms;
}

}  // namespace tern::cli
