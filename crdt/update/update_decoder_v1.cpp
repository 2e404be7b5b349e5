#include "crdt/update/update_decoder_v1.hpp"

#include "crdt/lib0/json.hpp"
#include "crdt/lib0/utf.hpp"

namespace zeal::crdt {

id update_decoder_v1::read_left_id() {
  id out;
  out.client = rest_.read_var_uint();
  out.clock = rest_.read_var_uint();
  return out;
}

std::u16string update_decoder_v1::read_string_utf16() {
  return lib0::utf8_to_utf16(rest_.read_var_string_view());
}

std::uint8_t update_decoder_v1::read_type_ref() {
  std::size_t start = rest_.offset();
  std::uint64_t v = rest_.read_var_uint();
  if (v > 0xFF) throw decode_error("type ref out of range", start);
  return static_cast<std::uint8_t>(v);
}

bytes update_decoder_v1::read_buf() {
  auto b = rest_.read_var_bytes();
  return bytes(b.begin(), b.end());
}

lib0::any update_decoder_v1::read_json() {
  std::size_t start = rest_.offset();
  auto text = rest_.read_var_string_view();
  auto parsed = lib0::parse_json(text);
  if (!parsed) throw decode_error("invalid JSON: " + parsed.err().message, start);
  return std::move(parsed).value();
}

}  // namespace zeal::crdt
