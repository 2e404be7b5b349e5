#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "crdt/lib0/bytes.hpp"
#include "crdt/update/block.hpp"

namespace zeal::crdt {

class update_encoder;

/// Yjs LazyStructWriter (utils/updates.js): writes structs one at a time, grouping consecutive structs of
/// the same client; the per-client rest fragments are collected until the number of groups is known.
/// Usage: write()…, finish(), then write the delete set to the same encoder.
class lazy_writer {
 public:
  explicit lazy_writer(update_encoder& enc) : enc_(enc) {}

  /// writeStructToLazyStructWriter: a new group starts whenever the client changes.
  void write(const block& b, std::uint64_t offset);
  /// finishLazyStructWriting: writes #groups and the fragments into the encoder's rest stream.
  void finish();

 private:
  void flush();

  update_encoder& enc_;
  std::uint64_t curr_client_ = 0;
  std::uint64_t written_ = 0;
  std::vector<std::pair<std::uint64_t, bytes>> fragments_;  // (#structs, rest bytes)
};

}  // namespace zeal::crdt
