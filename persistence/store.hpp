#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crdt/lib0/bytes.hpp"
#include "persistence/result.hpp"

namespace zeal::persistence {

using crdt::bytes;
using crdt::bytes_view;

/// Sequence numbers of a room's update log start at 1; 0 means "none".
using seq_t = std::uint64_t;

/// One stored update of a room's log.
struct log_entry {
  seq_t seq = 0;
  bytes update;
};

/// Everything stored for one room: the snapshot (if any) and the log entries after it, in order.
struct room_data {
  std::optional<bytes> snapshot;
  /// The last sequence number the snapshot covers (0 without a snapshot).
  seq_t snapshot_seq = 0;
  std::vector<log_entry> log;
};

/// One (room, update) pair of a group commit.
struct pending_update {
  std::string room;
  bytes update;
};

struct room_statistics {
  std::uint64_t log_entries = 0;
  std::uint64_t log_bytes = 0;
  std::uint64_t snapshot_bytes = 0;
  seq_t snapshot_seq = 0;
  /// The sequence number the next append gets.
  seq_t next_seq = 1;
};

/// Exact figures for what is stored (except approximate_db_bytes).
struct store_statistics {
  /// Rooms with a snapshot, log entries or metadata.
  std::uint64_t rooms = 0;
  std::uint64_t log_entries = 0;
  std::uint64_t log_bytes = 0;
  std::uint64_t snapshot_bytes = 0;
  /// Approximate on-disk + memtable size of the database in bytes.
  std::uint64_t approximate_db_bytes = 0;
};

/// Durable room data: a snapshot, an append-only update log keyed by a per-room sequence number, and
/// metadata. Room names are arbitrary non-empty byte strings. Implementations are thread-safe; every
/// failure is returned as an error naming the operation and the room.
class store {
 public:
  virtual ~store() = default;

  /// The room's snapshot and the log entries after it, in sequence order.
  virtual result<room_data> load(std::string_view room) = 0;

  /// Appends one update; returns its sequence number.
  virtual result<seq_t> append(std::string_view room, bytes_view update) = 0;

  /// Appends several updates (any rooms) in one atomic write (group commit); returns their sequence
  /// numbers in input order. Either all are stored or none.
  virtual result<std::vector<seq_t>> append_batch(const std::vector<pending_update>& updates) = 0;

  /// Atomically stores `state` as the room's snapshot covering the log up to and including
  /// `covered_up_to_seq`, and deletes those log entries. Entries after it stay.
  virtual status write_snapshot(std::string_view room, bytes_view state, seq_t covered_up_to_seq) = 0;

  /// Deletes everything stored for the room (atomically).
  virtual status remove_room(std::string_view room) = 0;

  /// True if anything (snapshot, log entries, metadata) is stored for the room. Cheap: no record is read.
  virtual result<bool> has_room(std::string_view room) = 0;

  /// Every room with a snapshot, log entries or metadata, sorted by name.
  virtual result<std::vector<std::string>> list_rooms() = 0;

  /// Totals over every stored room (loaded or not). O(1): implementations keep the counters up to date
  /// with every write (rocksdb_store counts once at open); approximate_db_bytes is the engine's estimate.
  virtual result<store_statistics> stats() = 0;
  /// One room's figures; may read the room's records (cost grows with its log).
  virtual result<room_statistics> room_stats(std::string_view room) = 0;
};

}  // namespace zeal::persistence
