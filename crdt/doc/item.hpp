#pragma once

#include <cstdint>
#include <memory>
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
  // Lengths and clocks stay below 2^53, so the flags share the word (a 168-byte item).
  std::uint64_t length : 56 = 0;
  std::uint64_t info : 8 = 0;
  crdt::id origin;        // valid if f_origin
  crdt::id right_origin;  // valid if f_right_origin
  item* left = nullptr;
  item* right = nullptr;
  branch* parent = nullptr;
  const std::string* parent_sub = nullptr;  // interned key, or null for list items
  crdt::content content;

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

/// Stable-address storage for items with a free list (no per-item heap allocation): items live in
/// fixed-size chunks.
class item_pool {
 public:
  item_pool() = default;
  item_pool(const item_pool&) = delete;
  item_pool& operator=(const item_pool&) = delete;

  item* make() {
    if (!free_.empty()) {
      item* it = free_.back();
      free_.pop_back();
      return it;
    }
    if (used_ == capacity_) {
      capacity_ = chunks_.empty() ? 16 : chunk_size;  // tiny documents stay tiny
      chunks_.push_back(std::make_unique<item[]>(capacity_));
      used_ = 0;
    }
    return &chunks_.back()[used_++];
  }
  void release(item* it) {
    *it = item{};
    free_.push_back(it);
  }

 private:
  static constexpr std::size_t chunk_size = 128;
  std::vector<std::unique_ptr<item[]>> chunks_;
  std::size_t used_ = 0;
  std::size_t capacity_ = 0;
  std::vector<item*> free_;
};

}  // namespace zeal::crdt
