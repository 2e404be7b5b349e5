#pragma once

// lib0 varUint writing and reading for the generator's hand-built frames and updates.

#include <cstddef>
#include <cstdint>

#include "crdt/lib0/bytes.hpp"

namespace zeal::bench::load {

inline void put_var_uint(crdt::bytes& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

/// Reads a varUint at `pos`; false on truncation.
inline bool get_var_uint(crdt::bytes_view m, std::size_t& pos, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && pos < m.size(); shift += 7) {
    const std::uint8_t b = m[pos++];
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace zeal::bench::load
