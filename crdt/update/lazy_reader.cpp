#include "crdt/update/lazy_reader.hpp"

#include <utility>

namespace zeal::crdt {

lazy_reader::lazy_reader(decoded_update u, bool filter_skips)
    : filter_skips_(filter_skips), ds_(std::move(u.delete_set)) {
  std::size_t n = 0;
  for (const auto& group : u.clients) n += group.blocks.size();
  blocks_.reserve(n);
  for (auto& group : u.clients) {
    for (auto& b : group.blocks) {
      // Yjs's lazy reader never keeps the key bit of an item that has a neighbour.
      if (auto* item = std::get_if<item_block>(&b)) item->key_bit_without_key = false;
      blocks_.push_back(std::move(b));
    }
  }
  skip_filtered();
}

block* lazy_reader::next() {
  if (pos_ < blocks_.size()) ++pos_;
  skip_filtered();
  return curr();
}

void lazy_reader::skip_filtered() {
  if (!filter_skips_) return;
  while (pos_ < blocks_.size() && std::holds_alternative<skip_block>(blocks_[pos_])) ++pos_;
}

}  // namespace zeal::crdt
