#include "net/log.hpp"

#include <cstdio>

#include <spdlog/spdlog.h>

namespace zeal::net {

spdlog::logger& log() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    if (auto existing = spdlog::get("net")) return existing;
    auto created = spdlog::default_logger()->clone("net");
    try {
      spdlog::register_logger(created);
    } catch (const spdlog::spdlog_ex&) {
      if (auto existing = spdlog::get("net")) return existing;  // registered concurrently
    }
    return created;
  }();
  return *logger;
}

std::string log_safe(std::string_view s, std::size_t max) {
  if (s.empty()) return "-";
  std::string out;
  out.reserve(s.size() < max ? s.size() : max);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

}  // namespace zeal::net
