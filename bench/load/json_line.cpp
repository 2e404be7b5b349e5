#include "bench/load/json_line.hpp"

#include <cmath>
#include <cstdio>

namespace zeal::bench::load {
namespace {

void escape(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

void json_line::key(std::string_view k) {
  if (!body_.empty()) body_ += ',';
  escape(body_, k);
  body_ += ':';
}

json_line& json_line::add(std::string_view k, std::string_view value) {
  key(k);
  escape(body_, value);
  return *this;
}

json_line& json_line::add(std::string_view k, double value) {
  key(k);
  if (!std::isfinite(value)) {
    body_ += "null";
    return *this;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  if (std::fabs(value) >= 1e6 && std::fabs(value) < 1e15) std::snprintf(buf, sizeof buf, "%.1f", value);
  body_ += buf;
  return *this;
}

json_line& json_line::add(std::string_view k, std::uint64_t value) {
  key(k);
  body_ += std::to_string(value);
  return *this;
}

json_line& json_line::add(std::string_view k, std::int64_t value) {
  key(k);
  body_ += std::to_string(value);
  return *this;
}

json_line& json_line::add(std::string_view k, bool value) {
  key(k);
  body_ += value ? "true" : "false";
  return *this;
}

json_line& json_line::add(std::string_view k, std::optional<double> value) {
  if (value) return add(k, *value);
  key(k);
  body_ += "null";
  return *this;
}

json_line& json_line::add(std::string_view k, std::optional<std::uint64_t> value) {
  if (value) return add(k, *value);
  return add_null(k);
}

json_line& json_line::add_null(std::string_view k) {
  key(k);
  body_ += "null";
  return *this;
}

json_line& json_line::add_object(std::string_view k, const json_line& object) {
  key(k);
  body_ += object.str();
  return *this;
}

}  // namespace zeal::bench::load
