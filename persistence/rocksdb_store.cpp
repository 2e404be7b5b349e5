#include "persistence/rocksdb_store.hpp"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <set>

#include "persistence/keys.hpp"

namespace zeal::persistence {

namespace {

error fail(const char* op, std::string_view room, const std::string& what) {
  std::string msg = std::string(op);
  if (!room.empty()) msg += " room=" + keys::printable(room);
  msg += ": " + what;
  return error{std::move(msg)};
}

rocksdb::Slice slice(bytes_view b) {
  return rocksdb::Slice(reinterpret_cast<const char*>(b.data()), b.size());
}

bytes to_bytes(const rocksdb::Slice& s) {
  auto p = reinterpret_cast<const std::uint8_t*>(s.data());
  return bytes(p, p + s.size());
}

/// ReadOptions restricted to the keys starting with `prefix` (upper bound kept in `upper`).
rocksdb::ReadOptions bounded(const std::string& prefix, std::optional<std::string>& upper,
                             rocksdb::Slice& upper_slice) {
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  upper = keys::prefix_successor(prefix);
  if (upper) {
    upper_slice = rocksdb::Slice(*upper);
    ro.iterate_upper_bound = &upper_slice;
  }
  return ro;
}

bool starts_with(const rocksdb::Slice& key, const std::string& prefix) {
  return key.size() >= prefix.size() && std::string_view(key.data(), prefix.size()) == prefix;
}

}  // namespace

rocksdb_store::rocksdb_store(rocksdb_store_options options) : options_(std::move(options)) {}

rocksdb_store::~rocksdb_store() {
  close();
}

result<std::unique_ptr<rocksdb_store>> rocksdb_store::open(rocksdb_store_options options) {
  const char* op = "open";
  if (options.path.empty()) return fail(op, {}, "empty path");
  rocksdb::Options opts;
  opts.create_if_missing = options.create_if_missing;
  opts.create_missing_column_families = true;
  if (options.env) opts.env = options.env;
  std::vector<std::string> names;
  auto s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(opts), options.path, &names);
  if (!s.ok()) names = {rocksdb::kDefaultColumnFamilyName};  // new database (or Open reports why not)
  for (const char* cf : {log_cf, snapshot_cf, meta_cf})
    if (std::find(names.begin(), names.end(), cf) == names.end()) names.emplace_back(cf);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions(opts));
  std::unique_ptr<rocksdb_store> st(new rocksdb_store(std::move(options)));
  s = rocksdb::DB::Open(rocksdb::DBOptions(opts), st->options_.path, descriptors, &st->handles_, &st->db_);
  if (!s.ok()) return fail(op, {}, "path=" + st->options_.path + ": " + s.ToString());
  for (auto* h : st->handles_) {
    if (h->GetName() == log_cf) st->log_ = h;
    if (h->GetName() == snapshot_cf) st->snapshot_ = h;
    if (h->GetName() == meta_cf) st->meta_ = h;
  }
  if (!st->log_ || !st->snapshot_ || !st->meta_) return fail(op, {}, "missing column family after open");
  if (auto counted = st->count_all(); !counted) return error{counted.error_message()};
  return st;
}

status rocksdb_store::close() {
  std::lock_guard<std::mutex> guard{mutex_};
  if (!db_) return {};
  std::string errors;
  for (auto* h : handles_) {
    auto s = db_->DestroyColumnFamilyHandle(h);
    if (!s.ok()) errors += " destroy column family: " + s.ToString();
  }
  handles_.clear();
  log_ = snapshot_ = meta_ = nullptr;
  auto s = db_->Close();
  if (!s.ok()) errors += " close: " + s.ToString();
  delete db_;
  db_ = nullptr;
  next_seq_.clear();
  rooms_.clear();
  totals_ = {};
  if (!errors.empty()) return fail("close", {}, "path=" + options_.path + ":" + errors);
  return {};
}

status rocksdb_store::check_open(const char* op, std::string_view room) const {
  if (!db_) return fail(op, room, "store is closed");
  return {};
}

