#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crdt/lib0/bytes.hpp"
#include "crdt/lib0/error.hpp"
#include "crdt/protocol/sync_message.hpp"

namespace zeal::crdt::protocol {

/// y-protocols auth.js subtypes (yrs adds granted).
enum class auth_type : std::uint8_t {
  permission_denied = 0,   // + varString reason
  permission_granted = 1,  // yrs: no payload
};

/// An auth message; `reason` borrows from the frame (permission_denied only).
struct auth_message {
  auth_type type = auth_type::permission_denied;
  std::string_view reason;
};

/// Reads varUint subtype (+ reason); unknown subtypes are an error.
auth_message read_auth_message(lib0::decoder& d);
void write_auth_message(lib0::encoder& e, const auth_message& m);

/// y-websocket outer message types.
enum class message_type : std::uint8_t {
  sync = 0,             // + sync message
  awareness = 1,        // + varUint8Array awareness update
  auth = 2,             // + auth message
  query_awareness = 3,  // no payload; answer with all awareness states
  custom = 4,           // Zeal: the rest of the frame, relayed raw
};

std::string_view to_string(message_type t);

/// A decoded y-websocket frame; every view borrows from the frame.
struct message {
  message_type type = message_type::sync;
  sync_message sync;                 // type sync
  bytes_view awareness;              // type awareness: the awareness update (inside the varUint8Array)
  std::size_t awareness_offset = 0;  // type awareness: offset of the update in the frame
  auth_message auth;                 // type auth
  bytes_view custom;                 // type custom: everything after the type
};

/// Decodes one frame (one message per frame; trailing bytes after the message are ignored, as y-websocket
/// does). Unknown outer types, unknown sync/auth subtypes and truncation are errors with frame offsets.
result<message> decode_message(bytes_view frame);

bytes encode_sync_frame(sync_type type, bytes_view payload);
inline bytes encode_sync_step1_frame(bytes_view state_vector) {
  return encode_sync_frame(sync_type::step1, state_vector);
}
inline bytes encode_sync_step2_frame(bytes_view update) {
  return encode_sync_frame(sync_type::step2, update);
}
inline bytes encode_update_frame(bytes_view update) {
  return encode_sync_frame(sync_type::update, update);
}
bytes encode_awareness_frame(bytes_view awareness_update);
bytes encode_auth_frame(const auth_message& m);
bytes encode_permission_denied_frame(std::string_view reason);
bytes encode_permission_granted_frame();
bytes encode_query_awareness_frame();
bytes encode_custom_frame(bytes_view payload);
/// Encodes any decoded message back (decode → encode is the identity up to trailing bytes).
bytes encode_message(const message& m);

}  // namespace zeal::crdt::protocol
