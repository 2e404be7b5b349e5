#define CAF_SUITE server_room_tools
#include <caf/test/unit_test.hpp>

// The offline room tools (export / import / rooms): the tool functions over a real RocksDB store in a
// temp dir, and run_room_tool end to end (arguments, options, exit codes, output, messages).

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "app/server/room_tools.hpp"
#include "crdt/doc/doc.hpp"
#include "persistence/keys.hpp"
#include "persistence/rocksdb_store.hpp"
#include "tests/temp_dir.hpp"

using namespace zeal;
using namespace zeal::app;
namespace fs = std::filesystem;

namespace {

/// The full state of a fresh doc of `client` after inserting `text` into the text root `root`.
crdt::bytes text_update(std::uint64_t client, const std::string& root, const std::string& text) {
  crdt::doc d{crdt::doc_options{client, true, true}};
  d.get_text(root).insert(0, text);
  return d.encode_state_as_update();
}

std::string json_of(crdt::bytes_view update) {
  crdt::doc d = make_room_doc();
  auto st = d.apply_update(update);
  if (!st) return "<does not decode: " + st.err().to_string() + ">";
  return d.to_json();
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

const crdt::bytes garbage{0x01, 0x05, 0xff, 0xff, 0xff};

struct run_output {
  int code = -1;
  std::string out;
  std::string err;
};

std::string drain(std::FILE* f) {
  std::string s;
  std::rewind(f);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  std::fclose(f);
  return s;
}

struct fixture {
  test::temp_dir tmp{"zeal_room_tools"};
  std::string data = tmp.path() + "/data";
  std::map<std::string, std::string> env;

  fixture() { CAF_REQUIRE(!tmp.path().empty()); }

  getenv_fn getenv() const {
    return [this](std::string_view name) -> std::optional<std::string> {
      auto it = env.find(std::string(name));
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
  }

  /// run_room_tool with stdout/stderr captured; no ./config.ini is read.
  run_output run(const std::vector<std::string>& args) {
    run_output r;
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    CAF_REQUIRE(out != nullptr && err != nullptr);
    r.code = run_room_tool(args, getenv(), out, err, tmp.path() + "/no-such-config.ini");
    r.out = drain(out);
    r.err = drain(err);
    return r;
  }

  std::unique_ptr<persistence::rocksdb_store> open(bool create = true) {
    auto r = persistence::rocksdb_store::open({data, false, create});
    if (!r) CAF_FAIL("open failed: " << r.error_message());
    return std::move(r).value();
  }

  std::string write_file(const std::string& name, crdt::bytes_view content) {
    const std::string path = tmp.path() + "/" + name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(content.data()), static_cast<std::streamsize>(content.size()));
    return path;
  }

  crdt::bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return crdt::bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
};

crdt::bytes to_bytes(const std::string& s) {
  return crdt::bytes(s.begin(), s.end());
}

}  // namespace

CAF_TEST(room tool names) {
  CAF_CHECK(is_room_tool("export"));
  CAF_CHECK(is_room_tool("import"));
  CAF_CHECK(is_room_tool("rooms"));
  CAF_CHECK(!is_room_tool("--port"));
  CAF_CHECK(!is_room_tool("Export"));
  CAF_CHECK(!is_room_tool(""));
  CAF_CHECK(contains(room_tools_usage(), "zeal-crdt-server export ROOM [FILE]"));
  CAF_CHECK(contains(room_tools_usage(), "zeal-crdt-server import ROOM FILE"));
  CAF_CHECK(contains(room_tools_usage(), "zeal-crdt-server rooms"));
}

CAF_TEST(display names escape control bytes only) {
  CAF_CHECK_EQUAL(display_name("plain/room-1"), "plain/room-1");
  CAF_CHECK_EQUAL(display_name("caf\xc3\xa9"), "caf\xc3\xa9");
  CAF_CHECK_EQUAL(display_name(std::string("a\nb\0c\x7f", 6)), "a\\x0ab\\x00c\\x7f");
}

CAF_TEST(validate update names the file and the byte offset) {
  CAF_CHECK(!validate_update(text_update(1, "t", "abc"), "f.bin"));
  auto e = validate_update(garbage, "f.bin");
  CAF_REQUIRE(e);
  CAF_CHECK(contains(*e, "f.bin: malformed update: "));
  CAF_CHECK(contains(*e, " at byte "));
  auto empty = validate_update(crdt::bytes{}, "empty.bin");
  CAF_REQUIRE(empty);
  CAF_CHECK(contains(*empty, "empty.bin: malformed update"));
}

CAF_TEST_FIXTURE_SCOPE(room_tool_functions, fixture)

CAF_TEST(build room doc applies the snapshot then the log in order) {
  // Client 1 writes "ab", then client 1 appends "c" (depends on the first): order matters for the log.
  crdt::doc src{crdt::doc_options{1, true, true}};
  std::vector<crdt::bytes> updates;
  src.on_update([&](crdt::bytes_view u) { updates.emplace_back(u.begin(), u.end()); });
  src.get_text("t").insert(0, "ab");
  src.get_text("t").insert(2, "c");
  src.get_text("t").insert(0, "X");
  CAF_REQUIRE_EQUAL(updates.size(), 3u);
  persistence::room_data data;
  data.snapshot = updates[0];
  data.snapshot_seq = 4;
  data.log.push_back({5, updates[1]});
  data.log.push_back({6, updates[2]});
  crdt::doc d = make_room_doc();
  CAF_CHECK(!build_room_doc("r", data, d));
  CAF_CHECK_EQUAL(d.to_json(), "{\"t\":\"Xabc\"}");
  CAF_CHECK(d.pending().missing.empty());
}

CAF_TEST(build room doc names the failing record and its key) {
  const std::string prefix = persistence::keys::room_prefix("r");
  persistence::room_data bad_snapshot;
  bad_snapshot.snapshot = garbage;
  bad_snapshot.snapshot_seq = 3;
  crdt::doc d1 = make_room_doc();
  auto e1 = build_room_doc("r", bad_snapshot, d1);
  CAF_REQUIRE(e1);
  CAF_MESSAGE("snapshot error: " << *e1);
  CAF_CHECK(contains(*e1, "room \"r\": the snapshot (key " + persistence::keys::printable(prefix) +
                              " in column family \"snapshot\", covers seq 3) does not decode: "));
  CAF_CHECK(contains(*e1, " at byte "));

  persistence::room_data bad_log;
  bad_log.log.push_back({1, text_update(1, "t", "a")});
  bad_log.log.push_back({2, garbage});
  bad_log.log.push_back({3, text_update(2, "t", "b")});
  crdt::doc d2 = make_room_doc();
  auto e2 = build_room_doc("r", bad_log, d2);
  CAF_REQUIRE(e2);
  CAF_MESSAGE("log error: " << *e2);
  CAF_CHECK(contains(*e2, "room \"r\": log entry seq 2 (key " +
                              persistence::keys::printable(persistence::keys::log_key(prefix, 2)) +
                              " in column family \"log\") does not decode: "));
  CAF_CHECK(contains(*e2, " at byte "));
  CAF_CHECK_EQUAL(d2.to_json(), "{\"t\":\"a\"}");  // the records before it
}

CAF_TEST(export of a stored room merges snapshot and log) {
  auto store = open();
  const auto a = text_update(1, "t", "hello");
  const auto b = text_update(2, "m", "world");
  auto s1 = store->append("doc", a);
  CAF_REQUIRE(s1.ok());
  CAF_REQUIRE(store->write_snapshot("doc", a, *s1).ok());
  CAF_REQUIRE(store->append("doc", b).ok());
  crdt::bytes state;
  auto r = export_room(*store, "doc", data, state);
  CAF_CHECK_EQUAL(r.exit_code, 0);
  CAF_CHECK_EQUAL(r.message, "");
  CAF_CHECK_EQUAL(json_of(state), "{\"m\":\"world\",\"t\":\"hello\"}");
  // Exactly the state a doc with both updates encodes.
  crdt::doc expected = make_room_doc();
  CAF_REQUIRE(expected.apply_update(a).ok());
  CAF_REQUIRE(expected.apply_update(b).ok());
  CAF_CHECK(state == expected.encode_state_as_update());
}

CAF_TEST(export of a room that is not stored fails with exit 1) {
  auto store = open();
  CAF_REQUIRE(store->append("other", text_update(1, "t", "x")).ok());
  crdt::bytes state;
  auto r = export_room(*store, "missing", "/some/dir", state);
  CAF_CHECK_EQUAL(r.exit_code, 1);
  CAF_CHECK_EQUAL(r.message, "room \"missing\" is not stored in /some/dir");
  CAF_CHECK(state.empty());
}

CAF_TEST(export of a corrupt room fails with exit 2) {
  auto store = open();
  CAF_REQUIRE(store->append("bad", text_update(1, "t", "x")).ok());
  CAF_REQUIRE(store->append("bad", garbage).ok());
  crdt::bytes state;
  auto r = export_room(*store, "bad", data, state);
  CAF_CHECK_EQUAL(r.exit_code, 2);
  CAF_CHECK(contains(r.message, "room \"bad\": log entry seq 2 (key "));
  CAF_CHECK(state.empty());
}

CAF_TEST(import into a new room writes a snapshot and an empty log) {
  auto store = open();
  const auto a = text_update(7, "t", "imported");
  auto r = import_room(*store, "fresh", a, "a.bin");
  CAF_CHECK_EQUAL(r.exit_code, 0);
  crdt::doc d = make_room_doc();
  CAF_REQUIRE(d.apply_update(a).ok());
  const auto state = d.encode_state_as_update();
  CAF_CHECK_EQUAL(r.message, "imported " + std::to_string(a.size()) +
                                 " bytes into room \"fresh\" (state now " + std::to_string(state.size()) +
                                 " bytes)");
  auto loaded = store->load("fresh");
  CAF_REQUIRE(loaded.ok());
  CAF_REQUIRE(loaded->snapshot.has_value());
  CAF_CHECK(*loaded->snapshot == state);
  CAF_CHECK_EQUAL(loaded->snapshot_seq, 1u);
  CAF_CHECK(loaded->log.empty());
  // The next append continues after the covered sequence number.
  auto next = store->append("fresh", text_update(8, "u", "z"));
  CAF_REQUIRE(next.ok());
  CAF_CHECK_EQUAL(*next, 2u);
}

CAF_TEST(import merges with what is stored and covers the whole log) {
  auto store = open();
  const auto a = text_update(1, "t", "one");
  const auto b = text_update(2, "u", "two");
  const auto c = text_update(3, "v", "three");
  auto s1 = store->append("room", a);
  CAF_REQUIRE(s1.ok());
  CAF_REQUIRE(store->write_snapshot("room", a, *s1).ok());
  CAF_REQUIRE(store->append("room", b).ok());  // seq 2, after the snapshot
  auto r = import_room(*store, "room", c, "c.bin");
  CAF_CHECK_EQUAL(r.exit_code, 0);
  auto st = store->room_stats("room");
  CAF_REQUIRE(st.ok());
  CAF_CHECK_EQUAL(st->log_entries, 0u);
  CAF_CHECK_EQUAL(st->snapshot_seq, 3u);
  auto loaded = store->load("room");
  CAF_REQUIRE(loaded.ok());
  CAF_REQUIRE(loaded->snapshot.has_value());
  CAF_CHECK_EQUAL(json_of(*loaded->snapshot), "{\"t\":\"one\",\"u\":\"two\",\"v\":\"three\"}");
  // Importing the same update again changes nothing in the document (CRDT union).
  auto again = import_room(*store, "room", c, "c.bin");
  CAF_CHECK_EQUAL(again.exit_code, 0);
  crdt::bytes state;
  CAF_CHECK_EQUAL(export_room(*store, "room", data, state).exit_code, 0);
  CAF_CHECK_EQUAL(json_of(state), "{\"t\":\"one\",\"u\":\"two\",\"v\":\"three\"}");
}

CAF_TEST(import into a room that does not load writes nothing) {
  auto store = open();
  CAF_REQUIRE(store->append("bad", garbage).ok());
  auto before = store->room_stats("bad");
  CAF_REQUIRE(before.ok());
  auto r = import_room(*store, "bad", text_update(1, "t", "x"), "x.bin");
  CAF_CHECK_EQUAL(r.exit_code, 2);
  CAF_CHECK(contains(r.message, "room \"bad\": log entry seq 1"));
  CAF_CHECK(contains(r.message, "nothing was written"));
  auto after = store->room_stats("bad");
  CAF_REQUIRE(after.ok());
  CAF_CHECK_EQUAL(after->log_entries, before->log_entries);
  CAF_CHECK_EQUAL(after->snapshot_bytes, 0u);
  CAF_CHECK_EQUAL(after->next_seq, before->next_seq);
  auto loaded = store->load("bad");
  CAF_REQUIRE(loaded.ok());
  CAF_REQUIRE_EQUAL(loaded->log.size(), 1u);
  CAF_CHECK(loaded->log[0].update == garbage);
}

CAF_TEST(room listing is sorted and keeps arbitrary names apart) {
  auto store = open();
  std::vector<std::string> names{"b", "a", std::string("a\0b", 3), "a/b", "\xc3\xa9t\xc3\xa9"};
  for (const auto& n : names) CAF_REQUIRE(store->append(n, text_update(1, "t", n)).ok());
  std::vector<std::string> rooms;
  auto r = list_rooms(*store, rooms);
  CAF_CHECK_EQUAL(r.exit_code, 0);
  std::vector<std::string> expected{"a", std::string("a\0b", 3), "a/b", "b", "\xc3\xa9t\xc3\xa9"};
  CAF_CHECK_EQUAL(rooms, expected);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(run_room_tool_tests, fixture)

CAF_TEST(import then export through files and stdout) {
  const auto a = text_update(1, "t", "alpha");
  const auto b = text_update(2, "m", "beta");
  const std::string fa = write_file("a.bin", a);
  const std::string fb = write_file("b.bin", b);
  auto r1 = run({"import", "notes", fa, "--data-dir", data});
  CAF_CHECK_EQUAL(r1.code, 0);
  CAF_CHECK_EQUAL(r1.err, "");
  CAF_CHECK(
      contains(r1.out, "imported " + std::to_string(a.size()) + " bytes into room \"notes\" (state now "));
  auto r2 = run({"import", "notes", fb, "--data-dir=" + data});
  CAF_CHECK_EQUAL(r2.code, 0);

  auto r3 = run({"export", "notes", "--data-dir", data});
  CAF_CHECK_EQUAL(r3.code, 0);
  CAF_CHECK_EQUAL(r3.err, "");
  CAF_CHECK_EQUAL(json_of(to_bytes(r3.out)), "{\"m\":\"beta\",\"t\":\"alpha\"}");

  const std::string out_file = tmp.path() + "/notes.bin";
  auto r4 = run({"export", "notes", out_file, "--data-dir", data});
  CAF_CHECK_EQUAL(r4.code, 0);
  CAF_CHECK(read_file(out_file) == to_bytes(r3.out));
  CAF_CHECK(contains(r4.out, "exported room \"notes\""));

  auto r5 = run({"export", "notes", "-", "--data-dir", data});
  CAF_CHECK_EQUAL(r5.code, 0);
  CAF_CHECK(r5.out == r3.out);

  auto r6 = run({"rooms", "--data-dir", data});
  CAF_CHECK_EQUAL(r6.code, 0);
  CAF_CHECK_EQUAL(r6.out, "notes\n");
}

CAF_TEST(the data directory comes from config ini) {
  const std::string cfg = tmp.path() + "/zeal.ini";
  std::ofstream(cfg) << "[storage]\ndata-dir = \"" << data << "\"\n";
  const std::string f = write_file("a.bin", text_update(1, "t", "x"));
  CAF_CHECK_EQUAL(run({"import", "r2", f, "--config", cfg}).code, 0);
  CAF_CHECK_EQUAL(run({"import", "r1", f, "--config", cfg}).code, 0);
  auto r = run({"rooms", "--config", cfg});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK_EQUAL(r.out, "r1\nr2\n");
  // The command line wins over the file.
  const std::string other = tmp.path() + "/other";
  CAF_CHECK_EQUAL(run({"import", "o", f, "--config", cfg, "--data-dir", other}).code, 0);
  CAF_CHECK_EQUAL(run({"rooms", "--config", cfg, "--data-dir", other}).out, "o\n");
}

CAF_TEST(rooms lists nothing for an empty database and escapes control bytes) {
  { auto store = open(); }
  auto empty = run({"rooms", "--data-dir", data});
  CAF_CHECK_EQUAL(empty.code, 0);
  CAF_CHECK_EQUAL(empty.out, "");
  {
    auto store = open();
    CAF_REQUIRE(store->append("line\nbreak", text_update(1, "t", "x")).ok());
  }
  auto r = run({"rooms", "--data-dir", data});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK_EQUAL(r.out, "line\\x0abreak\n");
}

CAF_TEST(a missing data directory is an error and is not created) {
  auto r1 = run({"export", "x", "--data-dir", data});
  CAF_CHECK_EQUAL(r1.code, 1);
  CAF_CHECK_EQUAL(r1.err, "zeal-crdt-server export: no data directory at " + data + "\n");
  CAF_CHECK_EQUAL(r1.out, "");
  auto r2 = run({"rooms", "--data-dir", data});
  CAF_CHECK_EQUAL(r2.code, 1);
  CAF_CHECK(contains(r2.err, "no data directory at " + data));
  CAF_CHECK(!fs::exists(data));
  // An existing directory without a database.
  fs::create_directories(data);
  auto r3 = run({"rooms", "--data-dir", data});
  CAF_CHECK_EQUAL(r3.code, 1);
  CAF_CHECK(contains(r3.err, "no data directory at " + data + " (it holds no RocksDB database)"));
  CAF_CHECK(fs::is_empty(data));
}

CAF_TEST(relative data directories are reported as absolute paths) {
  const auto cwd = fs::current_path();
  fs::current_path(tmp.path());
  auto r = run({"export", "x", "--data-dir", "./data/"});
  fs::current_path(cwd);
  CAF_CHECK_EQUAL(r.code, 1);
  CAF_CHECK_EQUAL(r.err, "zeal-crdt-server export: no data directory at " + data + "\n");
}

CAF_TEST(export of a room that is not stored exits 1) {
  { auto store = open(); }
  auto r = run({"export", "nope", "--data-dir", data});
  CAF_CHECK_EQUAL(r.code, 1);
  CAF_CHECK_EQUAL(r.err, "zeal-crdt-server export: room \"nope\" is not stored in " + data + "\n");
  CAF_CHECK_EQUAL(r.out, "");
  const std::string out_file = tmp.path() + "/nope.bin";
  auto r2 = run({"export", "nope", out_file, "--data-dir", data});
  CAF_CHECK_EQUAL(r2.code, 1);
  CAF_CHECK(!fs::exists(out_file));
}

CAF_TEST(a malformed import file exits 2 and writes nothing) {
  const std::string f = write_file("bad.bin", garbage);
  auto r = run({"import", "r", f, "--data-dir", data});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(contains(r.err, "zeal-crdt-server import: " + f + ": malformed update: "));
  CAF_CHECK(contains(r.err, " at byte "));
  CAF_CHECK_EQUAL(r.out, "");
  CAF_CHECK(!fs::exists(data));  // not even created
  // Into an existing room: the room is unchanged.
  CAF_CHECK_EQUAL(
      run({"import", "r", write_file("ok.bin", text_update(1, "t", "ok")), "--data-dir", data}).code, 0);
  auto before = run({"export", "r", "--data-dir", data});
  CAF_CHECK_EQUAL(run({"import", "r", f, "--data-dir", data}).code, 2);
  auto after = run({"export", "r", "--data-dir", data});
  CAF_CHECK_EQUAL(after.code, 0);
  CAF_CHECK(after.out == before.out);
  auto store = open(false);
  auto st = store->room_stats("r");
  CAF_REQUIRE(st.ok());
  CAF_CHECK_EQUAL(st->next_seq, 2u);
}

CAF_TEST(an unreadable import file exits 1) {
  auto r = run({"import", "r", tmp.path() + "/absent.bin", "--data-dir", data});
  CAF_CHECK_EQUAL(r.code, 1);
  CAF_CHECK(contains(r.err, "cannot read " + tmp.path() + "/absent.bin: "));
  CAF_CHECK(!fs::exists(data));
}

CAF_TEST(a stored record that does not decode exits 2 naming room and key) {
  {
    auto store = open();
    CAF_REQUIRE(store->append("bad", text_update(1, "t", "x")).ok());
    CAF_REQUIRE(store->write_snapshot("bad", garbage, 1).ok());
  }
  auto r = run({"export", "bad", "--data-dir", data});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(contains(r.err, "room \"bad\": the snapshot (key " +
                                persistence::keys::printable(persistence::keys::room_prefix("bad"))));
  CAF_CHECK_EQUAL(r.out, "");
  auto i = run({"import", "bad", write_file("ok.bin", text_update(2, "t", "y")), "--data-dir", data});
  CAF_CHECK_EQUAL(i.code, 2);
  CAF_CHECK(contains(i.err, "nothing was written"));
}

CAF_TEST(a data directory in use exits 1 with a hint) {
  auto holder = open();  // holds RocksDB's lock, as a running server does
  auto r = run({"export", "x", "--data-dir", data});
  CAF_CHECK_EQUAL(r.code, 1);
  CAF_MESSAGE("in use: " << r.err);
  CAF_CHECK(contains(r.err, "zeal-crdt-server export: cannot open " + data + ": "));
  CAF_CHECK(contains(
      r.err, "(is a zeal-crdt-server running on it? use GET/POST /rooms/<room>/update while it runs)"));
  auto i = run({"import", "x", write_file("ok.bin", text_update(2, "t", "y")), "--data-dir", data});
  CAF_CHECK_EQUAL(i.code, 1);
  CAF_CHECK(contains(i.err, "is a zeal-crdt-server running on it?"));
  CAF_CHECK_EQUAL(run({"rooms", "--data-dir", data}).code, 1);
}

CAF_TEST(usage and option errors exit 2) {
  auto help = run({"export", "--help"});
  CAF_CHECK_EQUAL(help.code, 0);
  CAF_CHECK(contains(help.out, "zeal-crdt-server export ROOM [FILE]"));
  CAF_CHECK_EQUAL(run({"rooms", "-h"}).code, 0);

  auto no_room = run({"export", "--data-dir", data});
  CAF_CHECK_EQUAL(no_room.code, 2);
  CAF_CHECK(contains(no_room.err, "usage: zeal-crdt-server export ROOM [FILE] [server options]"));
  CAF_CHECK_EQUAL(run({"import", "r", "--data-dir", data}).code, 2);
  CAF_CHECK_EQUAL(run({"import", "r", "f", "g", "--data-dir", data}).code, 2);
  CAF_CHECK_EQUAL(run({"export", "r", "f", "g", "--data-dir", data}).code, 2);
  CAF_CHECK_EQUAL(run({"rooms", "r", "--data-dir", data}).code, 2);
  auto empty_room = run({"export", "", "--data-dir", data});
  CAF_CHECK_EQUAL(empty_room.code, 2);
  CAF_CHECK(contains(empty_room.err, "ROOM must not be empty"));

  auto bad_flag = run({"rooms", "--frobnicate"});
  CAF_CHECK_EQUAL(bad_flag.code, 2);
  CAF_CHECK(contains(bad_flag.err, "zeal-crdt-server rooms: unknown option --frobnicate"));
  auto late_positional = run({"export", "--data-dir", data, "room"});
  CAF_CHECK_EQUAL(late_positional.code, 2);
  CAF_CHECK(contains(late_positional.err, "unexpected argument \"room\""));
  auto missing_config = run({"rooms", "--config", tmp.path() + "/missing.ini"});
  CAF_CHECK_EQUAL(missing_config.code, 2);
  CAF_CHECK(contains(missing_config.err, "missing.ini"));
  CAF_CHECK(!fs::exists(data));
}

CAF_TEST_FIXTURE_SCOPE_END()
