#define CAF_SUITE actors_client_actor
#define FAIL(x) CAF_FAIL(x)
#include <caf/test/dsl.hpp>

#include "tests/actors/actor_test_support.hpp"

using namespace zeal::actors;
using namespace zeal::actors::test;
using namespace std::chrono_literals;

namespace {

struct client_fixture : actor_fixture {
  caf::actor dir;

  client_fixture() {
    limits.max_rooms = 2;
    limits.max_clients_per_room = 2;
    limits.room_timeout = 10min;
    dir = make_directory();
  }

  client ws(std::string room) { return make_client(dir, protocol_kind::y_websocket, std::move(room)); }
  client seed() { return make_client(dir, protocol_kind::seed); }

  std::string room_json(const std::string& name) { return ask<std::string>(dir, json_atom::value, name); }
};

const bytes empty_step1 = step1_frame(empty_state_vector());

bytes empty_doc_update() {
  return zeal::crdt::doc{}.encode_state_as_update();
}

}  // namespace

CAF_TEST_FIXTURE_SCOPE(client_actor_tests, client_fixture)

CAF_TEST(a y - websocket client joins the room from its path) {
  auto a = ws("r");
  run_messages();
  CAF_CHECK_EQUAL(a.sink->frames(), std::vector<bytes>{empty_step1});
  CAF_CHECK(!a.sink->closed());
  CAF_CHECK_EQUAL(metrics->rooms.load(), 1);
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 1);
}

CAF_TEST(frames sent while the join is in flight are buffered and forwarded in order) {
  auto a = ws("r");
  doc_writer w{7};
  auto u = w.insert(0, "early");
  // The y-websocket client sends SyncStep1 right after connecting, then its offline edit.
  inbound(a, step1_frame(empty_state_vector()));
  inbound(a, update_frame(u));
  run_messages();
  auto frames = a.sink->frames();
  CAF_REQUIRE_EQUAL(frames.size(), 3u);
  CAF_CHECK_EQUAL(frames[0], empty_step1);                      // welcome
  CAF_CHECK_EQUAL(frames[1], step2_frame(empty_doc_update()));  // answer to its SyncStep1 (empty room)
  CAF_CHECK_EQUAL(frames[2], update_frame(u));                  // its update, relayed back
  CAF_CHECK_EQUAL(room_json("r"), R"({"t":"early"})");
}

CAF_TEST(updates are relayed between clients) {
  auto a = ws("r");
  auto b = ws("r");
  run_messages();
  doc_writer w{7};
  auto frame = update_frame(w.insert(0, "x"));
  inbound(a, frame);
  run_messages();
  CAF_CHECK_EQUAL(a.sink->last_frame(), frame);
  CAF_CHECK_EQUAL(b.sink->last_frame(), frame);
}

CAF_TEST(a closed connection leaves its room and removes its awareness) {
  auto a = ws("r");
  auto b = ws("r");
  run_messages();
  inbound(a, awareness_frame(10, 3, R"({"n":1})"));
  run_messages();
  auto down = watch(a.actor);
  closed(a);
  run_messages();
  CAF_CHECK(*down);
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 1);
  CAF_CHECK_EQUAL(b.sink->last_frame(), awareness_frame(10, 3, "null"));
}

CAF_TEST(an invalid room name closes a y - websocket connection with 1008) {
  auto a = ws("");
  auto b = ws(std::string("a\x01", 2));
  run_messages();
  CAF_REQUIRE(a.sink->closed());
  CAF_CHECK_EQUAL(a.sink->close_code(), 1008);
  CAF_CHECK_EQUAL(a.sink->close_reason(), "invalid room name: empty");
  CAF_REQUIRE(b.sink->closed());
  CAF_CHECK_EQUAL(b.sink->close_reason(), "invalid room name: contains a control character");
  CAF_CHECK_EQUAL(metrics->rejected(reject_reason::invalid_room), 2u);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 0);
}

CAF_TEST(a full room sends permission denied then closes with 1013) {
  ws("r");
  ws("r");
  auto c = ws("r");
  inbound(c, step1_frame(empty_state_vector()));  // buffered, then dropped
  run_messages();
  std::string reason = "room full (max-clients-per-room 2)";
  CAF_CHECK_EQUAL(c.sink->frames(), std::vector<bytes>{permission_denied(reason)});
  CAF_REQUIRE(c.sink->closed());
  CAF_CHECK_EQUAL(c.sink->close_code(), 1013);
  CAF_CHECK_EQUAL(c.sink->close_reason(), reason);
  CAF_CHECK_EQUAL(metrics->rejected(reject_reason::room_full), 1u);
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 2);
}

