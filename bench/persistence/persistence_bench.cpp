// Persistence benchmark on a real persistence::rocksdb_store in a temp dir (not a test; see BENCHMARKS.md).
//   zeal_bench_persistence [--json] [--updates N] [--snapshot-bytes B] [--seconds S] [--rooms R]
//                          [--dir DIR] [--seed N]
// Measures (a) append throughput: single append() calls vs append_batch of 1/16/256 updates, sync off and
// on; (b) loading a room whose log holds N (100,000) updates: store.load() and applying every update in
// order to a fresh room-like doc (doc_options{0, true, false}); (c) loading a room holding one ~1 MiB
// snapshot: load + apply; (d) disk bytes per stored update: in the WAL, as log SSTs before and after a
// forced compaction, and after the snapshot replaced the log (snapshot written, CompactRange).
// The updates are real Yjs v1 updates: one Y.Text, single-character inserts at random positions (seeded),
// one update per insert as doc.on_update emits it. Prints a table, or one JSON object with --json.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "crdt/doc/doc.hpp"
#include "crdt/doc/text.hpp"
#include "persistence/rocksdb_store.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using namespace zeal;
namespace ps = zeal::persistence;
namespace fs = std::filesystem;

double ms_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

[[noreturn]] void die(const std::string& msg) {
  std::cerr << "zeal_bench_persistence: " << msg << "\n";
  std::exit(1);
}

struct options {
  bool json = false;
  std::uint64_t updates = 100000;
  std::uint64_t snapshot_bytes = 1 << 20;
  double seconds = 2.0;
  int rooms = 100;
  std::string dir;
  std::uint64_t seed = 42;
};

options parse(int argc, char** argv) {
  options o;
  const char* tmp = std::getenv("TMPDIR");
  o.dir = tmp && *tmp ? tmp : "/tmp";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--json")
      o.json = true;
    else if (a == "--updates")
      o.updates = std::stoull(value());
    else if (a == "--snapshot-bytes")
      o.snapshot_bytes = std::stoull(value());
    else if (a == "--seconds")
      o.seconds = std::stod(value());
    else if (a == "--rooms")
      o.rooms = std::stoi(value());
    else if (a == "--dir")
      o.dir = value();
    else if (a == "--seed")
      o.seed = std::stoull(value());
    else
      die("unknown argument " + a + " (see the comment at the top of persistence_bench.cpp)");
  }
  if (o.updates < 1 || o.rooms < 1 || o.seconds <= 0)
    die("--updates, --rooms and --seconds must be positive");
  return o;
}

/// One Y.Text edited by single-character inserts at random positions; one v1 update per insert.
class text_editor {
 public:
  text_editor(std::uint64_t seed, std::uint64_t client)
      : doc_(crdt::doc_options{client, true, true}), rng_(seed) {
    text_ = doc_.get_text("text");
    doc_.on_update([this](crdt::bytes_view u) { last_.assign(u.begin(), u.end()); });
  }
  const crdt::bytes& insert_one() {
    const char c = static_cast<char>('a' + rng_() % 26);
    const auto pos = std::uniform_int_distribution<std::uint64_t>(0, length_)(rng_);
    last_.clear();
    text_.insert(pos, std::string_view(&c, 1));
    ++length_;
    return last_;
  }
  crdt::doc& doc() { return doc_; }
  std::string text() const { return text_.to_string(); }

 private:
  crdt::doc doc_;
  crdt::text text_;
  std::mt19937_64 rng_;
  std::uint64_t length_ = 0;
  crdt::bytes last_;
};

/// A room's doc as the server keeps it: random client id, gc on, no format cleanup.
crdt::doc room_doc() {
  return crdt::doc{crdt::doc_options{0, true, false}};
}

std::unique_ptr<ps::rocksdb_store> open_store(const std::string& path, bool sync) {
  auto r = ps::rocksdb_store::open({path, sync, true});
  if (!r) die(r.error_message());
  return std::move(r).value();
}

void check(const ps::status& s) {
  if (!s) die(s.error_message());
}

/// Bytes of the files in `dir` whose name ends with `suffix` (all files if empty).
std::uint64_t dir_bytes(const std::string& dir, const std::string& suffix = "") {
  std::uint64_t total = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const auto name = e.path().filename().string();
    if (suffix.empty() || (name.size() >= suffix.size() && name.ends_with(suffix))) total += e.file_size();
  }
  return total;
}

/// The figures: a flat JSON object (keys in insertion order) and the same as a table.
class results {
 public:
  /// `label` empty: JSON only.
  void num(const std::string& key, double v, const std::string& label = "", const char* unit = "",
           int decimals = 1) {
    std::ostringstream s;
    s.precision(12);
    s << v;
    if (!body_.empty()) body_ += ",";
    body_ += "\"" + key + "\":" + s.str();
    if (!label.empty()) rows_.push_back({label, v, unit, decimals});
  }
  std::string json() const { return "{" + body_ + "}"; }
  void print_table() const {
    for (const auto& r : rows_)
      std::printf("%-62s %14.*f %s\n", r.label.c_str(), r.decimals, r.value, r.unit);
  }

