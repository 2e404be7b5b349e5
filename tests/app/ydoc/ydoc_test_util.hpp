#pragma once

// Helpers for the zeal-ydoc test suites: hex, a temporary directory, files, the Yjs fixture manifest,
// and a way to run a command line through parse_cli + run_command with captured output.

#include <stdlib.h>  // mkdtemp

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "app/ydoc/cli_options.hpp"
#include "app/ydoc/commands.hpp"
#include "crdt/lib0/any.hpp"
#include "crdt/lib0/bytes.hpp"
#include "crdt/lib0/json.hpp"

namespace zeal::ydoc::test {

inline crdt::bytes unhex(std::string_view hex) {
  crdt::bytes out;
  auto nibble = [](char c) -> std::uint8_t {
    if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
    return static_cast<std::uint8_t>(c - 'a' + 10);
  };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return out;
}

inline std::string hex(crdt::bytes_view b) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (auto x : b) {
    out.push_back(digits[x >> 4]);
    out.push_back(digits[x & 15]);
  }
  return out;
}

inline std::string hex(std::string_view s) {
  return hex(crdt::bytes_view(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

/// A directory made with mkdtemp under /tmp, removed with its contents on destruction.
class temp_dir {
 public:
  temp_dir() {
    std::string tmpl = "/tmp/zeal-ydoc-test-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

  /// Writes `data` to a file in this directory and returns its path.
  std::string write(std::string_view name, crdt::bytes_view data) const {
    auto p = file(name);
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
    return p;
  }

 private:
  std::string path_;
};

inline crdt::bytes read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return crdt::bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline std::string fixture_dir() {
  return ZEAL_SOURCE_DIR "/tests/fixtures/yjs";
}

inline crdt::bytes fixture_bytes(std::string_view file) {
  return read_bytes(fixture_dir() + "/" + std::string(file));
}

/// The parsed manifest.json of the Yjs fixtures (parsed once).
inline const crdt::lib0::any& manifest() {
  static const crdt::lib0::any m = [] {
    std::ifstream in(fixture_dir() + "/manifest.json");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto parsed = crdt::lib0::parse_json(text);
    if (!parsed) throw std::runtime_error("cannot parse the fixture manifest");
    return *parsed;
  }();
  return m;
}

/// One case of the manifest by name; throws if absent.
inline const crdt::lib0::any& fixture_case(std::string_view name) {
  for (const auto& c : manifest().find("cases")->as_array()) {
    if (c.find("name")->as_string() == name) return c;
  }
  throw std::runtime_error("no fixture case " + std::string(name));
}

inline const std::string& field(const crdt::lib0::any& c, std::string_view key) {
  return c.find(key)->as_string();
}

/// The input files of a case (v1 or v2 names).
inline std::vector<std::string> fixture_inputs(const crdt::lib0::any& c, std::string_view format) {
  std::vector<std::string> out;
  for (const auto& in : c.find("inputs")->as_array()) out.push_back(in.find(format)->as_string());
  return out;
}

/// What one run of zeal-ydoc produced.
struct run_result {
  int code = -1;
  std::string out;
  std::string err;
};

/// Parses `args` like main() does and runs the command; a usage error gives exit_usage with the message
/// in err. `stdin_data` is what `-` reads.
inline run_result run(const std::vector<std::string>& args, std::string_view stdin_data = {}) {
  run_result r;
  std::string error;
  auto opts = parse_cli(args, error);
  if (!opts) {
    r.code = exit_usage;
    r.err = error;
    return r;
  }
  std::istringstream in{std::string(stdin_data)};
  auto* saved = std::cin.rdbuf(in.rdbuf());
  std::ostringstream out, err;
  r.code = run_command(*opts, out, err);
  std::cin.rdbuf(saved);
  std::cin.clear();
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace zeal::ydoc::test
