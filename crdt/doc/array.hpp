#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crdt/doc/handle.hpp"

namespace zeal::crdt {

class text;
class map;

/// Y.Array handle.
class array : public type_handle {
 public:
  using type_handle::type_handle;
  void insert(std::uint64_t index, const std::vector<lib0::any>& values);
  void push(const std::vector<lib0::any>& values);
  text insert_text(std::uint64_t index);
  map insert_map(std::uint64_t index);
  array insert_array(std::uint64_t index);
  void remove(std::uint64_t index, std::uint64_t len);
  std::uint64_t length() const;
  /// Element at index (nested types rendered as by to_any()); undefined if out of range.
  lib0::any get(std::uint64_t index) const;
  std::vector<lib0::any> to_vector() const;
};

}  // namespace zeal::crdt
