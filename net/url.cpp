#include "net/url.hpp"

namespace zeal::net {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view target_path(std::string_view target) {
  auto end = target.find_first_of("?#");
  return end == std::string_view::npos ? target : target.substr(0, end);
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hex_value(s[i + 1]);
    int lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

ws_target classify_ws_target(std::string_view target) {
  ws_target result;
  auto path = target_path(target);
  if (path == "/ws") {
    result.protocol = ws_protocol::seed;
    return result;
  }
  result.protocol = ws_protocol::y_websocket;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (auto decoded = percent_decode(path)) {
    result.room = std::move(*decoded);
  } else {
    result.room.assign(path);
    result.room_ok = false;
  }
  return result;
}

}  // namespace zeal::net
