#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "crdt/update/content.hpp"
#include "crdt/update/id.hpp"

namespace zeal::crdt {

class update_encoder;
class update_decoder;

struct gc_block {
  crdt::id id;
  std::uint64_t length = 0;
};

/// A hole in a merged update (struct ref 10). Never stored in a document.
struct skip_block {
  crdt::id id;
  std::uint64_t length = 0;
};

/// How a decoded item names its parent when it has neither origin nor right origin.
/// monostate: not encoded (copy from the neighbour); string: a root type's name; id: the item holding
/// the parent type.
using parent_ref = std::variant<std::monostate, std::string, crdt::id>;

/// An item as it travels in an update (not yet integrated).
struct item_block {
  crdt::id id;
  std::optional<crdt::id> origin;
  std::optional<crdt::id> right_origin;
  parent_ref parent;
  std::optional<std::string> parent_sub;
  /// The info byte had the map-key bit (0x20) but, the item having a neighbour, no key was encoded (Yjs
  /// sets the bit when it encodes from a document). Kept so that decode → encode gives identical bytes;
  /// the doc-less operations drop it, as Yjs's do.
  bool key_bit_without_key = false;
  crdt::content content;

  std::uint64_t length() const { return content.length(); }
};

using block = std::variant<gc_block, skip_block, item_block>;

inline const crdt::id& block_id(const block& b) {
  return std::visit([](const auto& x) -> const crdt::id& { return x.id; }, b);
}
std::uint64_t block_length(const block& b);

/// Writes one struct from `offset` (Yjs struct.write(encoder, offset)): an item written from an offset
/// gets origin (client, clock+offset−1) and no parent info; GC/Skip write length − offset.
void write_block(update_encoder& enc, const block& b, std::uint64_t offset);

/// Reads one struct whose id is `at` (info byte first). Throws decode_error (also for structs of length 0,
/// which Yjs never writes).
block read_block(update_decoder& dec, crdt::id at);
/// read_block into `out` (a default-constructed block, e.g. just emplaced into a vector): no move of the
/// decoded struct.
void read_block_into(update_decoder& dec, crdt::id at, block& out);

/// Yjs sliceStruct (utils/updates.js): the part of `b` from `diff` on (precondition 0 < diff < length;
/// an item's content must be splittable). An item slice gets origin (client, clock+diff−1) and keeps
/// rightOrigin, parent and parentSub.
block slice_block(const block& b, std::uint64_t diff);

}  // namespace zeal::crdt
