#include "crdt/protocol/sync_message.hpp"

namespace zeal::crdt::protocol {

std::string_view to_string(sync_type t) {
  switch (t) {
    case sync_type::step1:
      return "SyncStep1";
    case sync_type::step2:
      return "SyncStep2";
    case sync_type::update:
      return "Update";
  }
  return "?";
}

sync_message read_sync_message(lib0::decoder& d) {
  const std::size_t type_offset = d.offset();
  const std::uint64_t type = d.read_var_uint();
  if (type > 2) throw decode_error("unknown sync message type " + std::to_string(type), type_offset);
  sync_message m;
  m.type = static_cast<sync_type>(type);
  m.payload = d.read_var_bytes();
  return m;
}

result<sync_message> decode_sync_message(bytes_view data, std::size_t base_offset) {
  try {
    lib0::decoder d(data, base_offset);
    return read_sync_message(d);
  } catch (const decode_error& e) {
    return e.err();
  }
}

void write_sync_message(lib0::encoder& e, sync_type type, bytes_view payload) {
  e.write_var_uint(static_cast<std::uint64_t>(type));
  e.write_var_bytes(payload);
}

bytes encode_sync_message(sync_type type, bytes_view payload) {
  lib0::encoder e;
  write_sync_message(e, type, payload);
  return e.take();
}

}  // namespace zeal::crdt::protocol
