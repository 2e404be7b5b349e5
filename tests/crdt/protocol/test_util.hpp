#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crdt/lib0/bytes.hpp"

namespace zeal::crdt::protocol::test {

inline bytes from_hex(std::string_view hex) {
  auto nibble = [](char c) -> std::uint8_t {
    if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<std::uint8_t>(c - 'a' + 10);
    return static_cast<std::uint8_t>(c - 'A' + 10);
  };
  bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return out;
}

inline std::string to_hex(bytes_view data) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (auto b : data) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

inline bytes_view prefix(const bytes& b, std::size_t n) {
  return bytes_view(b.data(), n);
}

/// True if `view` points into `whole` (borrowed, not copied).
inline bool borrows_from(bytes_view view, const bytes& whole) {
  return view.empty() ||
         (view.data() >= whole.data() && view.data() + view.size() <= whole.data() + whole.size());
}

}  // namespace zeal::crdt::protocol::test
