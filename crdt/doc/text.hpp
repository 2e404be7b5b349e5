#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/doc/handle.hpp"

namespace zeal::crdt {

/// One op of a text delta: `insert` is a string or an embed value.
struct delta_op {
  lib0::any insert;
  text_attributes attributes;
};

/// Y.Text handle. Indexes and lengths are UTF-16 code units.
class text : public type_handle {
 public:
  using type_handle::type_handle;
  /// Visible length in UTF-16 units (embeds count 1).
  std::uint64_t length() const;
  /// YText.toString(): the String contents (embeds and formats skipped).
  std::string to_string() const;
  /// Y.Text.insert. Empty `attrs` behaves like Yjs's insert(index, text) without attributes: the text
  /// inherits the formatting at the position (and a search marker is used). Invalid UTF-8 is ignored.
  void insert(std::uint64_t index, std::string_view utf8, const text_attributes& attrs = {});
  /// Y.Text.insertEmbed (empty `attrs` = no attributes: the embed is not formatted).
  void insert_embed(std::uint64_t index, const lib0::any& embed, const text_attributes& attrs = {});
  /// Y.Text.delete.
  void remove(std::uint64_t index, std::uint64_t len);
  /// Y.Text.format; a null value removes that format.
  void format(std::uint64_t index, std::uint64_t len, const text_attributes& attrs);
  /// Y.Text.toDelta() (no snapshots); attributes in Yjs's order.
  std::vector<delta_op> delta() const;
};

}  // namespace zeal::crdt