CAF_TEST(max rooms sends permission denied then closes with 1013) {
  ws("r1");
  ws("r2");
  auto c = ws("r3");
  run_messages();
  std::string reason = "server full (max-rooms 2)";
  CAF_CHECK_EQUAL(c.sink->frames(), std::vector<bytes>{permission_denied(reason)});
  CAF_REQUIRE(c.sink->closed());
  CAF_CHECK_EQUAL(c.sink->close_code(), 1013);
  CAF_CHECK_EQUAL(c.sink->close_reason(), reason);
  CAF_CHECK_EQUAL(metrics->rejected(reject_reason::max_rooms), 1u);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 2);
}

CAF_TEST(a malformed frame closes with 1002 and the room stays intact) {
  auto a = ws("r");
  auto b = ws("r");
  doc_writer w{7};
  inbound(b, update_frame(w.insert(0, "ok")));
  run_messages();
  inbound(a, bytes{0, 9});
  run_messages();
  CAF_REQUIRE(a.sink->closed());
  CAF_CHECK_EQUAL(a.sink->close_code(), 1002);
  CAF_CHECK_EQUAL(metrics->rejected(reject_reason::malformed), 1u);
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 1);
  CAF_CHECK(!b.sink->closed());
  // Later frames of the closed connection go nowhere.
  inbound(a, update_frame(w.insert(0, "lost ")));
  run_messages();
  CAF_CHECK_EQUAL(room_json("r"), R"({"t":"ok"})");
}

CAF_TEST(a malformed update closes with 1007 and the doc is unchanged) {
  auto a = ws("r");
  run_messages();
  inbound(a, update_frame(bytes{1, 1, 5, 0, 9, 9}));
  run_messages();
  CAF_REQUIRE(a.sink->closed());
  CAF_CHECK_EQUAL(a.sink->close_code(), 1007);
  CAF_CHECK_EQUAL(a.sink->close_reason().rfind("malformed update: ", 0), 0u);
  CAF_CHECK_EQUAL(room_json("r"), "{}");
  CAF_CHECK_EQUAL(metrics->rejected(reject_reason::malformed), 1u);
}

CAF_TEST(text frames close a y - websocket connection with 1003) {
  auto a = ws("r");
  run_messages();
  inbound_text(a, "hello");
  run_messages();
  CAF_REQUIRE(a.sink->closed());
  CAF_CHECK_EQUAL(a.sink->close_code(), 1003);
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 0);
}

CAF_TEST(seed clients join switch and leave rooms) {
  auto s = seed();
  auto other = ws("a");
  run_messages();
  inbound(s, update_frame(bytes{0, 0}));  // before a join
  run_messages();
  CAF_CHECK_EQUAL(s.sink->texts(), std::vector<std::string>{R"({"error":"not in a room"})"});
  CAF_CHECK(s.sink->frames().empty());
  inbound_text(s, R"({"action":"join","room":"a"})");
  run_messages();
  CAF_CHECK_EQUAL(s.sink->frames(), std::vector<bytes>{empty_step1});
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 2);
  doc_writer w{7};
  auto ua = update_frame(w.insert(0, "A"));
  inbound(s, ua);
  run_messages();
  CAF_CHECK_EQUAL(other.sink->last_frame(), ua);
  // Switch to b: leaves a first.
  inbound_text(s, R"({"action":"join","room":"b"})");
  run_messages();
  CAF_CHECK_EQUAL(s.sink->last_frame(), step1_frame(empty_state_vector()));
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 2);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 2);
  // Traffic in a no longer reaches s.
  auto count = s.sink->frame_count();
  doc_writer w2{8};
  auto uz = w2.insert(0, "Z");
  inbound(other, update_frame(uz));
  run_messages();
  CAF_CHECK_EQUAL(s.sink->frame_count(), count);
  inbound_text(s, R"({"action":"leave"})");
  run_messages();
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 1);
  CAF_CHECK(!s.sink->closed());
  zeal::crdt::doc expected;
  CAF_REQUIRE(expected.apply_update(w.doc().encode_state_as_update()).ok());
  CAF_REQUIRE(expected.apply_update(uz).ok());
  CAF_CHECK_EQUAL(room_json("a"), expected.to_json());
  CAF_CHECK_EQUAL(room_json("b"), "{}");
}

