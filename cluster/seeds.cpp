#include "cluster/seeds.hpp"

#include <charconv>

namespace zeal::cluster {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::string> parse_entry(std::string_view entry, cluster_address& out) {
  const std::string quoted = "\"" + std::string(entry) + "\"";
  auto colon = entry.rfind(':');
  if (colon == std::string_view::npos) return "seed " + quoted + " has no port (expected HOST:PORT)";
  std::string_view host = entry.substr(0, colon);
  std::string_view port = entry.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return "seed " + quoted + ": write an IPv6 address in brackets ([::1]:7101)";
  }
  if (host.empty()) return "seed " + quoted + " has no host (expected HOST:PORT)";
  for (char c : host) {
    if (c == ' ' || c == '\t' || c == '[' || c == ']') return "seed " + quoted + ": bad host";
  }
  if (port.empty()) return "seed " + quoted + " has no port (expected HOST:PORT)";
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || ptr != port.data() + port.size() || value == 0 || value > 65535) {
    return "seed " + quoted + ": port must be 1..65535";
  }
  out.host = std::string(host);
  out.port = static_cast<std::uint16_t>(value);
  return std::nullopt;
}

}  // namespace

std::optional<std::vector<cluster_address>> parse_seeds(std::string_view text, std::string& error) {
  std::vector<cluster_address> seeds;
  if (trim(text).empty()) return seeds;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto comma = text.find(',', pos);
    auto entry =
        trim(text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    pos = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
    if (entry.empty()) {
      error = "empty entry in the seed list \"" + std::string(text) + "\"";
      return std::nullopt;
    }
    cluster_address a;
    if (auto e = parse_entry(entry, a)) {
      error = *e;
      return std::nullopt;
    }
    seeds.push_back(std::move(a));
  }
  return seeds;
}

std::string to_string(const cluster_address& a) {
  if (a.host.find(':') != std::string::npos) return "[" + a.host + "]:" + std::to_string(a.port);
  return a.host + ":" + std::to_string(a.port);
}

}  // namespace zeal::cluster
