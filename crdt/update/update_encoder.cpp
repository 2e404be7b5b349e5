#include "crdt/update/update_encoder.hpp"

#include "crdt/update/update_encoder_v1.hpp"
#include "crdt/update/update_encoder_v2.hpp"

namespace zeal::crdt {

std::unique_ptr<update_encoder> make_update_encoder(update_format format) {
  if (format == update_format::v2) return std::make_unique<update_encoder_v2>();
  return std::make_unique<update_encoder_v1>();
}

}  // namespace zeal::crdt
