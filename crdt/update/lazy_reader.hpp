#pragma once

#include <cstddef>
#include <vector>

#include "crdt/update/block.hpp"
#include "crdt/update/update.hpp"

namespace zeal::crdt {

/// Yjs LazyStructReader over an already decoded update: the structs of all client groups in wire order,
/// one at a time, optionally without Skip structs. (Decoding everything up front is equivalent for the
/// doc-less operations, which always read every struct before the delete set.)
class lazy_reader {
 public:
  lazy_reader(decoded_update u, bool filter_skips);

  /// The current struct, or nullptr at the end.
  block* curr() { return pos_ < blocks_.size() ? &blocks_[pos_] : nullptr; }
  /// Advances and returns the new current struct.
  block* next();

  crdt::delete_set& delete_set() { return ds_; }

 private:
  void skip_filtered();

  std::vector<block> blocks_;
  std::size_t pos_ = 0;
  bool filter_skips_ = false;
  crdt::delete_set ds_;
};

}  // namespace zeal::crdt