CAF_TEST(seed command errors answer with an error text and keep the connection) {
  auto s = seed();
  run_messages();
  inbound_text(s, "{not json");
  inbound_text(s, R"({"action":"dance"})");
  inbound_text(s, R"({"action":"join"})");
  inbound_text(s, R"({"action":"join","room":7})");
  inbound_text(s, R"({"action":"join","room":""})");
  inbound_text(s, R"([1,2])");
  run_messages();
  auto texts = s.sink->texts();
  CAF_REQUIRE_EQUAL(texts.size(), 6u);
  CAF_CHECK_EQUAL(texts[0].rfind(R"({"error":"invalid JSON: )", 0), 0u);
  CAF_CHECK_EQUAL(texts[1], R"({"error":"unknown action: dance"})");
  CAF_CHECK_EQUAL(texts[2], R"({"error":"missing \"room\""})");
  CAF_CHECK_EQUAL(texts[3], R"({"error":"\"room\" must be a string"})");
  CAF_CHECK_EQUAL(texts[4], R"({"error":"invalid room name: empty"})");
  CAF_CHECK_EQUAL(texts[5], R"({"error":"expected a JSON object"})");
  CAF_CHECK(!s.sink->closed());
  CAF_CHECK_EQUAL(metrics->rooms.load(), 0);
}

CAF_TEST(seed custom messages reach the other members only) {
  auto s1 = seed();
  auto s2 = seed();
  inbound_text(s1, R"({"action":"join","room":"c"})");
  inbound_text(s2, R"({"action":"join","room":"c"})");
  bytes custom{4, 1, 2, 3};
  inbound(s1, custom);  // buffered until s1's join is accepted
  run_messages();
  CAF_CHECK_EQUAL(s2.sink->last_frame(), custom);
  CAF_CHECK_EQUAL(s1.sink->frames(), std::vector<bytes>{empty_step1});
}

CAF_TEST(a seed client refused by a full room gets an error text then 1013) {
  ws("r");
  ws("r");
  auto s = seed();
  inbound_text(s, R"({"action":"join","room":"r"})");
  run_messages();
  std::string reason = "room full (max-clients-per-room 2)";
  CAF_CHECK_EQUAL(s.sink->texts(), std::vector<std::string>{R"({"error":")" + reason + R"("})"});
  CAF_CHECK(s.sink->frames().empty());
  CAF_REQUIRE(s.sink->closed());
  CAF_CHECK_EQUAL(s.sink->close_code(), 1013);
  CAF_CHECK_EQUAL(s.sink->close_reason(), reason);
}

CAF_TEST(a room gone for good closes its clients with 1011 room unavailable after the retries) {
  auto a = ws("r");
  run_messages();
  // The directory stops its rooms and quits: the client re-resolves the room, keeps the connection open
  // while it retries, then gives up.
  caf::anon_send(dir, shutdown_atom::value);
  run_messages();
  CAF_CHECK(!a.sink->closed());
  CAF_CHECK_EQUAL(a.sink->frames(), std::vector<bytes>{empty_step1});
  std::size_t timers = 0;
  while (!a.sink->closed() && trigger_timeout()) {
    ++timers;
    run_messages();
  }
  CAF_CHECK_EQUAL(timers, 40u);
  CAF_REQUIRE(a.sink->closed());
  CAF_CHECK_EQUAL(a.sink->close_code(), 1011);
  CAF_CHECK_EQUAL(a.sink->close_reason(), "room unavailable");
  CAF_CHECK_EQUAL(a.sink->last_frame(), permission_denied("room unavailable"));
  CAF_CHECK_EQUAL(metrics->cluster_rejoins_total.load(), 0u);
}

CAF_TEST(a killed room is loaded again and its clients stay connected) {
  auto a = ws("r");
  auto b = ws("r");
  run_messages();
  auto room = ask<caf::actor>(dir, get_atom::value, std::string{"r"});
  caf::anon_send_exit(room, caf::exit_reason::kill);
  run_messages();
  CAF_CHECK(!a.sink->closed());
  CAF_CHECK(!b.sink->closed());
  CAF_CHECK_EQUAL(metrics->cluster_rejoins_total.load(), 2u);
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 2);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 1);
  doc_writer w{7};
  auto frame = update_frame(w.insert(0, "x"));
  inbound(a, frame);
  run_messages();
  CAF_CHECK_EQUAL(b.sink->last_frame(), frame);
  CAF_CHECK_EQUAL(room_json("r"), R"({"t":"x"})");
}

CAF_TEST(a join that meets an unloading room re - resolves through the directory) {
  auto a = ws("r");
  run_messages();
  closed(a);
  run_messages();
  auto b = ws("r");     // its get request is now in the directory's mailbox
  advance_time(10min);  // the room's idle timer: the room will unload
  run_messages();
  CAF_CHECK_EQUAL(b.sink->frames(), std::vector<bytes>{empty_step1});
  CAF_CHECK(!b.sink->closed());
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 1);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 1);
  CAF_CHECK_EQUAL(metrics->rooms_loaded_total.load(), 2u);
  CAF_CHECK_EQUAL(metrics->rooms_unloaded_total.load(), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
