#include "crdt/update/update_encoder.hpp"

#include "crdt/lib0/utf.hpp"

#include "crdt/update/update_encoder_v1.hpp"
#include "crdt/update/update_encoder_v2.hpp"

namespace zeal::crdt {

void update_encoder::write_string_utf16(std::u16string_view utf16) {
  write_string(lib0::utf16_to_utf8(utf16));
}

std::unique_ptr<update_encoder> make_update_encoder(update_format format) {
  if (format == update_format::v2) return std::make_unique<update_encoder_v2>();
  return std::make_unique<update_encoder_v1>();
}

}  // namespace zeal::crdt
