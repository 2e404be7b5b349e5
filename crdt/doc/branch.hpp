#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "crdt/doc/item.hpp"
#include "crdt/update/content.hpp"

namespace zeal::crdt {

/// Yjs ArraySearchMarker.
struct search_marker {
  item* p = nullptr;
  std::uint64_t index = 0;
  std::uint64_t timestamp = 0;
};

/// A shared type's state inside a document (Yjs AbstractType): list start, map (key → RIGHTMOST item of
/// the key's chain) and visible length. Root types are created untyped (placeholders) when an update
/// names them; get_text()/get_map()/... give them a type.
class branch {
 public:
  item* start = nullptr;
  std::unordered_map<const std::string*, item*> map;  // interned key → current (rightmost) item
  std::uint64_t length = 0;
  item* owner = nullptr;                   // the item holding this type (null for roots)
  const std::string* root_name = nullptr;  // for roots
  bool typed = false;                      // false: a root placeholder of unknown type
  type_ref ref = type_ref::array;
  std::string name;  // XML node name / hook name
  bool has_formatting = false;
  bool markers_enabled = false;  // Yjs: YArray / YText keep search markers
  bool gced = false;             // the holding item was garbage collected
  std::vector<search_marker> markers;

  bool is_root() const { return owner == nullptr && root_name != nullptr; }
};

}  // namespace zeal::crdt
