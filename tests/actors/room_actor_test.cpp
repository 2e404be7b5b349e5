#define CAF_SUITE actors_room_actor
#define FAIL(x) CAF_FAIL(x)
#include <caf/test/dsl.hpp>

#include "crdt/update/update.hpp"
#include "tests/actors/actor_test_support.hpp"

using namespace zeal::actors;
using namespace zeal::actors::test;
using namespace std::chrono_literals;

namespace {

struct room_fixture : actor_fixture {
  std::shared_ptr<directory_record> dir_rec = std::make_shared<directory_record>();
  caf::actor dir;
  caf::actor room;

  room_fixture() {
    limits.max_clients_per_room = 3;
    limits.room_timeout = 10min;
    dir = sys.spawn(recording_directory, dir_rec);
    to_stop.push_back(dir);
    room = make_room("r", dir);
  }

  struct member {
    caf::actor actor;
    std::shared_ptr<client_record> rec;
    std::uint64_t conn;
  };

  member join_member() {
    auto [a, rec] = make_recording_client();
    member m{a, rec, next_conn++};
    auto r = join(room, m.conn, m.actor);
    CAF_REQUIRE(r.accepted);
    return m;
  }

  std::string room_json() { return ask<std::string>(room, json_atom::value); }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(room_actor_tests, room_fixture)

CAF_TEST(join sends sync step1 and no awareness when there is none) {
  auto a = join_member();
  CAF_REQUIRE_EQUAL(a.rec->frames.size(), 1u);
  CAF_CHECK_EQUAL(a.rec->frames[0], step1_frame(empty_state_vector()));
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 1);
}

CAF_TEST(sync handshake of a new member is byte exact) {
  auto a = join_member();
  doc_writer w{7};
  auto u = w.insert(0, "hello");
  send_frame(room, a.conn, update_frame(u));
  run_messages();
  auto b = join_member();
  // The new member gets SyncStep1 with the room's state vector ...
  CAF_REQUIRE_EQUAL(b.rec->frames.size(), 1u);
  CAF_CHECK_EQUAL(b.rec->frames[0], step1_frame(w.doc().state_vector().encode()));
  // ... and its own SyncStep1 (empty doc) is answered with SyncStep2 = the whole state.
  send_frame(room, b.conn, step1_frame(empty_state_vector()));
  run_messages();
  CAF_REQUIRE_EQUAL(b.rec->frames.size(), 2u);
  CAF_CHECK_EQUAL(b.rec->frames[1], step2_frame(w.doc().encode_state_as_update()));
  // SyncStep1 with the full state vector → an empty diff.
  send_frame(room, b.conn, step1_frame(w.doc().state_vector().encode()));
  run_messages();
  CAF_REQUIRE_EQUAL(b.rec->frames.size(), 3u);
  auto sv = w.doc().state_vector();
  CAF_CHECK_EQUAL(b.rec->frames[2],
                  step2_frame(w.doc().encode_state_as_update(zeal::crdt::update_format::v1, sv)));
  CAF_CHECK_EQUAL(room_json(), w.doc().to_json());
}

CAF_TEST(an update is relayed unchanged to every member including the sender) {
  auto a = join_member();
  auto b = join_member();
  doc_writer w{7};
  auto frame = update_frame(w.insert(0, "x"));
  send_frame(room, a.conn, frame);
  run_messages();
  CAF_REQUIRE_EQUAL(a.rec->frames.size(), 2u);
  CAF_REQUIRE_EQUAL(b.rec->frames.size(), 2u);
  CAF_CHECK_EQUAL(a.rec->frames[1], frame);
  CAF_CHECK_EQUAL(b.rec->frames[1], frame);
  CAF_CHECK_EQUAL(room_json(), R"({"t":"x"})");
  CAF_CHECK_EQUAL(metrics->updates_applied.load(), 1u);
  CAF_CHECK(metrics->prometheus().find("zeal_update_apply_seconds_count 1\n") != std::string::npos);
}

CAF_TEST(updates waiting in the mailbox are relayed as one merged update) {
  auto a = join_member();
  auto b = join_member();
  doc_writer wa{7};
  doc_writer wb{9};
  std::vector<bytes> updates{wa.insert(0, "ab"), wb.insert(0, "xy"), wa.insert(2, "c")};
  // All three wait in the room's mailbox before it runs: a backlog.
  send_frame(room, a.conn, update_frame(updates[0]));
  send_frame(room, b.conn, update_frame(updates[1]));
  send_frame(room, a.conn, update_frame(updates[2]));
  run_messages();
  // One relayed frame per member (not three), an Update frame of the merged update.
  CAF_REQUIRE_EQUAL(a.rec->frames.size(), 2u);
  CAF_REQUIRE_EQUAL(b.rec->frames.size(), 2u);
  CAF_CHECK_EQUAL(a.rec->frames[1], b.rec->frames[1]);
  std::vector<zeal::crdt::bytes_view> views(updates.begin(), updates.end());
  auto merged = zeal::crdt::merge_updates(views, zeal::crdt::update_format::v1);
  CAF_REQUIRE(merged);
  CAF_CHECK_EQUAL(b.rec->frames[1], update_frame(merged.value()));
  // A client applying the relayed frame alone gets the room's document.
  zeal::crdt::doc replica;
  auto m = zeal::crdt::protocol::decode_message(b.rec->frames[1]);
  CAF_REQUIRE(m);
  CAF_REQUIRE(replica.apply_update(m.value().sync.payload));
  CAF_CHECK_EQUAL(replica.to_json(), room_json());
  CAF_CHECK_EQUAL(metrics->relays_merged_total.load(), 3u);
  CAF_CHECK_EQUAL(metrics->updates_applied.load(), 3u);
}

CAF_TEST(one update waiting behind other messages is relayed unchanged) {
  auto a = join_member();
  auto b = join_member();
  doc_writer w{7};
  auto frame = update_frame(w.insert(0, "x"));
  send_frame(room, a.conn, frame);
  send_frame(room, b.conn, step1_frame(empty_state_vector()));
  run_messages();
  // b: SyncStep1 at the join, then the SyncStep2 answer (it holds "x" already) and the relay.
  CAF_REQUIRE_EQUAL(a.rec->frames.size(), 2u);
  CAF_CHECK_EQUAL(a.rec->frames[1], frame);
  CAF_REQUIRE_EQUAL(b.rec->frames.size(), 3u);
  CAF_CHECK_EQUAL(b.rec->frames[2], frame);
  CAF_CHECK_EQUAL(metrics->relays_merged_total.load(), 0u);
}

CAF_TEST(sync step2 is relayed as an update frame with the same update bytes) {
  auto a = join_member();
  auto b = join_member();
  doc_writer w{7};
  auto u = w.insert(0, "offline");
  send_frame(room, a.conn, step2_frame(u));
  run_messages();
  CAF_REQUIRE_EQUAL(b.rec->frames.size(), 2u);
  CAF_CHECK_EQUAL(b.rec->frames[1], update_frame(u));
  CAF_CHECK_EQUAL(a.rec->frames.back(), update_frame(u));
}

CAF_TEST(trailing bytes after an update are not relayed) {
  auto a = join_member();
  doc_writer w{7};
  auto u = w.insert(0, "x");
  auto frame = update_frame(u);
  frame.push_back(0x99);
  send_frame(room, a.conn, frame);
  run_messages();
  CAF_REQUIRE_EQUAL(a.rec->frames.size(), 2u);
  CAF_CHECK_EQUAL(a.rec->frames[1], update_frame(u));
}

CAF_TEST(a duplicate update is applied but not relayed) {
  auto a = join_member();
  auto b = join_member();
  doc_writer w{7};
  auto frame = update_frame(w.insert(0, "x"));
  send_frame(room, a.conn, frame);
  run_messages();
  send_frame(room, b.conn, frame);
  run_messages();
  CAF_CHECK_EQUAL(a.rec->frames.size(), 2u);
  CAF_CHECK_EQUAL(b.rec->frames.size(), 2u);
  CAF_CHECK_EQUAL(metrics->updates_applied.load(), 2u);
  CAF_CHECK_EQUAL(room_json(), R"({"t":"x"})");
}

CAF_TEST(an update that only becomes pending is relayed once) {
  auto a = join_member();
  doc_writer w{7};
  auto first = w.insert(0, "a");
  auto second = w.insert(1, "b");  // depends on `first`
  send_frame(room, a.conn, update_frame(second));
  run_messages();
  CAF_REQUIRE_EQUAL(a.rec->frames.size(), 2u);
  CAF_CHECK_EQUAL(a.rec->frames[1], update_frame(second));
  send_frame(room, a.conn, update_frame(second));  // the same pending again: nothing new
  run_messages();
  CAF_CHECK_EQUAL(a.rec->frames.size(), 2u);
  send_frame(room, a.conn, update_frame(first));  // resolves the pending structs
  run_messages();
  CAF_CHECK_EQUAL(a.rec->frames.size(), 3u);
  CAF_CHECK_EQUAL(room_json(), R"({"t":"ab"})");
}

CAF_TEST(awareness is relayed to all and sent to new members) {
  auto a = join_member();
  auto b = join_member();
  auto frame = awareness_frame(10, 1, R"({"user":"a"})");
  send_frame(room, a.conn, frame);
  run_messages();
  CAF_REQUIRE_EQUAL(a.rec->frames.size(), 2u);
  CAF_REQUIRE_EQUAL(b.rec->frames.size(), 2u);
  CAF_CHECK_EQUAL(a.rec->frames[1], frame);
  CAF_CHECK_EQUAL(b.rec->frames[1], frame);
  // The same clock again changes nothing: not relayed.
  send_frame(room, a.conn, frame);
  run_messages();
  CAF_CHECK_EQUAL(b.rec->frames.size(), 2u);
  auto c = join_member();
  CAF_REQUIRE_EQUAL(c.rec->frames.size(), 2u);
  CAF_CHECK_EQUAL(c.rec->frames[0], step1_frame(empty_state_vector()));
  CAF_CHECK_EQUAL(c.rec->frames[1], frame);
}

CAF_TEST(leave removes the member and broadcasts its awareness removal) {
  auto a = join_member();
  auto b = join_member();
  send_frame(room, a.conn, awareness_frame(10, 1, R"({"user":"a"})"));
  run_messages();
  caf::anon_send(room, leave_atom::value, a.conn);
  run_messages();
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 1);
  CAF_REQUIRE_EQUAL(b.rec->frames.size(), 3u);
  CAF_CHECK_EQUAL(b.rec->frames[2], awareness_frame(10, 1, "null"));
  CAF_CHECK_EQUAL(a.rec->frames.size(), 2u);  // nothing more for the one who left
  // Frames from a connection that left are ignored.
  doc_writer w{7};
  send_frame(room, a.conn, update_frame(w.insert(0, "x")));
  run_messages();
  CAF_CHECK_EQUAL(b.rec->frames.size(), 3u);
  CAF_CHECK_EQUAL(room_json(), "{}");
}

