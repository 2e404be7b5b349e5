#include "crdt/update/block.hpp"

#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "crdt/lib0/error.hpp"
#include "crdt/update/update_decoder.hpp"
#include "crdt/update/update_encoder.hpp"

namespace zeal::crdt {

namespace {

constexpr std::uint8_t gc_ref = 0;
constexpr std::uint8_t skip_ref = 10;
constexpr std::uint8_t bits5 = 0x1f;
constexpr std::uint8_t has_origin = 0x80;
constexpr std::uint8_t has_right_origin = 0x40;
constexpr std::uint8_t has_parent_sub = 0x20;

void write_item(update_encoder& enc, const item_block& item, std::uint64_t offset) {
  // Item.write: from an offset the origin is the unit just before it and no parent info is written.
  std::optional<crdt::id> origin = item.origin;
  if (offset > 0) origin = crdt::id{item.id.client, item.id.clock + offset - 1};
  const auto ref = static_cast<std::uint8_t>(item.content.ref());
  const std::uint8_t info = static_cast<std::uint8_t>(
      (ref & bits5) | (origin ? has_origin : 0) | (item.right_origin ? has_right_origin : 0) |
      (item.parent_sub || item.key_bit_without_key ? has_parent_sub : 0));
  enc.write_info(info);
  if (origin) enc.write_left_id(*origin);
  if (item.right_origin) enc.write_right_id(*item.right_origin);
  if (!origin && !item.right_origin) {
    if (const auto* name = std::get_if<std::string>(&item.parent)) {
      enc.write_parent_info(true);
      enc.write_string(*name);
    } else if (const auto* parent_id = std::get_if<crdt::id>(&item.parent)) {
      enc.write_parent_info(false);
      enc.write_left_id(*parent_id);
    } else {
      // Yjs: error.unexpectedCase(). Only reachable by constructing such an item by hand.
      throw std::logic_error("write_block: item without origin, right origin or parent");
    }
    if (item.parent_sub) enc.write_string(*item.parent_sub);
  }
  item.content.write(enc, offset);
}

}  // namespace

std::uint64_t block_length(const block& b) {
  return std::visit(
      [](const auto& x) -> std::uint64_t {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, item_block>) {
          return x.content.length();
        } else {
          return x.length;
        }
      },
      b);
}

void write_block(update_encoder& enc, const block& b, std::uint64_t offset) {
  if (const auto* gc = std::get_if<gc_block>(&b)) {
    enc.write_info(gc_ref);
    enc.write_len(gc->length - offset);
  } else if (const auto* skip = std::get_if<skip_block>(&b)) {
    enc.write_info(skip_ref);
    // Skip lengths always go to the rest stream (Skip.write uses encoding.writeVarUint on restEncoder).
    enc.rest().write_var_uint(skip->length - offset);
  } else {
    write_item(enc, std::get<item_block>(b), offset);
  }
}

block read_block(update_decoder& dec, crdt::id at) {
  block result;
  read_block_into(dec, at, result);
  return result;
}

void read_block_into(update_decoder& dec, crdt::id at, block& result) {
  const auto info_at = dec.rest().offset();
  const std::uint8_t info = dec.read_info();
  const std::uint8_t ref = info & bits5;
  if (ref == gc_ref) {
    result = gc_block{at, dec.read_len()};
  } else if (ref == skip_ref) {
    result = skip_block{at, dec.rest().read_var_uint()};
  } else {
    if (ref > skip_ref) throw decode_error("unknown content ref " + std::to_string(ref), info_at);
    // Built in place: an item_block is large, and moving it into the variant costs per struct.
    auto& item = result.emplace<item_block>();
    item.id = at;
    if (info & has_origin) item.origin = dec.read_left_id();
    if (info & has_right_origin) item.right_origin = dec.read_right_id();
    if ((info & (has_origin | has_right_origin)) == 0) {
      // Parent info only when there is no neighbour to copy parent and parentSub from.
      if (dec.read_parent_info()) {
        item.parent = dec.read_string();
      } else {
        item.parent = dec.read_left_id();
      }
      if (info & has_parent_sub) item.parent_sub = dec.read_string();
    } else {
      item.key_bit_without_key = (info & has_parent_sub) != 0;
    }
    item.content = content::read(dec, ref);
  }
  if (block_length(result) == 0) throw decode_error("struct of length 0", info_at);
}

block slice_block(const block& b, std::uint64_t diff) {
  if (const auto* gc = std::get_if<gc_block>(&b)) {
    return gc_block{{gc->id.client, gc->id.clock + diff}, gc->length - diff};
  }
  if (const auto* skip = std::get_if<skip_block>(&b)) {
    return skip_block{{skip->id.client, skip->id.clock + diff}, skip->length - diff};
  }
  const auto& left = std::get<item_block>(b);
  item_block right;
  right.id = {left.id.client, left.id.clock + diff};
  right.origin = crdt::id{left.id.client, left.id.clock + diff - 1};
  right.right_origin = left.right_origin;
  right.parent = left.parent;
  right.parent_sub = left.parent_sub;
  right.key_bit_without_key = left.key_bit_without_key;
  crdt::content copy = left.content;
  right.content = copy.split(diff);
  return right;
}

}  // namespace zeal::crdt
