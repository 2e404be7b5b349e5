#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crdt/lib0/bytes.hpp"
#include "crdt/lib0/error.hpp"
#include "crdt/protocol/sync_message.hpp"

namespace zeal::crdt::protocol::hocuspocus {

/// Hocuspocus MessageType.
enum class message_type : std::uint8_t {
  sync = 0,                 // + sync message
  awareness = 1,            // + varUint8Array awareness update
  auth = 2,                 // + auth message
  query_awareness = 3,      // no payload
  sync_reply = 4,           // + sync message (a SyncStep1 answered without the server's own SyncStep1)
  stateless = 5,            // + varString payload
  broadcast_stateless = 6,  // + varString payload (server-internal: a client must not send it)
  close = 7,                // client → server: nothing; server → client: + varString reason
  sync_status = 8,          // + varUint 1 (update applied) / 0 (refused)
  ping = 9,                 // v4: a bare 1-byte frame, no document name
  pong = 10,                // v4: a bare 1-byte frame, no document name
};

std::string_view to_string(message_type t);

/// @hocuspocus/common AuthMessageType.
enum class auth_type : std::uint8_t {
  token = 0,  // client → server: token [+ providerVersion (v4)]; server → client, empty: resend
  permission_denied = 1,  // + reason
  authenticated = 2,      // + scope: "read-write" / "readonly"
};

struct auth_message {
  auth_type type = auth_type::token;
  bool has_token = false;
  std::string_view token;             // token
  bool has_provider_version = false;  // token, v4 providers
  std::string_view provider_version;
  std::string_view reason;  // permission_denied
  std::string_view scope;   // authenticated
  bool readonly() const { return scope == "readonly"; }
};

/// A decoded Hocuspocus frame; every view borrows from the frame.
struct message {
  /// The routing key: the document name, or `name \0 sessionId` for v4 session-aware providers
  /// (see split_document_name). Empty for ping/pong.
  std::string_view document_name;
  message_type type = message_type::sync;
  sync_message sync;                 // sync, sync_reply
  bytes_view awareness;              // awareness: the update inside the varUint8Array
  std::size_t awareness_offset = 0;  // awareness: its offset in the frame
  auth_message auth;                 // auth
  std::string_view text;             // stateless, broadcast_stateless payload; close reason
  bool has_text = false;             // close: whether a reason was present
  bool applied = false;              // sync_status
};

/// Decodes one frame. A frame of exactly one byte 9/10 is a v4 Ping/Pong. Unknown types, unknown sync or
/// auth subtypes, a SyncStatus other than 0/1 and truncation are errors (offsets into the frame); trailing
/// bytes after a message are ignored (as Hocuspocus does).
result<message> decode_message(bytes_view frame);

/// The document name and v4 session id of a routing key (`name \0 session`); no session: empty.
struct routing_key {
  std::string_view document_name;
  std::string_view session_id;
  bool has_session = false;
};
routing_key split_document_name(std::string_view key);

bytes encode_sync(std::string_view document, sync_type type, bytes_view payload);
bytes encode_sync_reply(std::string_view document, sync_type type, bytes_view payload);
bytes encode_awareness(std::string_view document, bytes_view awareness_update);
/// v3 providers send only the token; v4 providers add their version.
bytes encode_token(std::string_view document, std::string_view token);
bytes encode_token(std::string_view document, std::string_view token, std::string_view provider_version);
/// The server's request to (re)send the token: Auth/Token without payload.
bytes encode_token_request(std::string_view document);
bytes encode_permission_denied(std::string_view document, std::string_view reason);
/// scope "readonly" or "read-write".
bytes encode_authenticated(std::string_view document, bool readonly);
bytes encode_query_awareness(std::string_view document);
bytes encode_stateless(std::string_view document, std::string_view payload);
bytes encode_broadcast_stateless(std::string_view document, std::string_view payload);
/// Client form (no reason).
bytes encode_close(std::string_view document);
/// Server form.
bytes encode_close(std::string_view document, std::string_view reason);
bytes encode_sync_status(std::string_view document, bool applied);
bytes encode_ping();
bytes encode_pong();
/// Encodes any decoded message back (decode → encode is the identity up to trailing bytes).
bytes encode_message(const message& m);

}  // namespace zeal::crdt::protocol::hocuspocus