status rocksdb_store::count_all() {
  const char* op = "open";
  const auto start = std::chrono::steady_clock::now();
  rooms_.clear();
  totals_ = {};
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  ro.fill_cache = false;  // one pass over everything: keep the block cache for what is read later
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, log_));
    std::string prefix;  // of `current`: every key starting with it belongs to that room
    room_counts* current = nullptr;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const auto key = it->key();
      const std::uint64_t size = it->value().size();
      totals_.log_entries += 1;
      totals_.log_bytes += size;
      if (!current || !starts_with(key, prefix)) {
        current = nullptr;
        auto p = keys::decode_room_prefix(key.ToStringView());
        if (!p) continue;  // counted in the totals, belongs to no room
        prefix.assign(key.data(), p->size);
        current = &rooms_[std::move(p->room)];  // unordered_map references survive rehashing
      }
      current->log_entries += 1;
      current->log_bytes += size;
    }
    if (!it->status().ok()) return fail(op, {}, "counting the log: " + it->status().ToString());
  }
  // Snapshot sizes come from the meta records (version 2); only a version-1 record costs a read of its
  // snapshot. (A snapshot always has a meta record: they are written in one batch.)
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, meta_));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const auto key = it->key().ToStringView();
      auto p = keys::decode_room_prefix(key);
      if (!p || p->size != key.size()) continue;  // not a key this store writes
      auto& rc = rooms_[std::move(p->room)];
      rc.has_meta = true;
      std::uint64_t size = 0;
      auto m = keys::decode_meta(it->value().ToStringView());
      if (m && m->snapshot_bytes) {
        size = *m->snapshot_bytes;
      } else {
        rocksdb::PinnableSlice value;
        auto s = db_->Get(ro, snapshot_, key, &value);
        if (s.IsNotFound()) continue;  // inconsistent; load() reports it
        if (!s.ok()) return fail(op, {}, "counting snapshots: " + s.ToString());
        size = value.size();
      }
      rc.has_snapshot = true;
      rc.snapshot_bytes = size;
      totals_.snapshot_bytes += size;
    }
    if (!it->status().ok()) return fail(op, {}, "counting meta: " + it->status().ToString());
  }
  open_scan_duration_ = std::chrono::steady_clock::now() - start;
  return {};
}

template <class OnEntry>
result<rocksdb_store::room_scan> rocksdb_store::scan_room(const char* op, std::string_view room,
                                                          bool want_snapshot, OnEntry on_entry) {
  room_scan out;
  const auto prefix = keys::room_prefix(room);
  rocksdb::PinnableSlice value;
  auto s = db_->Get(rocksdb::ReadOptions(), meta_, prefix, &value);
  bool has_meta = false;
  if (s.ok()) {
    auto m = keys::decode_meta(value.ToStringView());
    if (!m) return fail(op, room, "malformed meta record key=" + keys::printable(prefix));
    out.snapshot_seq = m->snapshot_seq;
    has_meta = true;
  } else if (!s.IsNotFound()) {
    return fail(op, room, "reading meta: " + s.ToString());
  }
  value.Reset();
  s = db_->Get(rocksdb::ReadOptions(), snapshot_, prefix, &value);
  if (s.ok()) {
    if (!has_meta) return fail(op, room, "snapshot without meta record key=" + keys::printable(prefix));
    out.snapshot_bytes = value.size();
    if (want_snapshot) out.snapshot = to_bytes(value);
  } else if (!s.IsNotFound()) {
    return fail(op, room, "reading snapshot: " + s.ToString());
  } else if (has_meta) {
    return fail(op, room, "meta record without snapshot key=" + keys::printable(prefix));
  }

  std::optional<std::string> upper;
  rocksdb::Slice upper_slice;
  auto ro = bounded(prefix, upper, upper_slice);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, log_));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    auto key = it->key();
    if (!starts_with(key, prefix)) break;
    auto seq = keys::decode_log_seq(key.ToStringView(), prefix.size());
    if (!seq) return fail(op, room, "malformed log key=" + keys::printable(key.ToStringView()));
    if (*seq == 0 || *seq <= out.snapshot_seq || *seq <= out.last_seq)
      return fail(op, room,
                  "log key out of order (seq " + std::to_string(*seq) + ", snapshot covers " +
                      std::to_string(out.snapshot_seq) + ") key=" + keys::printable(key.ToStringView()));
    out.last_seq = *seq;
    out.log_entries += 1;
    out.log_bytes += it->value().size();
    if constexpr (!std::is_same_v<OnEntry, std::nullptr_t>) on_entry(*seq, it->value());
  }
  if (!it->status().ok()) return fail(op, room, "reading log: " + it->status().ToString());
  return out;
}

