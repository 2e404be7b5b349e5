#include "bench/crdt/trace.hpp"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>

#include "crdt/lib0/json.hpp"

namespace zeal::bench {

namespace {

bool read_all(const std::string& path, std::string& out) {
  if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0) {
    std::string cmd = "gzip -dc '" + path + "'";
    std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
    if (!p) return false;
    char buf[1 << 16];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p.get())) > 0) out.append(buf, n);
    return !out.empty();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

}  // namespace

std::optional<trace> load_trace(const std::string& path, std::string& error) {
  std::string text;
  if (!read_all(path, text)) {
    error = "cannot read " + path;
    return std::nullopt;
  }
  auto parsed = crdt::lib0::parse_json(text);
  if (!parsed) {
    error = path + ": " + parsed.err().to_string();
    return std::nullopt;
  }
  const auto& root = *parsed;
  trace t;
  if (const auto* s = root.find("startContent"); s && s->is_string()) t.start_content = s->as_string();
  if (const auto* s = root.find("endContent"); s && s->is_string()) t.end_content = s->as_string();
  const auto* txns = root.find("txns");
  if (!txns || !txns->is_array()) {
    error = path + ": no txns array";
    return std::nullopt;
  }
  t.txns.reserve(txns->as_array().size());
  for (const auto& txn : txns->as_array()) {
    const auto* patches = txn.find("patches");
    if (!patches || !patches->is_array()) continue;
    std::vector<trace_patch> out;
    for (const auto& p : patches->as_array()) {
      if (!p.is_array() || p.as_array().size() != 3) {
        error = path + ": malformed patch";
        return std::nullopt;
      }
      const auto& a = p.as_array();
      out.push_back({static_cast<std::uint64_t>(a[0].as_number()),
                     static_cast<std::uint64_t>(a[1].as_number()),
                     a[2].is_string() ? a[2].as_string() : std::string()});
    }
    t.txns.push_back(std::move(out));
  }
  return t;
}

}  // namespace zeal::bench
