#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "crdt/update/id.hpp"

namespace zeal::crdt {

class update_encoder;
class update_decoder;

struct delete_range {
  std::uint64_t clock = 0;
  std::uint64_t length = 0;
  friend bool operator==(const delete_range&, const delete_range&) = default;
};

/// Yjs DeleteSet: per client, ranges of deleted clocks.
class delete_set {
 public:
  /// Adds a range (unsorted until sort_and_merge()).
  void add(std::uint64_t client, std::uint64_t clock, std::uint64_t length);
  /// Sorts each client's ranges and merges overlapping/adjacent ones.
  void sort_and_merge();
  /// Union of both sets (result sorted and merged).
  void merge(const delete_set& other);
  bool contains(id v) const;  // requires sorted
  bool empty() const;

  /// Writes #clients, then per client (descending id) client, #ranges, ranges. Requires sorted.
  void write(update_encoder& enc) const;
  /// Reads a delete set; clients with zero ranges are skipped. Throws decode_error.
  static delete_set read(update_decoder& dec);

  const std::map<std::uint64_t, std::vector<delete_range>>& clients() const { return clients_; }
  std::map<std::uint64_t, std::vector<delete_range>>& clients() { return clients_; }

  friend bool operator==(const delete_set&, const delete_set&) = default;

 private:
  std::map<std::uint64_t, std::vector<delete_range>> clients_;
};

}  // namespace zeal::crdt
