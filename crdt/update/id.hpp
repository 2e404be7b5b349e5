#pragma once

#include <compare>
#include <cstdint>

namespace zeal::crdt {

/// A Yjs ID: (client, clock). 64-bit here; the wire allows up to 53 bits.
struct id {
  std::uint64_t client = 0;
  std::uint64_t clock = 0;
  friend auto operator<=>(const id&, const id&) = default;
};

}  // namespace zeal::crdt
