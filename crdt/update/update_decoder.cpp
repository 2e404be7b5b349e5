#include "crdt/update/update_decoder.hpp"

#include "crdt/lib0/utf.hpp"

#include "crdt/update/update_decoder_v1.hpp"
#include "crdt/update/update_decoder_v2.hpp"

namespace zeal::crdt {

std::u16string update_decoder::read_string_utf16() {
  return lib0::utf8_to_utf16(read_string());
}

std::unique_ptr<update_decoder> make_update_decoder(bytes_view data, update_format format) {
  if (format == update_format::v2) return std::make_unique<update_decoder_v2>(data);
  return std::make_unique<update_decoder_v1>(data);
}

}  // namespace zeal::crdt