 private:
  struct row {
    std::string label;
    double value;
    const char* unit;
    int decimals;
  };
  std::string body_;
  std::vector<row> rows_;
};

struct append_result {
  std::string mode;
  bool sync = false;
  std::uint64_t updates = 0;
  std::uint64_t writes = 0;
  double seconds = 0;
};

/// Appends updates (cycling over `updates`, rooms round robin) until `seconds` passed.
append_result run_appends(const options& o, const std::string& path, bool sync, std::size_t batch,
                          const std::vector<crdt::bytes>& updates) {
  auto st = open_store(path, sync);
  std::vector<std::string> rooms;
  for (int i = 0; i < o.rooms; ++i) rooms.push_back("bench-room-" + std::to_string(i));
  append_result out;
  out.mode = batch == 0 ? "append" : "append_batch " + std::to_string(batch);
  out.sync = sync;
  std::size_t next = 0;
  std::vector<ps::pending_update> pending;
  const auto start = clock_type::now();
  const auto budget = std::chrono::duration<double>(o.seconds);
  while (clock_type::now() - start < budget) {
    // 16 writes between clock reads
    for (int k = 0; k < 16; ++k) {
      if (batch == 0) {
        const auto& u = updates[next % updates.size()];
        auto r = st->append(rooms[next % rooms.size()], u);
        if (!r) die(r.error_message());
        ++next;
        out.updates += 1;
      } else {
        pending.clear();
        for (std::size_t j = 0; j < batch; ++j, ++next)
          pending.push_back({rooms[next % rooms.size()], updates[next % updates.size()]});
        auto r = st->append_batch(pending);
        if (!r) die(r.error_message());
        out.updates += batch;
      }
      out.writes += 1;
    }
  }
  out.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  check(st->close());
  fs::remove_all(path);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const auto o = parse(argc, argv);
  std::string tmpl = o.dir + "/zeal_bench_persistence_XXXXXX";
  if (!mkdtemp(tmpl.data())) die("cannot create a temp dir under " + o.dir);
  const std::string base = tmpl;
  results j;
  j.num("updates", static_cast<double>(o.updates));
  j.num("seed", static_cast<double>(o.seed));
  j.num("append_seconds", o.seconds);
  j.num("rooms", o.rooms);

  // The updates: N single-character inserts of one client (a 32-bit id, as Yjs picks them).
  auto t = clock_type::now();
  text_editor editor(o.seed, 2873151101u);
  std::vector<crdt::bytes> updates;
  updates.reserve(o.updates);
  std::uint64_t update_bytes = 0;
  for (std::uint64_t i = 0; i < o.updates; ++i) {
    updates.push_back(editor.insert_one());
    if (updates.back().empty()) die("an insert produced no update");
    update_bytes += updates.back().size();
  }
  const double generate_ms = ms_since(t);
  const double avg_update = static_cast<double>(update_bytes) / static_cast<double>(o.updates);
  j.num("update_bytes_avg", avg_update, "update size (average)", "B");
  j.num("generate_ms", generate_ms);

  // (a) append throughput.
  std::vector<append_result> appends;
  for (bool sync : {false, true})
    for (std::size_t batch : {std::size_t{0}, std::size_t{1}, std::size_t{16}, std::size_t{256}})
      appends.push_back(run_appends(o, base + "/append", sync, batch, updates));
  for (const auto& a : appends) {
    std::string key = (a.mode == "append" ? std::string("append") : "batch" + a.mode.substr(13)) +
                      (a.sync ? "_sync" : "_nosync");
    const std::string label = a.mode + (a.sync ? ", sync on" : ", sync off");
    j.num(key + "_updates_per_s", a.updates / a.seconds, label + ": throughput", "updates/s", 0);
    j.num(key + "_us_per_update", a.seconds * 1e6 / a.updates, label + ": time per update", "us", 2);
    j.num(key + "_writes_per_s", a.writes / a.seconds);
  }

  // (b) + (d): one room whose log holds every update.
  const std::string log_dir = base + "/log";
  const std::string room = "log-room";
  {
    auto st = open_store(log_dir, false);
    std::vector<ps::pending_update> pending;
    for (std::size_t i = 0; i < updates.size(); i += 256) {
      pending.clear();
      for (std::size_t k = i; k < std::min(updates.size(), i + 256); ++k)
        pending.push_back({room, updates[k]});
      auto r = st->append_batch(pending);
      if (!r) die(r.error_message());
    }
    auto s = st->stats();
    j.num("log_payload_bytes_per_update", static_cast<double>(s->log_bytes) / o.updates,
          "log: payload bytes per update", "B");
    j.num("log_wal_bytes_per_update", static_cast<double>(dir_bytes(log_dir, ".log")) / o.updates,
          "log: WAL bytes per update (before any flush)", "B");
    check(st->close());
  }
  {
    t = clock_type::now();
    auto st = open_store(log_dir, false);  // replays the WAL into L0 files
    j.num("log_open_ms", ms_since(t), "log room: open the store (WAL replay + counting scan)", "ms");
    j.num("log_open_scan_ms", std::chrono::duration<double, std::milli>(st->open_scan_duration()).count(),
          "log room: counting scan in open()", "ms");
    j.num("log_sst_bytes_per_update", static_cast<double>(dir_bytes(log_dir, ".sst")) / o.updates,
          "log: SST bytes per update (flushed, not compacted)", "B");
    t = clock_type::now();
    auto data = st->load(room);
    const double load_ms = ms_since(t);
    if (!data) die(data.error_message());
    if (data->log.size() != o.updates) die("loaded log has " + std::to_string(data->log.size()) + " entries");
    auto d = room_doc();
    t = clock_type::now();
    for (const auto& e : data->log) {
      auto r = d.apply_update(e.update);
      if (!r) die("apply failed at seq " + std::to_string(e.seq));
    }
    const double apply_ms = ms_since(t);
    if (d.get_text("text").to_string() != editor.text()) die("loaded log: text differs from the editor's");
    j.num("log_load_ms", load_ms, "log room: store.load()", "ms");
    j.num("log_apply_ms", apply_ms, "log room: apply every update to a fresh doc", "ms");
    j.num("log_total_ms", load_ms + apply_ms, "log room: load + apply", "ms");

    check(st->compact());
    j.num("log_compacted_sst_bytes_per_update", static_cast<double>(dir_bytes(log_dir, ".sst")) / o.updates,
          "log: SST bytes per update after CompactRange", "B");
    const auto state = d.encode_state_as_update();
    check(st->write_snapshot(room, state, o.updates));
    check(st->compact());
    const auto s = st->stats();
    j.num("final_state_bytes", static_cast<double>(state.size()), "snapshot of the log room (state v1)", "B",
          0);
    j.num("snapshot_bytes_per_update", static_cast<double>(s->snapshot_bytes) / o.updates,
          "snapshotted: snapshot bytes per update", "B", 2);
    j.num("snapshot_sst_bytes_per_update", static_cast<double>(dir_bytes(log_dir, ".sst")) / o.updates,
          "snapshotted: SST bytes per update after CompactRange", "B", 2);
    j.num("snapshot_dir_bytes_per_update", static_cast<double>(dir_bytes(log_dir)) / o.updates,
          "snapshotted: all files of the data dir per update", "B", 2);
    check(st->close());
  }

  // (c) one room holding a ~1 MiB snapshot of the same kind of document.
  {
    text_editor big(o.seed + 1, 1414213562u);
    std::uint64_t inserts = 0;
    crdt::bytes state;
    for (;;) {
      for (int k = 0; k < 1000; ++k, ++inserts) big.insert_one();
      state = big.doc().encode_state_as_update();
      if (state.size() >= o.snapshot_bytes) break;
    }
    const std::string snap_dir = base + "/snapshot";
    {
      auto st = open_store(snap_dir, false);
      check(st->write_snapshot("snapshot-room", state, 0));
      check(st->close());
    }
    auto st = open_store(snap_dir, false);
    t = clock_type::now();
    auto data = st->load("snapshot-room");
    const double load_ms = ms_since(t);
    if (!data || !data->snapshot) die("snapshot room did not load");
    auto d = room_doc();
    t = clock_type::now();
    if (!d.apply_update(*data->snapshot)) die("snapshot did not apply");
    const double apply_ms = ms_since(t);
    if (d.get_text("text").to_string() != big.text()) die("loaded snapshot: text differs from the editor's");
    j.num("snapshot_room_bytes", static_cast<double>(state.size()), "snapshot room: snapshot size", "B", 0);
    j.num("snapshot_room_inserts", static_cast<double>(inserts), "snapshot room: inserts in it", "", 0);
    j.num("snapshot_open_scan_ms",
          std::chrono::duration<double, std::milli>(st->open_scan_duration()).count(),
          "snapshot room: counting scan in open()", "ms");
    j.num("snapshot_load_ms", load_ms, "snapshot room: store.load()", "ms", 2);
    j.num("snapshot_apply_ms", apply_ms, "snapshot room: apply the snapshot to a fresh doc", "ms");
    j.num("snapshot_total_ms", load_ms + apply_ms, "snapshot room: load + apply", "ms");
    check(st->close());
  }
  fs::remove_all(base);

  if (o.json) {
    std::cout << j.json() << "\n";
    return 0;
  }
  std::printf(
      "%llu single-character inserts at random positions of one Y.Text (seed %llu), one update each\n\n",
      static_cast<unsigned long long>(o.updates), static_cast<unsigned long long>(o.seed));
  j.print_table();
  return 0;
}
