#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "persistence/store.hpp"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Env;
class Iterator;
}  // namespace rocksdb

namespace zeal::persistence {

struct rocksdb_store_options {
  std::string path;
  /// WriteOptions.sync: fsync the WAL on every write (survives power loss); off survives process crashes.
  bool sync = false;
  bool create_if_missing = true;
  /// The RocksDB environment (not owned; must outlive the store). Null = the default. Tests pass a
  /// wrapping Env that injects I/O errors.
  rocksdb::Env* env = nullptr;
};

/// The RocksDB store. Column families "log", "snapshot", "meta"; key layout in persistence/keys.hpp.
/// Thread-safe (one mutex; writes are expected to come from one store actor anyway). Every write to the
/// database goes through this object: the storage counters behind stats() are exact only then.
///
/// stats() is O(1): open() walks the three column families once (every log entry and snapshot is read
/// once; open_scan_duration() says how long that took) and every successful write updates the counters
/// (append_batch adds its entries, write_snapshot subtracts the log entries it deletes, counted by
/// iterating the covered key range before the write, and replaces the old snapshot's size; remove_room
/// subtracts the room). A failed write changes nothing. Keys this store never writes (a log key whose
/// room prefix does not decode, a snapshot/meta key that is not exactly a room prefix) count in the
/// entry/byte totals as they are found at open, but not as rooms.
class rocksdb_store final : public store {
 public:
  static constexpr const char* log_cf = "log";
  static constexpr const char* snapshot_cf = "snapshot";
  static constexpr const char* meta_cf = "meta";

  /// Opens (or creates) the database with all its column families.
  static result<std::unique_ptr<rocksdb_store>> open(rocksdb_store_options options);

  ~rocksdb_store() override;
  rocksdb_store(const rocksdb_store&) = delete;
  rocksdb_store& operator=(const rocksdb_store&) = delete;

  result<room_data> load(std::string_view room) override;
  result<seq_t> append(std::string_view room, bytes_view update) override;
  result<std::vector<seq_t>> append_batch(const std::vector<pending_update>& updates) override;
  status write_snapshot(std::string_view room, bytes_view state, seq_t covered_up_to_seq) override;
  status remove_room(std::string_view room) override;
  result<bool> has_room(std::string_view room) override;
  result<std::vector<std::string>> list_rooms() override;
  result<store_statistics> stats() override;
  result<room_statistics> room_stats(std::string_view room) override;

  /// Destroys the column family handles and closes the database; later calls return errors.
  status close();

  /// Compacts every column family down to the bottommost level (memtables flushed first, deleted ranges
  /// dropped). Blocking; for tools and benchmarks (RocksDB compacts in the background anyway).
  status compact();

  /// How long the counting scan in open() took.
  std::chrono::nanoseconds open_scan_duration() const { return open_scan_duration_; }

  const rocksdb_store_options& options() const { return options_; }

 private:
  explicit rocksdb_store(rocksdb_store_options options);

  struct room_scan {
    std::optional<bytes> snapshot;
    std::uint64_t snapshot_bytes = 0;
    seq_t snapshot_seq = 0;
    std::uint64_t log_entries = 0;
    std::uint64_t log_bytes = 0;
    seq_t last_seq = 0;
  };
  /// Reads the room's snapshot/meta and walks its log; `on_entry` (may be null) receives every entry.
  /// Checks meta/snapshot consistency and that every log key is well formed and after the snapshot.
  template <class OnEntry>
  result<room_scan> scan_room(const char* op, std::string_view room, bool want_snapshot, OnEntry on_entry);
  /// The next sequence number of the room (cached; recovered from the last log key and meta).
  result<seq_t> next_seq_locked(const char* op, const std::string& room);
  status check_open(const char* op, std::string_view room) const;
  /// The counting scan of open(): fills rooms_ and totals_.
  status count_all();

  /// What is stored for one room, as counted (a room is in rooms_ iff it has any of these).
  struct room_counts {
    std::uint64_t log_entries = 0;
    std::uint64_t log_bytes = 0;
    std::uint64_t snapshot_bytes = 0;
    bool has_snapshot = false;
    bool has_meta = false;
  };

  rocksdb_store_options options_;
  std::mutex mutex_;
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* log_ = nullptr;
  rocksdb::ColumnFamilyHandle* snapshot_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  std::unordered_map<std::string, seq_t> next_seq_;
  /// Exact counters: per room, and totals over the whole database (rooms = rooms_.size()).
  std::unordered_map<std::string, room_counts> rooms_;
  store_statistics totals_;
  std::chrono::nanoseconds open_scan_duration_{0};
  /// approximate_db_bytes of stats(), and when it was computed (refreshed at most once a second).
  std::uint64_t db_bytes_ = 0;
  std::optional<std::chrono::steady_clock::time_point> db_bytes_time_;
};

}  // namespace zeal::persistence