CAF_TEST(a member that dies without leaving is removed) {
  auto a = join_member();
  auto b = join_member();
  send_frame(room, a.conn, awareness_frame(10, 1, R"({"user":"a"})"));
  run_messages();
  caf::anon_send_exit(a.actor, caf::exit_reason::kill);
  run_messages();
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 1);
  CAF_REQUIRE_EQUAL(b.rec->frames.size(), 3u);
  CAF_CHECK_EQUAL(b.rec->frames[2], awareness_frame(10, 1, "null"));
}

CAF_TEST(query awareness is answered to the sender only) {
  auto a = join_member();
  auto b = join_member();
  auto state = awareness_frame(10, 1, R"({"user":"a"})");
  send_frame(room, a.conn, state);
  run_messages();
  send_frame(room, b.conn, zeal::crdt::protocol::encode_query_awareness_frame());
  run_messages();
  CAF_REQUIRE_EQUAL(b.rec->frames.size(), 3u);
  CAF_CHECK_EQUAL(b.rec->frames[2], state);
  CAF_CHECK_EQUAL(a.rec->frames.size(), 2u);
}

CAF_TEST(outdated awareness states expire in virtual time) {
  // The default limits: awareness_timeout 30 s, checked every 15 s.
  auto a = join_member();
  auto b = join_member();
  send_frame(room, a.conn, awareness_frame(10, 1, R"({"user":"a"})"));
  run_messages();
  advance_time(15s);
  run_messages();
  CAF_CHECK_EQUAL(b.rec->frames.size(), 2u);  // 15 s old: still there
  advance_time(15s);
  run_messages();
  CAF_REQUIRE_EQUAL(b.rec->frames.size(), 3u);
  CAF_CHECK_EQUAL(b.rec->frames[2], awareness_frame(10, 1, "null"));
  CAF_CHECK_EQUAL(a.rec->frames.back(), awareness_frame(10, 1, "null"));
  // A query now answers "no states".
  send_frame(room, b.conn, zeal::crdt::protocol::encode_query_awareness_frame());
  run_messages();
  CAF_CHECK_EQUAL(b.rec->frames.back(),
                  zeal::crdt::protocol::encode_awareness_frame(std::vector<std::uint8_t>{0}));
}

