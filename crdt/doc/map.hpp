#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/doc/handle.hpp"

namespace zeal::crdt {

class text;
class array;

/// Y.Map handle.
class map : public type_handle {
 public:
  using type_handle::type_handle;
  void set(std::string_view key, const lib0::any& value);
  text set_text(std::string_view key);
  map set_map(std::string_view key);
  array set_array(std::string_view key);
  void remove(std::string_view key);
  /// The current value; nested types rendered as by to_any().
  std::optional<lib0::any> get(std::string_view key) const;
  /// Nested type handles (invalid handle if the key does not hold that type).
  text get_text(std::string_view key) const;
  map get_map(std::string_view key) const;
  array get_array(std::string_view key) const;
  bool has(std::string_view key) const;
  std::vector<std::string> keys() const;  // sorted
  std::size_t size() const;
};

}  // namespace zeal::crdt
