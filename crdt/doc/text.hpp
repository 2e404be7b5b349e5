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
  std::uint64_t length() const;
  std::string to_string() const;
  void insert(std::uint64_t index, std::string_view utf8, const text_attributes& attrs = {});
  void insert_embed(std::uint64_t index, const lib0::any& embed, const text_attributes& attrs = {});
  void remove(std::uint64_t index, std::uint64_t len);
  void format(std::uint64_t index, std::uint64_t len, const text_attributes& attrs);
  std::vector<delta_op> delta() const;
};

}  // namespace zeal::crdt