CAF_TEST(custom messages go to the other members only) {
  auto a = join_member();
  auto b = join_member();
  auto c = join_member();
  bytes custom{4, 'h', 'i'};
  send_frame(room, b.conn, custom);
  run_messages();
  CAF_CHECK_EQUAL(a.rec->frames.back(), custom);
  CAF_CHECK_EQUAL(c.rec->frames.back(), custom);
  CAF_CHECK_EQUAL(b.rec->frames.size(), 1u);
}

CAF_TEST(auth messages are ignored) {
  auto a = join_member();
  send_frame(room, a.conn, permission_denied("token"));
  run_messages();
  CAF_CHECK(a.rec->closes.empty());
  CAF_CHECK_EQUAL(a.rec->frames.size(), 1u);
  doc_writer w{7};
  auto frame = update_frame(w.insert(0, "x"));
  send_frame(room, a.conn, frame);
  run_messages();
  CAF_CHECK_EQUAL(a.rec->frames.back(), frame);
}

CAF_TEST(a full room rejects the join with 1013) {
  join_member();
  join_member();
  join_member();
  auto [d, rec] = make_recording_client();
  auto r = join(room, 99, d);
  CAF_CHECK(!r.accepted);
  CAF_CHECK_EQUAL(r.close_code, 1013);
  CAF_CHECK_EQUAL(r.reason, "room full (max-clients-per-room 3)");
  CAF_CHECK(rec->frames.empty());
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 3);
}

