#pragma once

// Hex helpers for the update-layer tests.

#include <cstdint>
#include <string>
#include <string_view>

#include "crdt/lib0/bytes.hpp"

namespace zeal::crdt::test {

inline bytes from_hex(std::string_view hex) {
  auto nibble = [](char c) -> std::uint8_t {
    if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<std::uint8_t>(c - 'a' + 10);
    return static_cast<std::uint8_t>(c - 'A' + 10);
  };
  bytes out;
  std::uint8_t hi = 0;
  bool have_hi = false;
  for (char c : hex) {
    if (c == ' ' || c == '|') continue;
    if (!have_hi) {
      hi = nibble(c);
      have_hi = true;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi << 4 | nibble(c)));
      have_hi = false;
    }
  }
  return out;
}

inline std::string to_hex(bytes_view data) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (auto b : data) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

}  // namespace zeal::crdt::test
