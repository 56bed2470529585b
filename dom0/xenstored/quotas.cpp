// Quota lookup by name.
#include "xenstored/quotas.hpp"

#include <array>
#include <utility>

#include "xenstored/wire.hpp"

namespace tern::dom0::xenstored {
namespace {

using Field = std::size_t Quotas::*;
constexpr std::array<std::pair<std::string_view, Field>, 6> kFields = {{
    {"nodes", &Quotas::nodes},
    {"watches", &Quotas::watches},
    {"transactions", &Quotas::transactions},
    {"entry-size", &Quotas::entry_size},
    {"permissions", &Quotas::permissions},
    {"request-size", &Quotas::request_size},
}};

}  // namespace

bool Quotas::set(std::string_view name, std::size_t value) {
    for (const auto& [field_name, field] : kFields) {
        if (field_name == name) {
            if (field == &Quotas::request_size && value > kPayloadMax) {
                return false;
            }
            this->*field = value;
            return true;
        }
    }
    return false;
}

std::optional<std::size_t> Quotas::get(std::string_view name) const {
    for (const auto& [field_name, field] : kFields) {
        if (field_name == name) {
            return this->*field;
        }
    }
    return std::nullopt;
}

std::string Quotas::describe() const {
    std::string out;
    for (const auto& [field_name, field] : kFields) {
        out += std::string(field_name) + " " + std::to_string(this->*field) + "\n";
    }
    return out;
}

}  // namespace tern::dom0::xenstored