CAF_TEST(malformed frames close the sender with 1002 and leave the room unchanged) {
  auto b = join_member();
  doc_writer w{7};
  send_frame(room, b.conn, update_frame(w.insert(0, "x")));
  run_messages();
  auto before = room_json();
  for (auto frame : std::vector<bytes>{{9}, {0}, {0, 7, 0}, {0, 2, 5, 1}, {}}) {
    auto a = join_member();
    send_frame(room, a.conn, frame);
    run_messages();
    CAF_REQUIRE_EQUAL(a.rec->closes.size(), 1u);
    CAF_CHECK_EQUAL(a.rec->closes[0].first, 1002);
    CAF_CHECK_EQUAL(a.rec->closes[0].second.rfind("malformed message: ", 0), 0u);
    CAF_MESSAGE("reason: " << a.rec->closes[0].second);
  }
  CAF_CHECK_EQUAL(room_json(), before);
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 1);  // the closed ones are no longer members
  CAF_CHECK(b.rec->closes.empty());
}

CAF_TEST(a malformed update closes the sender with 1007 and leaves the doc unchanged) {
  auto a = join_member();
  auto b = join_member();
  doc_writer w{7};
  send_frame(room, a.conn, update_frame(w.insert(0, "x")));
  run_messages();
  auto before = room_json();
  auto sv_before = ask<bytes>(room, update_atom::value);
  auto bad = w.insert(1, "yz");
  bad.resize(bad.size() - 2);  // truncated
  send_frame(room, a.conn, update_frame(bad));
  run_messages();
  CAF_REQUIRE_EQUAL(a.rec->closes.size(), 1u);
  CAF_CHECK_EQUAL(a.rec->closes[0].first, 1007);
  CAF_CHECK_EQUAL(a.rec->closes[0].second.rfind("malformed update: ", 0), 0u);
  CAF_CHECK_EQUAL(room_json(), before);
  CAF_CHECK_EQUAL(ask<bytes>(room, update_atom::value), sv_before);
  CAF_CHECK_EQUAL(b.rec->frames.size(), 2u);  // only the first update reached b
  CAF_CHECK(b.rec->closes.empty());
}