result<seq_t> rocksdb_store::next_seq_locked(const char* op, const std::string& room) {
  if (auto it = next_seq_.find(room); it != next_seq_.end()) return it->second;
  const auto prefix = keys::room_prefix(room);
  seq_t covered = 0;
  rocksdb::PinnableSlice value;
  auto s = db_->Get(rocksdb::ReadOptions(), meta_, prefix, &value);
  if (s.ok()) {
    auto m = keys::decode_meta(value.ToStringView());
    if (!m) return fail(op, room, "malformed meta record key=" + keys::printable(prefix));
    covered = m->snapshot_seq;
  } else if (!s.IsNotFound()) {
    return fail(op, room, "reading meta: " + s.ToString());
  }
  std::optional<std::string> upper;
  rocksdb::Slice upper_slice;
  auto ro = bounded(prefix, upper, upper_slice);
  rocksdb::Slice lower_slice(prefix);
  ro.iterate_lower_bound = &lower_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, log_));
  seq_t last = 0;
  it->SeekToLast();
  if (it->Valid() && starts_with(it->key(), prefix)) {
    auto seq = keys::decode_log_seq(it->key().ToStringView(), prefix.size());
    if (!seq) return fail(op, room, "malformed log key=" + keys::printable(it->key().ToStringView()));
    last = *seq;
  }
  if (!it->status().ok()) return fail(op, room, "reading log: " + it->status().ToString());
  seq_t next = std::max(last, covered) + 1;
  next_seq_.emplace(room, next);
  return next;
}

result<room_data> rocksdb_store::load(std::string_view room) {
  const char* op = "load";
  std::lock_guard<std::mutex> guard{mutex_};
  if (auto st = check_open(op, room); !st) return error{st.error_message()};
  if (room.empty()) return fail(op, room, "invalid room name (empty)");
  room_data out;
  auto scan = scan_room(op, room, true, [&](seq_t seq, const rocksdb::Slice& v) {
    out.log.push_back({seq, to_bytes(v)});
  });
  if (!scan) return error{scan.error_message()};
  out.snapshot = std::move(scan->snapshot);
  out.snapshot_seq = scan->snapshot_seq;
  std::string key(room);
  if (!next_seq_.count(key)) next_seq_.emplace(key, std::max(scan->last_seq, scan->snapshot_seq) + 1);
  return out;
}

result<seq_t> rocksdb_store::append(std::string_view room, bytes_view update) {
  std::vector<pending_update> one;
  one.push_back({std::string(room), bytes(update.begin(), update.end())});
  auto r = append_batch(one);
  if (!r) return error{r.error_message()};
  return r->front();
}

