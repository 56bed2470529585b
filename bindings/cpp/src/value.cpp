#include "tern/xenapi/value.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace tern::xenapi {

const Value& Value::member(const std::string& key) const {
    static const Value nil;
    const Struct& s = as<Struct>("a struct");
    auto it = s.find(key);
    return it == s.end() ? nil : it->second;
}

std::string Value::describe() const {
    switch (v_.index()) {
        case 0:
            return "nil";
        case 1:
            return "string \"" + std::get<std::string>(v_) + "\"";
        case 2:
            return "int " + std::to_string(std::get<std::int64_t>(v_));
        case 3:
            return "double";
        case 4:
            return "boolean";
        case 5:
            return "datetime";
        case 6:
            return "array";
        default:
            return "struct";
    }
}

std::string format_datetime(DateTime t) {
    const std::time_t secs = t.time_since_epoch().count();
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

DateTime parse_datetime(std::string_view text) {
    std::string digits;
    for (char c : text) {
        if (c >= '0' && c <= '9')
            digits += c;
        else if (c == 'Z' || c == 'z' || c == '.' || c == '+')
            break;
    }
    if (digits.size() < 14)
        throw ProtocolError("bad datetime \"" + std::string(text) + "\"");
    auto num = [&](std::size_t pos, std::size_t len) { return std::stoi(digits.substr(pos, len)); };
    using namespace std::chrono;
    const year_month_day day{year{num(0, 4)}, month{static_cast<unsigned>(num(4, 2))},
                             std::chrono::day{static_cast<unsigned>(num(6, 2))}};
    if (!day.ok())
        throw ProtocolError("bad datetime \"" + std::string(text) + "\"");
    return sys_days{day} + hours{num(8, 2)} + minutes{num(10, 2)} + seconds{num(12, 2)};
}

void decode(const Value& v, std::string& out) {
    if (const auto* s = std::get_if<std::string>(&v.variant()))
        out = *s;
    else if (const auto* i = std::get_if<std::int64_t>(&v.variant()))
        out = std::to_string(*i);
    else if (v.is_nil())
        out.clear();
    else
        throw ProtocolError("expected a string, got " + v.describe());
}

void decode(const Value& v, std::int64_t& out) {
    if (const auto* i = std::get_if<std::int64_t>(&v.variant())) {
        out = *i;
        return;
    }
    const std::string& s = v.as<std::string>("an int");
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc() || end != s.data() + s.size())
        throw ProtocolError("expected an int, got \"" + s + "\"");
}

void decode(const Value& v, double& out) {
    if (const auto* d = std::get_if<double>(&v.variant()))
        out = *d;
    else if (const auto* i = std::get_if<std::int64_t>(&v.variant()))
        out = static_cast<double>(*i);
    else {
        const std::string& s = v.as<std::string>("a double");
        try {
            out = std::stod(s);
        } catch (const std::exception&) {
            throw ProtocolError("expected a double, got \"" + s + "\"");
        }
    }
}

void decode(const Value& v, bool& out) {
    if (const auto* b = std::get_if<bool>(&v.variant()))
        out = *b;
    else if (const auto* i = std::get_if<std::int64_t>(&v.variant()))
        out = *i != 0;
    else {
        const std::string& s = v.as<std::string>("a boolean");
        out = s == "true" || s == "1";
    }
}

void decode(const Value& v, DateTime& out) {
    if (const auto* t = std::get_if<DateTime>(&v.variant()))
        out = *t;
    else
        out = parse_datetime(v.as<std::string>("a datetime"));
}

}  // namespace tern::xenapi