CAF_TEST(a malformed awareness update closes the sender with 1007) {
  auto a = join_member();
  auto b = join_member();
  send_frame(room, a.conn, bytes{1, 3, 1, 5, 0xff});
  run_messages();
  CAF_REQUIRE_EQUAL(a.rec->closes.size(), 1u);
  CAF_CHECK_EQUAL(a.rec->closes[0].first, 1007);
  CAF_CHECK_EQUAL(a.rec->closes[0].second.rfind("malformed awareness update: ", 0), 0u);
  CAF_CHECK_EQUAL(b.rec->frames.size(), 1u);
}

CAF_TEST(json and update requests return the document) {
  auto a = join_member();
  doc_writer w{7};
  send_frame(room, a.conn, update_frame(w.insert(0, "doc")));
  run_messages();
  CAF_CHECK_EQUAL(room_json(), w.doc().to_json());
  CAF_CHECK_EQUAL(ask<bytes>(room, update_atom::value), w.doc().encode_state_as_update());
}

CAF_TEST(an empty room asks the directory to unload it after room_timeout) {
  auto down = watch(room);
  auto a = join_member();
  advance_time(9min);
  caf::anon_send(room, leave_atom::value, a.conn);
  run_messages();
  advance_time(9min);  // the first timer (started at spawn) is stale: the room had a member
  run_messages();
  CAF_CHECK(dir_rec->unloads.empty());
  CAF_CHECK(!*down);
  advance_time(1min);
  run_messages();
  CAF_REQUIRE_EQUAL(dir_rec->unloads.size(), 1u);
  CAF_CHECK_EQUAL(dir_rec->unloads[0], "r");
  CAF_CHECK(*down);
}

CAF_TEST(a join that reaches an unloading room is answered retry) {
  // Stop the directory first so the room stays in its unloading state.
  caf::anon_send_exit(dir, caf::exit_reason::kill);
  run_messages();
  advance_time(10min);
  run_messages();
  auto [c, rec] = make_recording_client();
  auto r = join(room, 5, c);
  CAF_CHECK(!r.accepted);
  CAF_CHECK_EQUAL(r.close_code, 0);
  CAF_CHECK_EQUAL(r.reason, "retry");
  CAF_CHECK(rec->frames.empty());
}

CAF_TEST(shutdown stops the room) {
  auto down = watch(room);
  join_member();
  caf::anon_send(room, shutdown_atom::value);
  run_messages();
  CAF_CHECK(*down);
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 0);
}

CAF_TEST_FIXTURE_SCOPE_END()
