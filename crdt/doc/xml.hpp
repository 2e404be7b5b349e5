#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/doc/handle.hpp"
#include "crdt/doc/text.hpp"

namespace zeal::crdt {

class xml_element;
class xml_text;

/// Y.XmlFragment handle (also the base of xml_element).
class xml_fragment : public type_handle {
 public:
  using type_handle::type_handle;
  xml_element insert_element(std::uint64_t index, std::string_view node_name);
  xml_text insert_text(std::uint64_t index);
  void remove(std::uint64_t index, std::uint64_t len);
  std::uint64_t length() const;
  /// Yjs toString().
  std::string to_string() const;
};

/// Y.XmlElement handle.
class xml_element : public xml_fragment {
 public:
  using xml_fragment::xml_fragment;
  std::string node_name() const;
  void set_attribute(std::string_view name, const lib0::any& value);
  void remove_attribute(std::string_view name);
  std::optional<lib0::any> get_attribute(std::string_view name) const;
};

/// Y.XmlText handle: a Y.Text whose toString renders formats as XML tags.
class xml_text : public text {
 public:
  using text::text;
  /// Yjs YXmlText.toString().
  std::string to_string() const;
};

}  // namespace zeal::crdt
