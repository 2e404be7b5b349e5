#define CAF_SUITE actors_room_store
#define FAIL(x) CAF_FAIL(x)
#include <caf/test/dsl.hpp>

// The room ↔ store flow: rooms load their stored state before anything else, store every accepted update
// before anything that depends on it reaches a member, snapshot when idle / over the compaction limits /
// at unload and shutdown, refuse to load a record that does not decode, and stop on a failed write.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "actors/store_actor.hpp"
#include "actors/store_messages.hpp"
#include "persistence/rocksdb_store.hpp"
#include "tests/actors/actor_test_support.hpp"
#include "tests/temp_dir.hpp"

using namespace zeal::actors;
using namespace zeal::actors::test;
using namespace std::chrono_literals;
namespace persistence = zeal::persistence;

namespace {

/// A stand-in store that answers appends only when told (ok_atom: confirm all, or fail all if `fail`).
struct gated_store_record {
  std::vector<std::pair<std::string, bytes>> appends;
  std::vector<caf::response_promise> waiting;
  std::uint64_t next_seq = 1;
  bool fail = false;
  int snapshots = 0;
};

caf::behavior gated_store(caf::event_based_actor* self, std::shared_ptr<gated_store_record> rec) {
  return {
      [self, rec](persistence::append_atom, const std::string& room, const bytes& update) {
        rec->appends.emplace_back(room, update);
        auto rp = self->make_response_promise();
        rec->waiting.push_back(rp);
        return rp;
      },
      [](persistence::load_atom, const std::string&) { return persistence::room_record{}; },
      [rec](persistence::snapshot_atom, const std::string&, const bytes&, std::uint64_t) {
        ++rec->snapshots;
        return caf::ok_atom::value;
      },
      [rec](caf::ok_atom) {
        for (auto& rp : rec->waiting) {
          if (rec->fail)
            rp.deliver(persistence::make_store_error("injected: disk full"));
          else
            rp.deliver(rec->next_seq++);
        }
        rec->waiting.clear();
      },
  };
}

struct fixture : actor_fixture {
  zeal::test::temp_dir tmp{"zeal_room_store"};
  std::shared_ptr<persistence::rocksdb_store> db;
  caf::actor store;

  fixture() {
    limits.snapshot_idle = 5s;
    limits.room_timeout = 10min;
    auto r = persistence::rocksdb_store::open({tmp.path() + "/db", false, true});
    if (!r) CAF_FAIL("open failed: " << r.error_message());
    db = std::shared_ptr<persistence::rocksdb_store>{std::move(r).value()};
    store = persistence::spawn_store_actor(sys, db, false);
    to_stop.push_back(store);
    run_messages();
  }

  ~fixture() override {
    // Stop every actor (the store last) before the database and its directory go away.
    for (auto& d : directories) caf::anon_send(d, shutdown_atom::value);
    run_messages();
    for (auto& a : to_stop)
      if (a != store) caf::anon_send_exit(a, caf::exit_reason::kill);
    run_messages();
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    run_messages();
    directories.clear();
    to_stop.clear();
    store = nullptr;
    db->close();
  }

  caf::actor make_stored_room(std::string name, caf::actor directory = {}, caf::actor st = {}) {
    auto r = spawn_room_actor(sys, std::move(name), std::move(directory), limits, metrics, st ? st : store);
    to_stop.push_back(r);
    run_messages();
    return r;
  }

  caf::actor make_stored_directory() {
    auto d = spawn_directory(sys, limits, metrics, store);
    directories.push_back(d);
    to_stop.push_back(d);
    return d;
  }

  persistence::room_data stored(const std::string& room) {
    auto r = db->load(room);
    if (!r) CAF_FAIL("load failed: " << r.error_message());
    return std::move(r).value();
  }

  /// The text "t" of a doc rebuilt from what is stored for `room`.
  std::string stored_text(const std::string& room) {
    auto data = stored(room);
    zeal::crdt::doc d;
    if (data.snapshot) CAF_REQUIRE(d.apply_update(*data.snapshot));
    for (const auto& e : data.log) CAF_REQUIRE(d.apply_update(e.update));
    return d.get_text("t").to_string();
  }