result<std::vector<seq_t>> rocksdb_store::append_batch(const std::vector<pending_update>& updates) {
  const char* op = "append";
  std::lock_guard<std::mutex> guard{mutex_};
  if (auto st = check_open(op, {}); !st) return error{st.error_message()};
  std::vector<seq_t> seqs;
  seqs.reserve(updates.size());
  if (updates.empty()) return seqs;
  std::unordered_map<std::string, seq_t> assigned;
  rocksdb::WriteBatch batch;
  for (const auto& u : updates) {
    if (u.room.empty()) return fail(op, u.room, "invalid room name (empty)");
    auto it = assigned.find(u.room);
    if (it == assigned.end()) {
      auto next = next_seq_locked(op, u.room);
      if (!next) return error{next.error_message()};
      it = assigned.emplace(u.room, *next).first;
    }
    seq_t seq = it->second++;
    seqs.push_back(seq);
    auto s = batch.Put(log_, keys::log_key(keys::room_prefix(u.room), seq), slice(u.update));
    if (!s.ok()) return fail(op, u.room, "batch put: " + s.ToString());
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  auto s = db_->Write(wo, &batch);
  if (!s.ok()) {
    std::string rooms;
    for (const auto& [room, next] : assigned) rooms += (rooms.empty() ? "" : ",") + keys::printable(room);
    return fail(
        op, {},
        "write of " + std::to_string(updates.size()) + " updates (rooms " + rooms + "): " + s.ToString());
  }
  for (auto& [room, next] : assigned) next_seq_[room] = next;
  std::uint64_t added_bytes = 0;
  for (const auto& u : updates) {
    auto& rc = rooms_[u.room];
    rc.log_entries += 1;
    rc.log_bytes += u.update.size();
    added_bytes += u.update.size();
  }
  totals_.log_entries += updates.size();
  totals_.log_bytes += added_bytes;
  return seqs;
}

status rocksdb_store::write_snapshot(std::string_view room, bytes_view state, seq_t covered_up_to_seq) {
  const char* op = "write_snapshot";
  std::lock_guard<std::mutex> guard{mutex_};
  if (auto st = check_open(op, room); !st) return st;
  if (room.empty()) return fail(op, room, "invalid room name (empty)");
  std::string name(room);
  auto next = next_seq_locked(op, name);
  if (!next) return next.to_status();
  if (covered_up_to_seq >= *next)
    return fail(op, room,
                "snapshot covers seq " + std::to_string(covered_up_to_seq) + " but the last appended is " +
                    std::to_string(*next - 1));
  const auto prefix = keys::room_prefix(room);
  rocksdb::PinnableSlice value;
  auto s = db_->Get(rocksdb::ReadOptions(), meta_, prefix, &value);
  if (s.ok()) {
    auto m = keys::decode_meta(value.ToStringView());
    if (!m) return fail(op, room, "malformed meta record key=" + keys::printable(prefix));
    if (covered_up_to_seq < m->snapshot_seq)
      return fail(op, room,
                  "snapshot covers seq " + std::to_string(covered_up_to_seq) +
                      ", older than the stored snapshot (" + std::to_string(m->snapshot_seq) + ")");
  } else if (!s.IsNotFound()) {
    return fail(op, room, "reading meta: " + s.ToString());
  }
  // The log entries the batch deletes, counted on the same state the batch applies to (writes are
  // serialized by mutex_): exactly the keys in [log_key(0), log_key(covered + 1)).
  std::uint64_t deleted_entries = 0;
  std::uint64_t deleted_bytes = 0;
  if (covered_up_to_seq > 0) {
    const auto lower = keys::log_key(prefix, 0);
    const auto upper = keys::log_key(prefix, covered_up_to_seq + 1);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, log_));
    for (it->Seek(lower); it->Valid(); it->Next()) {
      deleted_entries += 1;
      deleted_bytes += it->value().size();
    }
    if (!it->status().ok()) return fail(op, room, "reading the covered log: " + it->status().ToString());
  }
  rocksdb::WriteBatch batch;
  s = batch.Put(snapshot_, prefix, slice(state));
  if (s.ok() && covered_up_to_seq > 0)
    s = batch.DeleteRange(log_, keys::log_key(prefix, 0), keys::log_key(prefix, covered_up_to_seq + 1));
  if (s.ok()) s = batch.Put(meta_, prefix, keys::encode_meta({covered_up_to_seq, state.size()}));
  if (!s.ok()) return fail(op, room, "batch: " + s.ToString());
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  s = db_->Write(wo, &batch);
  if (!s.ok()) return fail(op, room, "write: " + s.ToString());
  auto& rc = rooms_[name];
  assert(rc.log_entries >= deleted_entries && rc.log_bytes >= deleted_bytes);
  assert(totals_.snapshot_bytes >= rc.snapshot_bytes);
  rc.log_entries -= deleted_entries;
  rc.log_bytes -= deleted_bytes;
  totals_.log_entries -= deleted_entries;
  totals_.log_bytes -= deleted_bytes;
  totals_.snapshot_bytes = totals_.snapshot_bytes - rc.snapshot_bytes + state.size();
  rc.snapshot_bytes = state.size();
  rc.has_snapshot = rc.has_meta = true;
  return {};
}

