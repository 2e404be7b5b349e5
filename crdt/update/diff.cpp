// diff_update: a port of Yjs diffUpdateV2 (src/utils/updates.js): drops what the state vector covers,
// writes the first new struct of each client from the right offset, and keeps the delete set as read.
#include <algorithm>
#include <utility>

#include "crdt/update/lazy_reader.hpp"
#include "crdt/update/lazy_writer.hpp"
#include "crdt/update/update.hpp"
#include "crdt/update/update_encoder.hpp"

namespace zeal::crdt {

result<bytes> diff_update(bytes_view update, bytes_view state_vector, update_format format) {
  auto sv = state_vector::decode(state_vector);
  if (!sv) return sv.err();
  auto decoded = decode_update(update, format);
  if (!decoded) return decoded.err();
  lazy_reader reader(std::move(decoded).value(), false);
  auto enc = make_update_encoder(format);
  lazy_writer writer(*enc);
  while (reader.curr() != nullptr) {
    const block& curr = *reader.curr();
    const auto curr_client = block_id(curr).client;
    const auto sv_clock = sv->get(curr_client);
    if (std::holds_alternative<skip_block>(curr)) {
      reader.next();  // the first written struct shouldn't be a Skip
      continue;
    }
    const auto clock = block_id(curr).clock;
    if (clock + block_length(curr) > sv_clock) {
      writer.write(curr, sv_clock > clock ? sv_clock - clock : 0);
      reader.next();
      while (reader.curr() != nullptr && block_id(*reader.curr()).client == curr_client) {
        writer.write(*reader.curr(), 0);
        reader.next();
      }
    } else {
      // read until something new comes up
      while (reader.curr() != nullptr && block_id(*reader.curr()).client == curr_client &&
             block_id(*reader.curr()).clock + block_length(*reader.curr()) <= sv_clock) {
        reader.next();
      }
    }
  }
  writer.finish();
  reader.delete_set().write(*enc);
  return enc->to_bytes();
}

}  // namespace zeal::crdt
