#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "crdt/lib0/bytes.hpp"
#include "crdt/lib0/error.hpp"
#include "crdt/update/block.hpp"
#include "crdt/update/delete_set.hpp"
#include "crdt/update/state_vector.hpp"
#include "crdt/update/update_format.hpp"

namespace zeal::crdt {

/// One client's consecutive structs in an update.
struct client_blocks {
  std::uint64_t client = 0;
  std::vector<block> blocks;  // ascending clocks, first at its encoded first clock
};

/// A fully decoded update: struct groups in wire order, then the delete set.
struct decoded_update {
  std::vector<client_blocks> clients;
  crdt::delete_set delete_set;
};

/// Decodes a whole update; the error names the problem and the byte offset. Trailing bytes are ignored,
/// as Yjs does.
result<decoded_update> decode_update(bytes_view data, update_format format);
/// Encodes clients in the order given (Yjs writes descending client ids).
bytes encode_update(const decoded_update& u, update_format format);

// Doc-less operations (Yjs utils/updates.js), with Skip structs over gaps exactly as Yjs writes them.
result<bytes> merge_updates(std::span<const bytes_view> updates, update_format format);
result<bytes> diff_update(bytes_view update, bytes_view state_vector, update_format format);
result<bytes> state_vector_from_update(bytes_view update, update_format format);
result<bytes> convert_update(bytes_view update, update_format from, update_format to);

/// The empty update: v1 `00 00`, v2 `00 00 00 00 00 00 01 00 00 00 00 00 00`.
bytes empty_update(update_format format);

}  // namespace zeal::crdt
