#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "crdt/update/content.hpp"
#include "crdt/update/id.hpp"

namespace zeal::crdt {

class branch;

/// One struct of the store: an Item, or a GC struct (flag gc; then only id/length are meaningful).
/// Items live in an item_pool (stable addresses) and are linked left/right inside their parent's list.
struct item {
  static constexpr std::uint8_t f_keep = 1;
  static constexpr std::uint8_t f_countable = 2;
  static constexpr std::uint8_t f_deleted = 4;
  static constexpr std::uint8_t f_marker = 8;
  static constexpr std::uint8_t f_gc = 16;
  static constexpr std::uint8_t f_origin = 32;
  static constexpr std::uint8_t f_right_origin = 64;

  crdt::id id;
  std::uint64_t length = 0;
  crdt::id origin;        // valid if f_origin
  crdt::id right_origin;  // valid if f_right_origin
  item* left = nullptr;
  item* right = nullptr;
  branch* parent = nullptr;
  const std::string* parent_sub = nullptr;  // interned key, or null for list items
  crdt::content content;
  std::uint8_t info = 0;

  bool is_gc() const { return (info & f_gc) != 0; }
  bool deleted() const { return (info & (f_deleted | f_gc)) != 0; }
  bool countable() const { return (info & f_countable) != 0; }
  bool keep() const { return (info & f_keep) != 0; }
  bool has_origin() const { return (info & f_origin) != 0; }
  bool has_right_origin() const { return (info & f_right_origin) != 0; }
  void mark_deleted() { info |= f_deleted; }
  crdt::id last_id() const { return {id.client, id.clock + length - 1}; }
  std::uint64_t end_clock() const { return id.clock + length; }
  bool visible() const { return (info & (f_deleted | f_gc | f_countable)) == f_countable; }
};

/// Stable-address storage for items with a free list (no per-item heap allocation).
class item_pool {
 public:
  item* make() {
    if (!free_.empty()) {
      item* it = free_.back();
      free_.pop_back();
      return it;
    }
    return &items_.emplace_back();
  }
  void release(item* it) {
    *it = item{};
    free_.push_back(it);
  }
  std::size_t live() const { return items_.size() - free_.size(); }

 private:
  std::deque<item> items_;
  std::vector<item*> free_;
};

}  // namespace zeal::crdt