  /// The update frames (message type 0, sync update 2) among `frames`.
  static std::vector<bytes> updates_in(const std::vector<bytes>& frames) {
    std::vector<bytes> out;
    for (const auto& f : frames)
      if (f.size() > 2 && f[0] == 0 && f[1] == 2) out.push_back(f);
    return out;
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(room_store_tests, fixture)

CAF_TEST(nothing is relayed or answered before the store confirmed the update) {
  auto rec = std::make_shared<gated_store_record>();
  auto gate = sys.spawn(gated_store, rec);
  to_stop.push_back(gate);
  auto room = make_stored_room("r", {}, gate);
  auto [a, arec] = make_recording_client();
  auto [b, brec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  CAF_REQUIRE(join(room, 2, b).accepted);
  arec->frames.clear();
  brec->frames.clear();
  doc_writer w{101};
  auto u = w.insert(0, "hello");
  send_frame(room, 1, update_frame(u));
  run_messages();
  // b asks for the room's state while the update is not stored yet.
  send_frame(room, 2, step1_frame(empty_state_vector()));
  run_messages();
  CAF_REQUIRE_EQUAL(rec->appends.size(), 1u);
  CAF_CHECK_EQUAL(rec->appends[0].first, "r");
  CAF_CHECK(rec->appends[0].second == u);
  CAF_CHECK(arec->frames.empty());
  CAF_CHECK(brec->frames.empty());
  caf::anon_send(gate, caf::ok_atom::value);
  run_messages();
  CAF_REQUIRE_EQUAL(arec->frames.size(), 1u);
  CAF_CHECK(arec->frames[0] == update_frame(u));
  CAF_REQUIRE_EQUAL(brec->frames.size(), 2u);
  CAF_CHECK(brec->frames[0] == update_frame(u));
  CAF_CHECK_EQUAL(brec->frames[1][0], 0);  // SyncStep2 with the update in it
  CAF_CHECK_EQUAL(brec->frames[1][1], 1);
}

CAF_TEST(a failed store write closes every member and stops the room without relaying) {
  auto rec = std::make_shared<gated_store_record>();
  rec->fail = true;
  auto gate = sys.spawn(gated_store, rec);
  to_stop.push_back(gate);
  auto room = make_stored_room("r", {}, gate);
  auto gone = watch(room);
  auto [a, arec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  arec->frames.clear();
  doc_writer w{102};
  send_frame(room, 1, update_frame(w.insert(0, "x")));
  run_messages();
  caf::anon_send(gate, caf::ok_atom::value);
  run_messages();
  CAF_CHECK(arec->frames.empty());
  CAF_REQUIRE_EQUAL(arec->closes.size(), 1u);
  CAF_CHECK_EQUAL(arec->closes[0].first, 1011);
  CAF_CHECK_EQUAL(arec->closes[0].second, "storage failure");
  CAF_CHECK(*gone);
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 0);
}

CAF_TEST(updates are stored in the order the room accepted them) {
  auto room = make_stored_room("ordered");
  auto [a, arec] = make_recording_client();
  auto [b, brec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  CAF_REQUIRE(join(room, 2, b).accepted);
  doc_writer w1{201}, w2{202};
  std::vector<bytes> sent;
  for (int i = 0; i < 10; ++i) {
    sent.push_back(w1.insert(0, "a"));
    send_frame(room, 1, update_frame(sent.back()));
    sent.push_back(w2.insert(0, "b"));
    send_frame(room, 2, update_frame(sent.back()));
  }
  run_messages();
  auto data = stored("ordered");
  CAF_CHECK(!data.snapshot);
  CAF_REQUIRE_EQUAL(data.log.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    CAF_CHECK_EQUAL(data.log[i].seq, i + 1);
    CAF_CHECK(data.log[i].update == sent[i]);
  }
  // Relayed after they were stored: all 20 waited in the mailbox together, so they go out merged (fewer
  // messages), and what a member receives makes up the same document.
  auto relayed = updates_in(arec->frames);
  CAF_CHECK_LESS(relayed.size(), sent.size());
  CAF_CHECK_GREATER(relayed.size(), 0u);
  zeal::crdt::doc expected, received;
  for (const auto& u : sent) CAF_REQUIRE(expected.apply_update(u));
  for (const auto& f : relayed) {
    auto m = zeal::crdt::protocol::decode_message(f);
    CAF_REQUIRE(m);
    CAF_REQUIRE(received.apply_update(m.value().sync.payload));
  }
  CAF_CHECK_EQUAL(received.to_json(), expected.to_json());
  CAF_CHECK_EQUAL(received.state_vector().encode(), expected.state_vector().encode());
  // An exact duplicate is neither relayed nor stored.
  send_frame(room, 1, update_frame(sent[0]));
  run_messages();
  CAF_CHECK_EQUAL(stored("ordered").log.size(), sent.size());
}

CAF_TEST(a room loads its snapshot and log tail before it answers anything) {
  doc_writer w{301};
  w.insert(0, "hello");
  CAF_REQUIRE(db->append("loaded", w.doc().encode_state_as_update()));
  CAF_REQUIRE(db->write_snapshot("loaded", w.doc().encode_state_as_update(), 1));
  CAF_REQUIRE(db->append("loaded", w.insert(5, " world")));
  CAF_REQUIRE(db->append("loaded", w.insert(0, ">")));
  auto room = make_stored_room("loaded");
  auto [a, arec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  run_messages();
  CAF_REQUIRE(!arec->frames.empty());
  CAF_CHECK(arec->frames[0] == step1_frame(w.doc().state_vector().encode()));
  CAF_CHECK_EQUAL(ask<std::string>(room, json_atom::value), w.doc().to_json());
}

CAF_TEST(a stored record that does not decode refuses the room and is left untouched) {
  doc_writer w{401};
  CAF_REQUIRE(db->append("broken", w.insert(0, "ok")));
  CAF_REQUIRE(db->append("broken", bytes{0xff, 0xff, 0xff, 0x01}));
  auto before = stored("broken");
  auto dir = make_stored_directory();
  auto room = ask<caf::actor>(dir, get_atom::value, std::string{"broken"});
  auto [a, arec] = make_recording_client();
  auto res = join(room, 1, a);
  CAF_CHECK(!res.accepted);
  CAF_CHECK_EQUAL(res.close_code, 1011);
  CAF_CHECK_EQUAL(res.reason, "room could not be loaded from storage");
  auto err = ask_error(dir, json_atom::value, std::string{"broken"});
  CAF_CHECK_EQUAL(error_close_code(err), 1011);
  CAF_CHECK_EQUAL(error_reason(err), "room could not be loaded from storage");
  CAF_CHECK_EQUAL(metrics->storage_load_failures_total.load(), 1u);
  // It unloads after a few seconds, so that a later join loads it again.
  advance_time(5s);
  run_messages();
  CAF_CHECK_EQUAL(metrics->rooms.load(), 0);
  room = ask<caf::actor>(dir, get_atom::value, std::string{"broken"});
  CAF_CHECK_EQUAL(join(room, 2, a).close_code, 1011);
  CAF_CHECK_EQUAL(metrics->storage_load_failures_total.load(), 2u);
  auto after = stored("broken");
  CAF_REQUIRE_EQUAL(after.log.size(), before.log.size());
  for (std::size_t i = 0; i < after.log.size(); ++i) CAF_CHECK(after.log[i].update == before.log[i].update);
  CAF_CHECK(!after.snapshot);
  // The room was unloaded and stopped: nothing (snapshot, log) was written for it.
  advance_time(limits.snapshot_idle);
  run_messages();
  CAF_CHECK(!stored("broken").snapshot);
}

CAF_TEST(a client of a room that does not load is told why and closed with 1011) {
  CAF_REQUIRE(db->append("broken", bytes{0xff, 0xff, 0xff, 0x01}));
  auto dir = make_stored_directory();
  auto c = make_client(dir, protocol_kind::y_websocket, "broken");
  run_messages();
  CAF_CHECK_EQUAL(c.sink->close_code(), 1011);
  CAF_CHECK_EQUAL(c.sink->close_reason(), "room could not be loaded from storage");
  auto frames = c.sink->frames();
  CAF_REQUIRE_EQUAL(frames.size(), 1u);
  CAF_CHECK(frames[0] == permission_denied("room could not be loaded from storage"));
  auto seed = make_client(dir, protocol_kind::seed);
  inbound_text(seed, R"({"action":"join","room":"broken"})");
  run_messages();
  CAF_CHECK_EQUAL(seed.sink->close_code(), 1011);
  auto texts = seed.sink->texts();
  CAF_REQUIRE_EQUAL(texts.size(), 1u);
  CAF_CHECK(texts[0].find("room could not be loaded from storage") != std::string::npos);
}

CAF_TEST(a snapshot that does not decode refuses the room) {
  CAF_REQUIRE(db->append("badsnap", bytes{1}));
  CAF_REQUIRE(db->write_snapshot("badsnap", bytes{0x05, 0xff}, 1));
  auto room = make_stored_room("badsnap");
  auto [a, arec] = make_recording_client();
  auto res = join(room, 1, a);
  CAF_CHECK(!res.accepted);
  CAF_CHECK_EQUAL(res.close_code, 1011);
  CAF_CHECK_EQUAL(metrics->storage_load_failures_total.load(), 1u);
}

CAF_TEST(an idle room folds its log into a snapshot) {
  auto room = make_stored_room("idle");
  auto [a, arec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  doc_writer w{501};
  for (int i = 0; i < 3; ++i) send_frame(room, 1, update_frame(w.insert(0, "x")));
  run_messages();
  CAF_CHECK_EQUAL(stored("idle").log.size(), 3u);
  advance_time(4s);
  run_messages();
  CAF_CHECK(!stored("idle").snapshot);
  advance_time(1s);
  run_messages();
  auto data = stored("idle");
  CAF_REQUIRE(data.snapshot.has_value());
  CAF_CHECK(data.log.empty());
  CAF_CHECK_EQUAL(data.snapshot_seq, 3u);
  CAF_CHECK_EQUAL(stored_text("idle"), "xxx");
  // Nothing new: no second snapshot.
  advance_time(10s);
  run_messages();
  CAF_CHECK_EQUAL(stored("idle").snapshot_seq, 3u);
}

CAF_TEST(updates keep postponing the idle snapshot) {
  auto room = make_stored_room("busy");
  auto [a, arec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  doc_writer w{502};
  for (int i = 0; i < 4; ++i) {
    send_frame(room, 1, update_frame(w.insert(0, "y")));
    run_messages();
    advance_time(3s);
    run_messages();
  }
  CAF_CHECK(!stored("busy").snapshot);
  advance_time(3s);
  run_messages();
  CAF_CHECK(stored("busy").snapshot.has_value());
}

CAF_TEST(the log is compacted when it passes the entry limit) {
  limits.compact_log_entries = 4;
  auto room = make_stored_room("entries");
  auto [a, arec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  doc_writer w{601};
  for (int i = 0; i < 10; ++i) send_frame(room, 1, update_frame(w.insert(0, "z")));
  run_messages();
  auto data = stored("entries");
  CAF_REQUIRE(data.snapshot.has_value());
  CAF_CHECK_LESS(data.log.size(), 4u);
  CAF_CHECK_GREATER_OR_EQUAL(data.snapshot_seq, 4u);
  CAF_CHECK_EQUAL(stored_text("entries"), "zzzzzzzzzz");
}

CAF_TEST(the log is compacted when it passes the byte limit) {
  limits.compact_log_bytes = 250;
  auto room = make_stored_room("bytes");
  auto [a, arec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  doc_writer w{602};
  const std::string chunk(60, 'q');
  for (int i = 0; i < 3; ++i) send_frame(room, 1, update_frame(w.insert(0, chunk)));
  run_messages();
  CAF_CHECK(!stored("bytes").snapshot);  // 3 × ~70 bytes; over 250 after the fourth
  send_frame(room, 1, update_frame(w.insert(0, chunk)));
  run_messages();
  auto data = stored("bytes");
  CAF_REQUIRE(data.snapshot.has_value());
  CAF_CHECK(data.log.empty());
  CAF_CHECK_EQUAL(stored_text("bytes").size(), 4 * chunk.size());
}

CAF_TEST(an unloading room writes its snapshot before it stops) {
  auto drec = std::make_shared<directory_record>();
  auto dir = sys.spawn(recording_directory, drec);
  to_stop.push_back(dir);
  auto room = make_stored_room("unload", dir);
  auto gone = watch(room);
  auto [a, arec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  doc_writer w{701};
  send_frame(room, 1, update_frame(w.insert(0, "bye")));
  caf::anon_send(room, leave_atom::value, std::uint64_t{1});
  run_messages();
  CAF_CHECK(!stored("unload").snapshot);
  limits.snapshot_idle = 1h;  // (the room has its own copy: only room_timeout matters below)
  advance_time(10min);
  run_messages();
  CAF_REQUIRE_EQUAL(drec->unloads.size(), 1u);
  CAF_CHECK(*gone);
  auto data = stored("unload");
  CAF_REQUIRE(data.snapshot.has_value());
  CAF_CHECK(data.log.empty());
  CAF_CHECK_EQUAL(stored_text("unload"), "bye");
}

CAF_TEST(shutdown writes the snapshot of every room) {
  auto dir = make_stored_directory();
  std::vector<std::string> names{"s1", "s2", "s3"};
  auto [a, arec] = make_recording_client();
  std::uint64_t conn = 1;
  for (const auto& n : names) {
    doc_writer w{800 + conn};
    auto room = ask<caf::actor>(dir, get_atom::value, n);
    CAF_REQUIRE(join(room, conn, a).accepted);
    send_frame(room, conn, update_frame(w.insert(0, n)));
    ++conn;
  }
  run_messages();
  auto gone = watch(dir);
  caf::anon_send(dir, shutdown_atom::value);
  run_messages();
  CAF_CHECK(*gone);
  for (const auto& n : names) {
    auto data = stored(n);
    CAF_CHECK(data.snapshot.has_value());
    CAF_CHECK(data.log.empty());
  }
  for (const auto& n : names) CAF_CHECK_EQUAL(stored_text(n), n);
}

CAF_TEST(rooms whose names share a prefix keep their own data) {
  auto dir = make_stored_directory();
  std::vector<std::string> names{"a", "ab", "a b", "b", "\xc3\xa4/\xc3\xb6", "a%2Fb"};
  auto [a, arec] = make_recording_client();
  std::uint64_t conn = 1;
  for (const auto& n : names) {
    doc_writer w{900 + conn};
    auto room = ask<caf::actor>(dir, get_atom::value, n);
    CAF_REQUIRE(join(room, conn, a).accepted);
    send_frame(room, conn, update_frame(w.insert(0, "<" + n + ">")));
    ++conn;
  }
  run_messages();
  for (const auto& n : names) CAF_CHECK_EQUAL(stored_text(n), "<" + n + ">");
  auto listed = db->list_rooms();
  CAF_REQUIRE(listed);
  CAF_CHECK_EQUAL(listed->size(), names.size());
}

CAF_TEST(an update posted over http is stored then relayed then answered) {
  auto dir = make_stored_directory();
  auto room = ask<caf::actor>(dir, get_atom::value, std::string{"posted"});
  auto [a, arec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  arec->frames.clear();
  doc_writer w{1001};
  auto u = w.insert(0, "from http");
  ask<caf::ok_atom>(dir, update_atom::value, std::string{"posted"}, u);
  CAF_REQUIRE_EQUAL(arec->frames.size(), 1u);
  CAF_CHECK(arec->frames[0] == update_frame(u));
  CAF_CHECK_EQUAL(stored_text("posted"), "from http");
  auto err = ask_error(dir, update_atom::value, std::string{"posted"}, bytes{0xff, 0xff});
  CAF_CHECK_EQUAL(error_close_code(err), 1007);
  CAF_CHECK(error_reason(err).rfind("malformed update: ", 0) == 0);
  CAF_CHECK_EQUAL(stored("posted").log.size(), 1u);
}

CAF_TEST(http lookups load stored rooms and do not create empty ones) {
  doc_writer w{1101};
  CAF_REQUIRE(db->append("stored", w.insert(0, "on disk")));
  auto dir = make_stored_directory();
  CAF_CHECK_EQUAL(ask<std::string>(dir, json_atom::value, std::string{"stored"}), w.doc().to_json());
  CAF_CHECK(ask<bytes>(dir, update_atom::value, std::string{"stored"}) == w.doc().encode_state_as_update());
  CAF_CHECK_EQUAL(metrics->rooms.load(), 1);
  auto err = ask_error(dir, json_atom::value, std::string{"nothing here"});
  CAF_CHECK_EQUAL(error_reason(err), "room not found");
  CAF_CHECK_EQUAL(metrics->rooms.load(), 1);
  CAF_CHECK(!db->load("nothing here")->snapshot);
}

CAF_TEST_FIXTURE_SCOPE_END()
