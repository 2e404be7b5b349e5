#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace zeal::crdt {

/// Owned binary data (updates, state vectors, protocol messages).
using bytes = std::vector<std::uint8_t>;
/// Borrowed binary data.
using bytes_view = std::span<const std::uint8_t>;

}  // namespace zeal::crdt
