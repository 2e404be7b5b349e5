#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crdt/lib0/bytes.hpp"
#include "crdt/lib0/decoder.hpp"
#include "crdt/lib0/encoder.hpp"
#include "crdt/lib0/error.hpp"

namespace zeal::crdt::protocol {

/// y-protocols sync.js message subtypes.
enum class sync_type : std::uint8_t {
  step1 = 0,   // payload: encoded state vector; answer with SyncStep2
  step2 = 1,   // payload: update (the diff against the peer's state vector)
  update = 2,  // payload: update
};

std::string_view to_string(sync_type t);

/// One sync message. `payload` borrows from the decoded frame (no copy).
struct sync_message {
  sync_type type = sync_type::step1;
  bytes_view payload;
};

/// Reads varUint subtype + varUint8Array from `d` (which may sit inside a larger frame); throws
/// crdt::decode_error (absolute offset) on truncation or an unknown subtype.
sync_message read_sync_message(lib0::decoder& d);
/// Decodes a sync message from `data` (trailing bytes are ignored, as y-protocols does). Error offsets are
/// `base_offset` + position in `data`.
result<sync_message> decode_sync_message(bytes_view data, std::size_t base_offset = 0);

/// Writes varUint subtype + varUint8Array payload.
void write_sync_message(lib0::encoder& e, sync_type type, bytes_view payload);
bytes encode_sync_message(sync_type type, bytes_view payload);
inline bytes encode_sync_step1(bytes_view state_vector) {
  return encode_sync_message(sync_type::step1, state_vector);
}
inline bytes encode_sync_step2(bytes_view update) {
  return encode_sync_message(sync_type::step2, update);
}
inline bytes encode_sync_update(bytes_view update) {
  return encode_sync_message(sync_type::update, update);
}

}  // namespace zeal::crdt::protocol
