#pragma once

// Helpers for the crdt/doc test suites.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/lib0/bytes.hpp"

namespace zeal::crdt::test {

inline bytes unhex(std::string_view hex) {
  bytes out;
  auto nibble = [](char c) -> std::uint8_t {
    if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
    return static_cast<std::uint8_t>(c - 'a' + 10);
  };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return out;
}

inline std::string hex(bytes_view b) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (auto x : b) {
    out.push_back(digits[x >> 4]);
    out.push_back(digits[x & 15]);
  }
  return out;
}

}  // namespace zeal::crdt::test