status rocksdb_store::remove_room(std::string_view room) {
  const char* op = "remove_room";
  std::lock_guard<std::mutex> guard{mutex_};
  if (auto st = check_open(op, room); !st) return st;
  if (room.empty()) return fail(op, room, "invalid room name (empty)");
  const auto prefix = keys::room_prefix(room);
  auto upper = keys::prefix_successor(prefix);
  rocksdb::WriteBatch batch;
  // A room prefix ends in a varint byte < 0x80 or room bytes after it, so a successor always exists.
  auto s = upper ? batch.DeleteRange(log_, prefix, *upper)
                 : rocksdb::Status::InvalidArgument("room prefix without successor");
  if (s.ok()) s = batch.Delete(snapshot_, prefix);
  if (s.ok()) s = batch.Delete(meta_, prefix);
  if (!s.ok()) return fail(op, room, "batch: " + s.ToString());
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  s = db_->Write(wo, &batch);
  if (!s.ok()) return fail(op, room, "write: " + s.ToString());
  std::string name(room);
  next_seq_.erase(name);
  if (auto it = rooms_.find(name); it != rooms_.end()) {
    const auto& rc = it->second;
    assert(totals_.log_entries >= rc.log_entries && totals_.log_bytes >= rc.log_bytes);
    assert(totals_.snapshot_bytes >= rc.snapshot_bytes);
    totals_.log_entries -= rc.log_entries;
    totals_.log_bytes -= rc.log_bytes;
    totals_.snapshot_bytes -= rc.snapshot_bytes;
    rooms_.erase(it);
  }
  return {};
}

result<bool> rocksdb_store::has_room(std::string_view room) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (auto st = check_open("has_room", room); !st) return error{st.error_message()};
  return rooms_.count(std::string(room)) > 0;  // the counters know every stored room
}

result<std::vector<std::string>> rocksdb_store::list_rooms() {
  const char* op = "list_rooms";
  std::lock_guard<std::mutex> guard{mutex_};
  if (auto st = check_open(op, {}); !st) return error{st.error_message()};
  std::set<std::string> rooms;
  for (auto* cf : {log_, snapshot_, meta_}) {
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf));
    it->SeekToFirst();
    while (it->Valid()) {
      auto key = it->key().ToStringView();
      auto p = keys::decode_room_prefix(key);
      if (!p) return fail(op, {}, "malformed key in " + cf->GetName() + " key=" + keys::printable(key));
      auto upper = keys::prefix_successor(key.substr(0, p->size));
      rooms.insert(std::move(p->room));
      if (!upper) break;
      it->Seek(*upper);  // skip the rest of this room
    }
    if (!it->status().ok()) return fail(op, {}, "reading " + cf->GetName() + ": " + it->status().ToString());
  }
  return std::vector<std::string>(rooms.begin(), rooms.end());
}

result<store_statistics> rocksdb_store::stats() {
  const char* op = "stats";
  std::lock_guard<std::mutex> guard{mutex_};
  if (auto st = check_open(op, {}); !st) return error{st.error_message()};
  store_statistics out = totals_;
  out.rooms = rooms_.size();
  // The size estimate takes RocksDB's own mutex per property: refreshed at most once a second (stats()
  // runs after every group commit).
  auto now = std::chrono::steady_clock::now();
  if (!db_bytes_time_ || now - *db_bytes_time_ >= std::chrono::seconds{1}) {
    db_bytes_ = 0;
    for (auto* cf : handles_) {
      for (const char* prop : {"rocksdb.total-sst-files-size", "rocksdb.cur-size-all-mem-tables"}) {
        std::uint64_t v = 0;
        if (db_->GetIntProperty(cf, prop, &v)) db_bytes_ += v;
      }
    }
    db_bytes_time_ = now;
  }
  out.approximate_db_bytes = db_bytes_;
  return out;
}

status rocksdb_store::compact() {
  const char* op = "compact";
  std::lock_guard<std::mutex> guard{mutex_};
  if (auto st = check_open(op, {}); !st) return st;
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* cf : handles_) {
    auto s = db_->CompactRange(co, cf, nullptr, nullptr);
    if (!s.ok()) return fail(op, {}, cf->GetName() + ": " + s.ToString());
  }
  return {};
}

result<room_statistics> rocksdb_store::room_stats(std::string_view room) {
  const char* op = "room_stats";
  std::lock_guard<std::mutex> guard{mutex_};
  if (auto st = check_open(op, room); !st) return error{st.error_message()};
  if (room.empty()) return fail(op, room, "invalid room name (empty)");
  auto scan = scan_room(op, room, false, nullptr);
  if (!scan) return error{scan.error_message()};
  auto next = next_seq_locked(op, std::string(room));
  if (!next) return error{next.error_message()};
  room_statistics out;
  out.log_entries = scan->log_entries;
  out.log_bytes = scan->log_bytes;
  out.snapshot_bytes = scan->snapshot_bytes;
  out.snapshot_seq = scan->snapshot_seq;
  out.next_seq = *next;
  return out;
}

}  // namespace zeal::persistence
