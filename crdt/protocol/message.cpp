#include "crdt/protocol/message.hpp"

#include <string>

namespace zeal::crdt::protocol {

auth_message read_auth_message(lib0::decoder& d) {
  const std::size_t type_offset = d.offset();
  const std::uint64_t type = d.read_var_uint();
  auth_message m;
  switch (type) {
    case 0:
      m.type = auth_type::permission_denied;
      m.reason = d.read_var_string_view();
      return m;
    case 1:
      m.type = auth_type::permission_granted;
      return m;
    default:
      throw decode_error("unknown auth message type " + std::to_string(type), type_offset);
  }
}

void write_auth_message(lib0::encoder& e, const auth_message& m) {
  e.write_var_uint(static_cast<std::uint64_t>(m.type));
  if (m.type == auth_type::permission_denied) e.write_var_string(m.reason);
}

std::string_view to_string(message_type t) {
  switch (t) {
    case message_type::sync:
      return "sync";
    case message_type::awareness:
      return "awareness";
    case message_type::auth:
      return "auth";
    case message_type::query_awareness:
      return "query_awareness";
    case message_type::custom:
      return "custom";
  }
  return "?";
}

result<message> decode_message(bytes_view frame) {
  try {
    lib0::decoder d(frame);
    message m;
    const std::uint64_t type = d.read_var_uint();
    switch (type) {
      case 0:
        m.type = message_type::sync;
        m.sync = read_sync_message(d);
        break;
      case 1: {
        m.type = message_type::awareness;
        const std::uint64_t len = d.read_var_uint();
        m.awareness_offset = d.offset();
        if (len > d.remaining()) d.fail("awareness update length exceeds frame");
        m.awareness = d.read_raw(static_cast<std::size_t>(len));
        break;
      }
      case 2:
        m.type = message_type::auth;
        m.auth = read_auth_message(d);
        break;
      case 3:
        m.type = message_type::query_awareness;
        break;
      case 4:
        m.type = message_type::custom;
        m.custom = d.read_rest();
        break;
      default:
        throw decode_error("unknown message type " + std::to_string(type), 0);
    }
    return m;
  } catch (const decode_error& e) {
    return e.err();
  }
}

bytes encode_sync_frame(sync_type type, bytes_view payload) {
  lib0::encoder e;
  e.write_var_uint(static_cast<std::uint64_t>(message_type::sync));
  write_sync_message(e, type, payload);
  return e.take();
}

bytes encode_awareness_frame(bytes_view awareness_update) {
  lib0::encoder e;
  e.write_var_uint(static_cast<std::uint64_t>(message_type::awareness));
  e.write_var_bytes(awareness_update);
  return e.take();
}

bytes encode_auth_frame(const auth_message& m) {
  lib0::encoder e;
  e.write_var_uint(static_cast<std::uint64_t>(message_type::auth));
  write_auth_message(e, m);
  return e.take();
}

bytes encode_permission_denied_frame(std::string_view reason) {
  return encode_auth_frame({auth_type::permission_denied, reason});
}

bytes encode_permission_granted_frame() {
  return encode_auth_frame({auth_type::permission_granted, {}});
}

bytes encode_query_awareness_frame() {
  lib0::encoder e;
  e.write_var_uint(static_cast<std::uint64_t>(message_type::query_awareness));
  return e.take();
}

bytes encode_custom_frame(bytes_view payload) {
  lib0::encoder e;
  e.write_var_uint(static_cast<std::uint64_t>(message_type::custom));
  e.write_raw(payload);
  return e.take();
}

bytes encode_message(const message& m) {
  switch (m.type) {
    case message_type::sync:
      return encode_sync_frame(m.sync.type, m.sync.payload);
    case message_type::awareness:
      return encode_awareness_frame(m.awareness);
    case message_type::auth:
      return encode_auth_frame(m.auth);
    case message_type::query_awareness:
      return encode_query_awareness_frame();
    case message_type::custom:
      return encode_custom_frame(m.custom);
  }
  return {};
}

}  // namespace zeal::crdt::protocol
