#include "crdt/protocol/hocuspocus.hpp"

#include <string>

namespace zeal::crdt::protocol::hocuspocus {

namespace {

auth_message read_auth(lib0::decoder& d) {
  const std::size_t type_offset = d.offset();
  const std::uint64_t type = d.read_var_uint();
  auth_message m;
  switch (type) {
    case 0:
      m.type = auth_type::token;
      if (!d.at_end()) {
        m.has_token = true;
        m.token = d.read_var_string_view();
      }
      if (!d.at_end()) {
        m.has_provider_version = true;
        m.provider_version = d.read_var_string_view();
      }
      return m;
    case 1:
      m.type = auth_type::permission_denied;
      m.reason = d.read_var_string_view();
      return m;
    case 2:
      m.type = auth_type::authenticated;
      m.scope = d.read_var_string_view();
      return m;
    default:
      throw decode_error("unknown auth message type " + std::to_string(type), type_offset);
  }
}

lib0::encoder start(std::string_view document, message_type type) {
  lib0::encoder e;
  e.write_var_string(document);
  e.write_var_uint(static_cast<std::uint64_t>(type));
  return e;
}

bytes encode_sync_like(std::string_view document, message_type outer, sync_type type, bytes_view payload) {
  auto e = start(document, outer);
  write_sync_message(e, type, payload);
  return e.take();
}

bytes encode_auth(std::string_view document, const auth_message& m) {
  auto e = start(document, message_type::auth);
  e.write_var_uint(static_cast<std::uint64_t>(m.type));
  switch (m.type) {
    case auth_type::token:
      if (m.has_token || m.has_provider_version) e.write_var_string(m.token);
      if (m.has_provider_version) e.write_var_string(m.provider_version);
      break;
    case auth_type::permission_denied:
      e.write_var_string(m.reason);
      break;
    case auth_type::authenticated:
      e.write_var_string(m.scope);
      break;
  }
  return e.take();
}

bytes encode_text(std::string_view document, message_type type, std::string_view text) {
  auto e = start(document, type);
  e.write_var_string(text);
  return e.take();
}

}  // namespace

std::string_view to_string(message_type t) {
  switch (t) {
    case message_type::sync:
      return "Sync";
    case message_type::awareness:
      return "Awareness";
    case message_type::auth:
      return "Auth";
    case message_type::query_awareness:
      return "QueryAwareness";
    case message_type::sync_reply:
      return "SyncReply";
    case message_type::stateless:
      return "Stateless";
    case message_type::broadcast_stateless:
      return "BroadcastStateless";
    case message_type::close:
      return "Close";
    case message_type::sync_status:
      return "SyncStatus";
    case message_type::ping:
      return "Ping";
    case message_type::pong:
      return "Pong";
  }
  return "?";
}

result<message> decode_message(bytes_view frame) {
  message m;
  // A named frame takes at least 2 bytes (empty name + type): a single byte can only be Ping/Pong.
  if (frame.size() == 1) {
    if (frame[0] == static_cast<std::uint8_t>(message_type::ping)) {
      m.type = message_type::ping;
      return m;
    }
    if (frame[0] == static_cast<std::uint8_t>(message_type::pong)) {
      m.type = message_type::pong;
      return m;
    }
  }
  try {
    lib0::decoder d(frame);
    m.document_name = d.read_var_string_view();
    const std::size_t type_offset = d.offset();
    const std::uint64_t type = d.read_var_uint();
    switch (type) {
      case 0:
      case 4:
        m.type = static_cast<message_type>(type);
        m.sync = read_sync_message(d);
        break;
      case 1:
        m.type = message_type::awareness;
        m.awareness = d.read_var_bytes();
        m.awareness_offset = d.offset() - m.awareness.size();
        break;
      case 2:
        m.type = message_type::auth;
        m.auth = read_auth(d);
        break;
      case 3:
        m.type = message_type::query_awareness;
        break;
      case 5:
      case 6:
        m.type = static_cast<message_type>(type);
        m.text = d.read_var_string_view();
        m.has_text = true;
        break;
      case 7:
        m.type = message_type::close;
        if (!d.at_end()) {
          m.text = d.read_var_string_view();
          m.has_text = true;
        }
        break;
      case 8: {
        m.type = message_type::sync_status;
        const std::size_t status_offset = d.offset();
        const std::uint64_t status = d.read_var_uint();
        if (status > 1) throw decode_error("sync status " + std::to_string(status), status_offset);
        m.applied = status == 1;
        break;
      }
      default:
        // 9/10 inside a named frame included: Ping/Pong are bare.
        throw decode_error("unknown message type " + std::to_string(type), type_offset);
    }
    return m;
  } catch (const decode_error& e) {
    return e.err();
  }
}

routing_key split_document_name(std::string_view key) {
  routing_key out;
  const auto sep = key.find('\0');
  if (sep == std::string_view::npos) {
    out.document_name = key;
    return out;
  }
  out.document_name = key.substr(0, sep);
  out.session_id = key.substr(sep + 1);
  out.has_session = true;
  return out;
}

bytes encode_sync(std::string_view document, sync_type type, bytes_view payload) {
  return encode_sync_like(document, message_type::sync, type, payload);
}

bytes encode_sync_reply(std::string_view document, sync_type type, bytes_view payload) {
  return encode_sync_like(document, message_type::sync_reply, type, payload);
}

bytes encode_awareness(std::string_view document, bytes_view awareness_update) {
  auto e = start(document, message_type::awareness);
  e.write_var_bytes(awareness_update);
  return e.take();
}

bytes encode_token(std::string_view document, std::string_view token) {
  auth_message m;
  m.type = auth_type::token;
  m.has_token = true;
  m.token = token;
  return encode_auth(document, m);
}

bytes encode_token(std::string_view document, std::string_view token, std::string_view provider_version) {
  auth_message m;
  m.type = auth_type::token;
  m.has_token = true;
  m.token = token;
  m.has_provider_version = true;
  m.provider_version = provider_version;
  return encode_auth(document, m);
}

bytes encode_token_request(std::string_view document) {
  auth_message m;
  m.type = auth_type::token;
  return encode_auth(document, m);
}

bytes encode_permission_denied(std::string_view document, std::string_view reason) {
  auth_message m;
  m.type = auth_type::permission_denied;
  m.reason = reason;
  return encode_auth(document, m);
}

bytes encode_authenticated(std::string_view document, bool readonly) {
  auth_message m;
  m.type = auth_type::authenticated;
  m.scope = readonly ? "readonly" : "read-write";
  return encode_auth(document, m);
}

bytes encode_query_awareness(std::string_view document) {
  return start(document, message_type::query_awareness).take();
}

bytes encode_stateless(std::string_view document, std::string_view payload) {
  return encode_text(document, message_type::stateless, payload);
}

bytes encode_broadcast_stateless(std::string_view document, std::string_view payload) {
  return encode_text(document, message_type::broadcast_stateless, payload);
}

bytes encode_close(std::string_view document) {
  return start(document, message_type::close).take();
}

bytes encode_close(std::string_view document, std::string_view reason) {
  return encode_text(document, message_type::close, reason);
}

bytes encode_sync_status(std::string_view document, bool applied) {
  auto e = start(document, message_type::sync_status);
  e.write_var_uint(applied ? 1 : 0);
  return e.take();
}

bytes encode_ping() {
  return {static_cast<std::uint8_t>(message_type::ping)};
}
bytes encode_pong() {
  return {static_cast<std::uint8_t>(message_type::pong)};
}

bytes encode_message(const message& m) {
  switch (m.type) {
    case message_type::sync:
    case message_type::sync_reply:
      return encode_sync_like(m.document_name, m.type, m.sync.type, m.sync.payload);
    case message_type::awareness:
      return encode_awareness(m.document_name, m.awareness);
    case message_type::auth:
      return encode_auth(m.document_name, m.auth);
    case message_type::query_awareness:
      return encode_query_awareness(m.document_name);
    case message_type::stateless:
    case message_type::broadcast_stateless:
      return encode_text(m.document_name, m.type, m.text);
    case message_type::close:
      return m.has_text ? encode_close(m.document_name, m.text) : encode_close(m.document_name);
    case message_type::sync_status:
      return encode_sync_status(m.document_name, m.applied);
    case message_type::ping:
      return encode_ping();
    case message_type::pong:
      return encode_pong();
  }
  return {};
}

}  // namespace zeal::crdt::protocol::hocuspocus
