#define CAF_SUITE persistence_rocksdb_store
#include <caf/test/unit_test.hpp>

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "persistence/keys.hpp"
#include "persistence/rocksdb_store.hpp"
#include "tests/temp_dir.hpp"

using namespace zeal::persistence;
using namespace std::string_literals;

namespace {

bytes b(std::string_view s) {
  return bytes(s.begin(), s.end());
}

struct fixture {
  zeal::test::temp_dir tmp{"zeal_persist"};
  std::string dir = tmp.path();
  std::string db_path = dir + "/db";

  fixture() { CAF_REQUIRE(!dir.empty()); }

  std::unique_ptr<rocksdb_store> open(bool sync = false) {
    auto r = rocksdb_store::open({db_path, sync, true});
    if (!r) CAF_FAIL("open failed: " << r.error_message());
    return std::move(r).value();
  }

  /// Writes key -> value into column family `cf` with RocksDB directly (the store must be closed): for
  /// records the store itself would never write.
  void raw_put(const std::string& cf, const std::string& key, const std::string& value) {
    rocksdb::Options opts;
    std::vector<std::string> names;
    CAF_REQUIRE(rocksdb::DB::ListColumnFamilies(opts, db_path, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> desc;
    for (auto& n : names) desc.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    CAF_REQUIRE(rocksdb::DB::Open(opts, db_path, desc, &handles, &db).ok());
    rocksdb::ColumnFamilyHandle* target = nullptr;
    for (auto* h : handles)
      if (h->GetName() == cf) target = h;
    CAF_REQUIRE(target != nullptr);
    CAF_CHECK(db->Put(rocksdb::WriteOptions(), target, key, value).ok());
    for (auto* h : handles) CAF_CHECK(db->DestroyColumnFamilyHandle(h).ok());
    CAF_CHECK(db->Close().ok());
    delete db;
  }
};

std::vector<seq_t> seqs_of(const room_data& d) {
  std::vector<seq_t> out;
  for (const auto& e : d.log) out.push_back(e.seq);
  return out;
}

/// {rooms, log entries, log bytes, snapshot bytes} of stats() (the O(1) counters).
std::vector<std::uint64_t> counters(rocksdb_store& st) {
  auto s = st.stats();
  if (!s) CAF_FAIL("stats failed: " << s.error_message());
  return {s->rooms, s->log_entries, s->log_bytes, s->snapshot_bytes};
}

/// The same figures recounted from scratch: every listed room loaded and summed.
std::vector<std::uint64_t> recount(rocksdb_store& st) {
  auto rooms = st.list_rooms();
  if (!rooms) CAF_FAIL("list_rooms failed: " << rooms.error_message());
  std::vector<std::uint64_t> out{rooms->size(), 0, 0, 0};
  for (const auto& r : *rooms) {
    auto d = st.load(r);
    if (!d) CAF_FAIL("load failed: " << d.error_message());
    out[1] += d->log.size();
    for (const auto& e : d->log) out[2] += e.update.size();
    if (d->snapshot) out[3] += d->snapshot->size();
  }
  return out;
}

/// A file system whose WAL appends fail while `fail` is set (every store write goes through the WAL).
struct failing_fs : rocksdb::FileSystemWrapper {
  std::atomic<bool> fail{false};

  explicit failing_fs(std::shared_ptr<rocksdb::FileSystem> base) : FileSystemWrapper(std::move(base)) {}
  const char* Name() const override { return "zeal_failing_fs"; }

  struct file : rocksdb::FSWritableFileOwnerWrapper {
    file(std::unique_ptr<rocksdb::FSWritableFile> f, const failing_fs* fs)
        : FSWritableFileOwnerWrapper(std::move(f)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->fail) return rocksdb::IOStatus::IOError("injected WAL append failure");
      return FSWritableFileOwnerWrapper::Append(data, o, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->fail) return rocksdb::IOStatus::IOError("injected WAL append failure");
      return FSWritableFileOwnerWrapper::Append(data, o, info, dbg);
    }
    const failing_fs* fs_;
  };

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& opts,
                                    std::unique_ptr<rocksdb::FSWritableFile>* out,
                                    rocksdb::IODebugContext* dbg) override {
    auto s = FileSystemWrapper::NewWritableFile(name, opts, out, dbg);
    if (s.ok() && name.size() > 4 && name.compare(name.size() - 4, 4, ".log") == 0)
      *out = std::make_unique<file>(std::move(*out), this);
    return s;
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(rocksdb_store_tests, fixture)

CAF_TEST(append order and sequence numbers survive reopen) {
  {
    auto st = open();
    for (int i = 1; i <= 5; ++i) {
      auto r = st->append("room", b("u" + std::to_string(i)));
      CAF_REQUIRE(r.ok());
      CAF_CHECK_EQUAL(*r, static_cast<seq_t>(i));
    }
    CAF_CHECK(st->close().ok());
  }
  auto st = open();
  auto r = st->append("room", b("u6"));
  CAF_REQUIRE(r.ok());
  CAF_CHECK_EQUAL(*r, 6u);
  auto d = st->load("room");
  CAF_REQUIRE(d.ok());
  CAF_CHECK(!d->snapshot);
  CAF_REQUIRE_EQUAL(d->log.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    CAF_CHECK_EQUAL(d->log[i].seq, i + 1);
    CAF_CHECK(d->log[i].update == b("u" + std::to_string(i + 1)));
  }
  // A new room starts at 1; many entries keep their order past byte boundaries.
  for (int i = 0; i < 300; ++i) CAF_REQUIRE(st->append("big", b(std::to_string(i))).ok());
  auto big = st->load("big");
  CAF_REQUIRE(big.ok());
  CAF_REQUIRE_EQUAL(big->log.size(), 300u);
  CAF_CHECK_EQUAL(big->log[255].seq, 256u);
  CAF_CHECK(big->log[299].update == b("299"));
}

CAF_TEST(append batch is one write over several rooms) {
  auto st = open();
  CAF_REQUIRE(st->append("x", b("x1")).ok());
  std::vector<pending_update> batch{{"x", b("x2")}, {"y", b("y1")}, {"x", b("x3")}, {"z", b("z1")}};
  auto r = st->append_batch(batch);
  CAF_REQUIRE(r.ok());
  CAF_CHECK_EQUAL(*r, (std::vector<seq_t>{2, 1, 3, 1}));
  CAF_CHECK_EQUAL(seqs_of(*st->load("x")), (std::vector<seq_t>{1, 2, 3}));
  CAF_CHECK(st->load("x")->log[2].update == b("x3"));
  CAF_CHECK_EQUAL(seqs_of(*st->load("y")), (std::vector<seq_t>{1}));
  CAF_CHECK(st->append_batch({}).ok());
  // An invalid room rejects the whole batch: nothing of it is written, numbering is unchanged.
  auto bad = st->append_batch({{"y", b("y2")}, {"", b("nope")}});
  CAF_CHECK(!bad.ok());
  CAF_CHECK_EQUAL(st->load("y")->log.size(), 1u);
  CAF_CHECK_EQUAL(st->append("y", b("y2")).value(), 2u);
}

CAF_TEST(snapshot replaces the covered log and load is snapshot plus tail) {
  {
    auto st = open();
    for (int i = 1; i <= 5; ++i) CAF_REQUIRE(st->append("doc", b("u" + std::to_string(i))).ok());
    CAF_REQUIRE(st->append("other", b("o1")).ok());
    auto s = st->write_snapshot("doc", b("STATE3"), 3);
    CAF_REQUIRE_EQUAL(s.error_message(), "");
    auto d = st->load("doc");
    CAF_REQUIRE(d.ok());
    CAF_REQUIRE(d->snapshot.has_value());
    CAF_CHECK(*d->snapshot == b("STATE3"));
    CAF_CHECK_EQUAL(d->snapshot_seq, 3u);
    CAF_CHECK_EQUAL(seqs_of(*d), (std::vector<seq_t>{4, 5}));
    CAF_CHECK(d->log[0].update == b("u4"));
    CAF_CHECK_EQUAL(st->load("other")->log.size(), 1u);
    // Covering beyond the last appended seq, or going backwards, is refused.
    CAF_CHECK(!st->write_snapshot("doc", b("X"), 6).ok());
    CAF_CHECK(!st->write_snapshot("doc", b("X"), 2).ok());
    CAF_CHECK(st->write_snapshot("doc", b("STATE5"), 5).ok());
    d = st->load("doc");
    CAF_CHECK(d->log.empty());
    CAF_CHECK(*d->snapshot == b("STATE5"));
  }
  // After reopen with an empty log, numbering continues after the snapshot.
  auto st = open();
  CAF_CHECK_EQUAL(st->append("doc", b("u6")).value(), 6u);
  auto d = st->load("doc");
  CAF_CHECK_EQUAL(d->snapshot_seq, 5u);
  CAF_CHECK_EQUAL(seqs_of(*d), (std::vector<seq_t>{6}));
  auto rs = st->room_stats("doc");
  CAF_REQUIRE(rs.ok());
  CAF_CHECK_EQUAL(rs->log_entries, 1u);
  CAF_CHECK_EQUAL(rs->log_bytes, 2u);
  CAF_CHECK_EQUAL(rs->snapshot_bytes, 6u);
  CAF_CHECK_EQUAL(rs->snapshot_seq, 5u);
  CAF_CHECK_EQUAL(rs->next_seq, 7u);
  // A snapshot of a room without log entries (covered 0) is fine.
  CAF_CHECK(st->write_snapshot("fresh", b("S"), 0).ok());
  CAF_CHECK(*st->load("fresh")->snapshot == b("S"));
}

CAF_TEST(room names never collide) {
  auto st = open();
  std::vector<std::string> rooms{"a", "a\0"s, "ab", "a\0\0"s, "b", std::string(128, 'a'), "\xff"s};
  for (size_t i = 0; i < rooms.size(); ++i)
    for (size_t k = 0; k <= i; ++k) CAF_REQUIRE(st->append(rooms[i], b(std::to_string(i))).ok());
  for (size_t i = 0; i < rooms.size(); ++i) {
    auto d = st->load(rooms[i]);
    CAF_REQUIRE(d.ok());
    CAF_CHECK_EQUAL(d->log.size(), i + 1);
    for (const auto& e : d->log) CAF_CHECK(e.update == b(std::to_string(i)));
  }
  CAF_CHECK(st->write_snapshot("a", b("SA"), 1).ok());
  CAF_CHECK(!st->load("a\0"s)->snapshot);
  CAF_CHECK_EQUAL(st->load("a\0"s)->log.size(), 2u);
  CAF_CHECK(!st->append("", b("x")).ok());
  CAF_CHECK(!st->load("").ok());
  CAF_CHECK(!st->write_snapshot("", b("x"), 0).ok());
  CAF_CHECK(!st->remove_room("").ok());
  auto listed = st->list_rooms();
  CAF_REQUIRE(listed.ok());
  auto sorted = rooms;
  std::sort(sorted.begin(), sorted.end());
  CAF_CHECK_EQUAL(*listed, sorted);
}

CAF_TEST(remove room list rooms and stats) {
  auto st = open();
  CAF_REQUIRE(st->append_batch({{"r1", b("abc")}, {"r2", b("de")}, {"r3", b("f")}, {"r1", b("gh")}}).ok());
  CAF_REQUIRE(st->write_snapshot("r2", b("SNAP"), 1).ok());
  CAF_CHECK_EQUAL(st->list_rooms().value(), (std::vector<std::string>{"r1", "r2", "r3"}));
  auto s = st->stats();
  CAF_REQUIRE(s.ok());
  CAF_CHECK_EQUAL(s->rooms, 3u);
  CAF_CHECK_EQUAL(s->log_entries, 3u);
  CAF_CHECK_EQUAL(s->log_bytes, 6u);
  CAF_CHECK_EQUAL(s->snapshot_bytes, 4u);
  CAF_CHECK(s->approximate_db_bytes > 0u);
  CAF_REQUIRE(st->remove_room("r1").ok());
  CAF_REQUIRE(st->remove_room("r2").ok());
  CAF_CHECK(st->remove_room("never-existed").ok());
  CAF_CHECK_EQUAL(st->list_rooms().value(), (std::vector<std::string>{"r3"}));
  auto d = st->load("r2");
  CAF_CHECK(!d->snapshot);
  CAF_CHECK(d->log.empty());
  CAF_CHECK_EQUAL(st->append("r1", b("new")).value(), 1u);
  s = st->stats();
  CAF_CHECK_EQUAL(s->log_entries, 2u);
  CAF_CHECK_EQUAL(s->snapshot_bytes, 0u);
}

CAF_TEST(has room knows every stored room without reading it) {
  {
    auto st = open();
    CAF_CHECK(!st->has_room("a").value());
    CAF_REQUIRE(st->append("a", b("1")).ok());
    CAF_REQUIRE(st->append("b", b("1")).ok());
    CAF_REQUIRE(st->write_snapshot("b", b("S"), 1).ok());  // log gone, snapshot left
    CAF_CHECK(st->has_room("a").value());
    CAF_CHECK(st->has_room("b").value());
    CAF_CHECK(!st->has_room("ab").value());
    CAF_CHECK(!st->has_room("a\0"s).value());
  }
  auto st = open();  // rebuilt by the scan at open
  CAF_CHECK(st->has_room("a").value());
  CAF_CHECK(st->has_room("b").value());
  CAF_REQUIRE(st->remove_room("a").ok());
  CAF_CHECK(!st->has_room("a").value());
  st->close();
  CAF_CHECK(!st->has_room("b").ok());
}

CAF_TEST(reopen of an existing database with extra column families) {
  {
    auto st = open();
    CAF_REQUIRE(st->append("r", b("1")).ok());
    CAF_REQUIRE(st->close().ok());
  }
  {  // Another column family added by someone else must not prevent opening.
    rocksdb::Options opts;
    std::vector<std::string> names;
    CAF_REQUIRE(rocksdb::DB::ListColumnFamilies(opts, db_path, &names).ok());
    CAF_CHECK_EQUAL(names.size(), 4u);
    std::vector<rocksdb::ColumnFamilyDescriptor> desc;
    for (auto& n : names) desc.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    CAF_REQUIRE(rocksdb::DB::Open(opts, db_path, desc, &handles, &db).ok());
    rocksdb::ColumnFamilyHandle* extra = nullptr;
    CAF_REQUIRE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "extra", &extra).ok());
    handles.push_back(extra);
    for (auto* h : handles) CAF_CHECK(db->DestroyColumnFamilyHandle(h).ok());
    CAF_CHECK(db->Close().ok());
    delete db;
  }
  auto st = open();
  CAF_CHECK_EQUAL(st->append("r", b("2")).value(), 2u);
  CAF_CHECK_EQUAL(st->load("r")->log.size(), 2u);
}

CAF_TEST(sync on and off both work) {
  for (bool sync : {false, true}) {
    {
      auto st = open(sync);
      CAF_CHECK_EQUAL(st->options().sync, sync);
      CAF_REQUIRE(st->append_batch({{"s", b("a")}, {"s", b("b")}}).ok());
      CAF_REQUIRE(st->write_snapshot("s", b("S"), 1).ok());
    }
    auto st = open(sync);
    auto d = st->load("s");
    CAF_REQUIRE(d.ok());
    CAF_CHECK(*d->snapshot == b("S"));
    CAF_CHECK_EQUAL(d->log.size(), 1u);
    CAF_REQUIRE(st->remove_room("s").ok());
  }
}

CAF_TEST(unopenable path is an error) {
  { std::ofstream(dir + "/file") << "not a directory"; }
  auto r = rocksdb_store::open({dir + "/file/db", false, true});
  CAF_REQUIRE(!r.ok());
  CAF_MESSAGE("error: " << r.error_message());
  CAF_CHECK(r.error_message().find("open") == 0);
  CAF_CHECK(r.error_message().find(dir + "/file/db") != std::string::npos);
  auto missing = rocksdb_store::open({dir + "/missing", false, false});
  CAF_CHECK(!missing.ok());
  CAF_CHECK(!rocksdb_store::open({"", false, true}).ok());
}

CAF_TEST(closed store returns errors) {
  auto st = open();
  CAF_REQUIRE(st->close().ok());
  CAF_CHECK(!st->append("r", b("x")).ok());
  CAF_CHECK(!st->load("r").ok());
  CAF_CHECK(!st->list_rooms().ok());
  CAF_CHECK(st->close().ok());
}

CAF_TEST(malformed log key is an error naming room and key) {
  {
    auto st = open();
    CAF_REQUIRE(st->append("bad", b("1")).ok());
    CAF_REQUIRE(st->append("good", b("1")).ok());
  }
  // Raw write: a log key of room "bad" with a 3-byte suffix instead of 8.
  raw_put("log", keys::room_prefix("bad") + "zzz", "v");
  auto st = open();
  auto d = st->load("bad");
  CAF_REQUIRE(!d.ok());
  CAF_MESSAGE("error: " << d.error_message());
  CAF_CHECK(d.error_message().find("room=bad") != std::string::npos);
  CAF_CHECK(d.error_message().find("key=\\x03badzzz") != std::string::npos);
  auto a = st->append("bad", b("2"));
  CAF_CHECK(!a.ok());
  CAF_CHECK(a.error_message().find("room=bad") != std::string::npos);
  CAF_CHECK(!st->room_stats("bad").ok());
  CAF_CHECK(st->load("good").ok());
  CAF_CHECK_EQUAL(st->append("good", b("2")).value(), 2u);
}

CAF_TEST(opening counts snapshot bytes from version 1 and version 2 meta records) {
  {
    auto st = open();
    CAF_REQUIRE(st->append("old", b("1")).ok());
    CAF_REQUIRE(st->write_snapshot("old", b("snapshot of old"), 1).ok());
    CAF_REQUIRE(st->append("new", b("1")).ok());
    CAF_REQUIRE(st->write_snapshot("new", b("snap"), 1).ok());
  }
  // Raw write: room "old" gets a version-1 meta record (no snapshot size), as older stores wrote.
  std::string v1(1, '\x01');
  keys::append_be64(v1, 1);
  raw_put("meta", keys::room_prefix("old"), v1);
  auto st = open();
  auto s = st->stats();
  CAF_REQUIRE(s.ok());
  CAF_CHECK_EQUAL(s->rooms, 2u);
  CAF_CHECK_EQUAL(s->snapshot_bytes, std::string("snapshot of old").size() + 4);
  CAF_CHECK_EQUAL(s->log_entries, 0u);
  auto d = st->load("old");
  CAF_REQUIRE(d.ok());
  CAF_CHECK(d->snapshot == b("snapshot of old"));
  // A new snapshot writes version 2 again and the counters stay exact.
  CAF_REQUIRE(st->append("old", b("2")).ok());
  CAF_REQUIRE(st->write_snapshot("old", b("x"), 2).ok());
  auto after = st->stats();
  CAF_REQUIRE(after.ok());
  CAF_CHECK_EQUAL(after->snapshot_bytes, 5u);
}

CAF_TEST(stats counters follow appends snapshots and removals) {
  using v = std::vector<std::uint64_t>;
  v before_close;
  {
    auto st = open();
    CAF_MESSAGE("open scan of an empty database: " << st->open_scan_duration().count() << " ns");
    CAF_CHECK_EQUAL(counters(*st), (v{0, 0, 0, 0}));
    CAF_REQUIRE(st->append("a", b("12345")).ok());
    CAF_REQUIRE(st->append("b", b("xy")).ok());
    CAF_CHECK_EQUAL(counters(*st), (v{2, 2, 7, 0}));
    // A batch with a room twice (and a new room, and an empty update): one new room, three entries.
    CAF_REQUIRE(st->append_batch({{"a", b("678")}, {"c", b("")}, {"a", b("9")}}).ok());
    CAF_CHECK_EQUAL(counters(*st), (v{3, 5, 11, 0}));
    CAF_CHECK_EQUAL(counters(*st), recount(*st));
    // A snapshot covering part of a's log (seq 1..2 of 3: 5 + 3 bytes deleted).
    CAF_REQUIRE(st->write_snapshot("a", b("SNAPSHOT"), 2).ok());
    CAF_CHECK_EQUAL(counters(*st), (v{3, 3, 3, 8}));
    CAF_CHECK_EQUAL(counters(*st), recount(*st));
    // A snapshot replacing a snapshot: the old size is subtracted, the last entry deleted.
    CAF_REQUIRE(st->write_snapshot("a", b("S"), 3).ok());
    CAF_CHECK_EQUAL(counters(*st), (v{3, 2, 2, 1}));
    // Covering nothing more (same seq) replaces only the snapshot; a bigger one again.
    CAF_REQUIRE(st->write_snapshot("a", b("SNAP"), 3).ok());
    CAF_CHECK_EQUAL(counters(*st), (v{3, 2, 2, 4}));
    // Refused snapshots change nothing.
    CAF_CHECK(!st->write_snapshot("a", b("XXXXXXXX"), 2).ok());
    CAF_CHECK(!st->write_snapshot("b", b("XXXXXXXX"), 2).ok());
    CAF_CHECK_EQUAL(counters(*st), (v{3, 2, 2, 4}));
    // A snapshot of a room with nothing stored makes a new room (covers 0: no log deleted).
    CAF_REQUIRE(st->write_snapshot("d", b("DD"), 0).ok());
    CAF_CHECK_EQUAL(counters(*st), (v{4, 2, 2, 6}));
    // A snapshot covering the whole log keeps the room (it has a snapshot, no log).
    CAF_REQUIRE(st->write_snapshot("b", b("BBB"), 1).ok());
    CAF_CHECK_EQUAL(counters(*st), (v{4, 1, 0, 9}));
    CAF_REQUIRE(st->append("b", b("after")).ok());
    CAF_CHECK_EQUAL(counters(*st), (v{4, 2, 5, 9}));
    // remove_room subtracts everything of the room, and only of it; an unknown room changes nothing.
    CAF_REQUIRE(st->remove_room("a").ok());
    CAF_CHECK_EQUAL(counters(*st), (v{3, 2, 5, 5}));
    CAF_REQUIRE(st->remove_room("never-existed").ok());
    CAF_REQUIRE(st->remove_room("a").ok());
    CAF_CHECK_EQUAL(counters(*st), (v{3, 2, 5, 5}));
    // A removed room starts again from nothing.
    CAF_REQUIRE(st->append("a", b("again")).ok());
    CAF_CHECK_EQUAL(counters(*st), (v{4, 3, 10, 5}));
    CAF_CHECK_EQUAL(counters(*st), recount(*st));
    // Rejected batches (an invalid room in it) change nothing.
    CAF_CHECK(!st->append_batch({{"e", b("zz")}, {"", b("x")}}).ok());
    CAF_CHECK_EQUAL(counters(*st), (v{4, 3, 10, 5}));
    before_close = counters(*st);
    CAF_REQUIRE(st->close().ok());
    CAF_CHECK(!st->stats().ok());
  }
  // The scan at open rebuilds the same counters.
  auto st = open();
  CAF_CHECK_EQUAL(counters(*st), before_close);
  CAF_CHECK_EQUAL(counters(*st), recount(*st));
  CAF_MESSAGE("open scan: " << st->open_scan_duration().count() << " ns");
  CAF_CHECK(st->stats()->approximate_db_bytes > 0u);
}

CAF_TEST(stats counters stay exact under a random sequence of operations) {
  std::mt19937 rng(20240604);
  auto pick = [&](std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
  };
  const std::vector<std::string> rooms{"r0",       "r1", "r1\0"s, "room with spaces", std::string(200, 'x'),
                                       "\xff\x00"s};
  auto random_bytes = [&](std::size_t max) {
    bytes out(pick(0, max));
    for (auto& c : out) c = static_cast<std::uint8_t>(pick(0, 255));
    return out;
  };
  auto st = open();
  int appends = 0, batches = 0, snapshots = 0, refused = 0, removals = 0, reopens = 0;
  for (int step = 0; step < 600; ++step) {
    const auto& room = rooms[pick(0, rooms.size() - 1)];
    auto op = pick(0, 99);
    if (op < 35) {
      CAF_REQUIRE(st->append(room, random_bytes(64)).ok());
      ++appends;
    } else if (op < 65) {
      std::vector<pending_update> batch;
      for (auto n = pick(1, 8); n > 0; --n)
        batch.push_back({rooms[pick(0, rooms.size() - 1)], random_bytes(40)});
      auto r = st->append_batch(batch);
      CAF_REQUIRE(r.ok());
      CAF_CHECK_EQUAL(r->size(), batch.size());
      ++batches;
    } else if (op < 85) {
      auto rs = st->room_stats(room);
      CAF_REQUIRE(rs.ok());
      const seq_t last = rs->next_seq - 1;
      if (pick(0, 9) == 0) {  // out of range: refused, nothing changes
        auto before = counters(*st);
        CAF_CHECK(!st->write_snapshot(room, b("X"), last + 1).ok());
        CAF_CHECK_EQUAL(counters(*st), before);
        ++refused;
      } else {
        CAF_REQUIRE(st->write_snapshot(room, random_bytes(300), pick(rs->snapshot_seq, last)).ok());
        ++snapshots;
      }
    } else if (op < 95) {
      CAF_REQUIRE(st->remove_room(room).ok());
      ++removals;
    } else {
      auto before = counters(*st);
      CAF_REQUIRE(st->close().ok());
      st = open();
      CAF_CHECK_EQUAL(counters(*st), before);
      ++reopens;
    }
    auto c = counters(*st);
    auto r = recount(*st);
    if (c != r) CAF_FAIL("step " << step << ": counters " << c << " != recount " << r);
  }
  CAF_MESSAGE("appends " << appends << ", batches " << batches << ", snapshots " << snapshots << ", refused "
                         << refused << ", removals " << removals << ", reopens " << reopens << ", final "
                         << counters(*st));
  CAF_CHECK(appends > 0 && batches > 0 && snapshots > 0 && refused > 0 && removals > 0 && reopens > 0);
}

CAF_TEST(failed writes leave counters and numbering unchanged) {
  auto fs = std::make_shared<failing_fs>(rocksdb::FileSystem::Default());
  auto env = rocksdb::NewCompositeEnv(fs);
  std::vector<std::uint64_t> before;
  {
    auto r = rocksdb_store::open({db_path, false, true, env.get()});
    CAF_REQUIRE(r.ok());
    auto st = std::move(r).value();
    CAF_REQUIRE(st->append_batch({{"a", b("111")}, {"b", b("22")}, {"a", b("3")}}).ok());
    CAF_REQUIRE(st->write_snapshot("b", b("SNAP"), 1).ok());
    before = counters(*st);
    CAF_CHECK_EQUAL(before, (std::vector<std::uint64_t>{2, 2, 4, 4}));
    fs->fail = true;
    // A batch with a room twice and a new room: the write fails, nothing is counted.
    auto a = st->append_batch({{"a", b("44")}, {"c", b("5")}, {"a", b("666")}});
    CAF_REQUIRE(!a.ok());
    CAF_MESSAGE("append error: " << a.error_message());
    CAF_CHECK(a.error_message().find("injected WAL append failure") != std::string::npos);
    CAF_CHECK_EQUAL(counters(*st), before);
    CAF_CHECK(!st->write_snapshot("a", b("NEWSNAPSHOT"), 2).ok());
    CAF_CHECK_EQUAL(counters(*st), before);
    CAF_CHECK(!st->remove_room("a").ok());
    CAF_CHECK_EQUAL(counters(*st), before);
    fs->fail = false;
    // RocksDB may stay in its background-error state after a failed WAL write; if it accepts writes
    // again, numbering continues where the failed batch would have started.
    auto again = st->append("a", b("7"));
    if (again.ok()) {
      CAF_CHECK_EQUAL(*again, 3u);
      CAF_CHECK_EQUAL(counters(*st), (std::vector<std::uint64_t>{2, 3, 5, 4}));
      before = counters(*st);
    } else {
      CAF_MESSAGE("after the failure: " << again.error_message());
    }
    st->close();  // may report the background error
  }
  auto st = open();
  CAF_CHECK_EQUAL(counters(*st), before);
  CAF_CHECK_EQUAL(counters(*st), recount(*st));
  CAF_CHECK_EQUAL(st->append("c", b("x")).value(), 1u);
  CAF_CHECK_EQUAL(st->load("a")->log.back().seq + 1, st->append("a", b("y")).value());
}

CAF_TEST_FIXTURE_SCOPE_END()
