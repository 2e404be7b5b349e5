// ctest-labels: unit cluster
#define CAF_SUITE actors_client_rejoin
#define FAIL(x) CAF_FAIL(x)
#include <caf/test/dsl.hpp>

// A client actor whose room moves to another node or goes down: it re-joins (with the state vector it knew)
// without closing the connection, buffers the socket's frames meanwhile, retries retryable answers with a
// backoff of 50 ms · attempt (at most 500 ms) and gives up after 40 attempts with 1011 "room unavailable".
// Rooms and the directory (the router in the server) are stand-ins that record what they get.

#include <deque>
#include <variant>

#include "tests/actors/actor_test_support.hpp"

using namespace zeal::actors;
using namespace zeal::actors::test;
using namespace std::chrono_literals;

namespace {

/// One join a stand-in room received.
struct join_call {
  std::uint64_t conn = 0;
  std::uint8_t protocol = 0;
  std::optional<bytes> known_sv;  // set for a re-join
};

/// What a stand-in room got, and how it answers joins.
struct room_record {
  std::deque<join_result> answers;  // answered in order; then `fallback`
  join_result fallback;
  std::vector<join_call> joins;
  std::vector<bytes> frames;
  std::size_t leaves = 0;
};

join_result next_answer(room_record& rec) {
  if (rec.answers.empty()) return rec.fallback;
  auto r = std::move(rec.answers.front());
  rec.answers.pop_front();
  return r;
}

caf::behavior fake_room(caf::event_based_actor*, std::shared_ptr<room_record> rec) {
  return {
      [rec](join_atom, std::uint64_t conn, std::uint8_t protocol, const caf::actor&) {
        rec->joins.push_back({conn, protocol, std::nullopt});
        return next_answer(*rec);
      },
      [rec](join_atom, std::uint64_t conn, std::uint8_t protocol, const caf::actor&, const bytes& known_sv) {
        rec->joins.push_back({conn, protocol, known_sv});
        return next_answer(*rec);
      },
      [rec](frame_atom, std::uint64_t, const bytes& frame) { rec->frames.push_back(frame); },
      [rec](leave_atom, std::uint64_t) { ++rec->leaves; },
  };
}

/// A scripted answer of the stand-in directory: a room handle or an error.
using get_answer = std::variant<caf::actor, caf::error>;

/// What a stand-in directory got, and how it answers (get_atom, room).
struct dir_record {
  std::deque<get_answer> answers;  // answered in order; then `fallback`
  get_answer fallback;
  std::vector<std::string> gets;
  bool hold = false;  // keep the answers until (ok_atom)
  std::vector<caf::response_promise> pending;
};

void answer(dir_record& rec, caf::response_promise& rp) {
  get_answer a = rec.fallback;
  if (!rec.answers.empty()) {
    a = std::move(rec.answers.front());
    rec.answers.pop_front();
  }
  if (auto* room = std::get_if<caf::actor>(&a))
    rp.deliver(*room);
  else
    rp.deliver(std::get<caf::error>(a));
}

caf::behavior fake_directory(caf::event_based_actor* self, std::shared_ptr<dir_record> rec) {
  return {
      [self, rec](get_atom, const std::string& name) {
        rec->gets.push_back(name);
        auto rp = self->make_response_promise();
        if (rec->hold)
          rec->pending.push_back(rp);
        else
          answer(*rec, rp);
        return rp;
      },
      [rec](caf::ok_atom) {
        rec->hold = false;
        for (auto& rp : rec->pending) answer(*rec, rp);
        rec->pending.clear();
      },
  };
}

bytes sv_of(std::string_view text) {
  doc_writer w{42};
  w.insert(0, text);
  return w.doc().state_vector().encode();
}

join_result accepted(bytes sv) {
  return join_result{true, 0, {}, std::move(sv)};
}

struct rejoin_fixture : actor_fixture {
  std::shared_ptr<dir_record> dir_rec = std::make_shared<dir_record>();
  caf::actor dir;

  rejoin_fixture() {
    dir = sys.spawn(fake_directory, dir_rec);
    to_stop.push_back(dir);
  }

  std::pair<caf::actor, std::shared_ptr<room_record>> make_fake_room(bytes sv) {
    auto rec = std::make_shared<room_record>();
    rec->fallback = accepted(std::move(sv));
    auto a = sys.spawn(fake_room, rec);
    to_stop.push_back(a);
    return {a, rec};
  }

  client ws(std::string room) { return make_client(dir, protocol_kind::y_websocket, std::move(room)); }

  /// Advances the clock by `d` and runs what became due.
  void advance(caf::timespan d) {
    advance_time(d);
    run_messages();
  }
};

const bytes sv_a = sv_of("a");
const bytes sv_b = sv_of("bb");

}  // namespace

CAF_TEST_FIXTURE_SCOPE(client_rejoin_tests, rejoin_fixture)

CAF_TEST(a moved room is re - joined at the new room with its state vector and buffered frames in order) {
  auto [a, a_rec] = make_fake_room(sv_a);
  auto [b, b_rec] = make_fake_room(sv_b);
  dir_rec->fallback = a;
  auto c = ws("r");
  run_messages();
  CAF_REQUIRE_EQUAL(a_rec->joins.size(), 1u);
  CAF_CHECK(!a_rec->joins[0].known_sv);  // a first join
  CAF_CHECK_EQUAL(a_rec->joins[0].conn, c.conn);
  bytes moved_sv = sv_of("moved");
  caf::send_as(a, c.actor, moved_atom::value, b, moved_sv);
  inbound(c, bytes{0, 1});  // while the re-join is in flight: buffered
  inbound(c, bytes{0, 2});
  caf::send_as(a, c.actor, push_atom::value, bytes{9});  // the old room: ignored
  run_messages();
  CAF_REQUIRE_EQUAL(b_rec->joins.size(), 1u);
  CAF_REQUIRE(b_rec->joins[0].known_sv);
  CAF_CHECK_EQUAL(*b_rec->joins[0].known_sv, moved_sv);
  CAF_CHECK_EQUAL(b_rec->frames, (std::vector<bytes>{{0, 1}, {0, 2}}));
  CAF_CHECK(a_rec->frames.empty());
  CAF_CHECK_EQUAL(dir_rec->gets.size(), 1u);  // no re-resolve needed
  CAF_CHECK(!c.sink->closed());
  CAF_CHECK(c.sink->frames().empty());
  CAF_CHECK_EQUAL(metrics->cluster_rejoins_total.load(), 1u);
  // From now on b is the room: its frames reach the socket, the socket's frames reach it.
  caf::send_as(b, c.actor, push_atom::value, bytes{7});
  inbound(c, bytes{0, 3});
  run_messages();
  CAF_CHECK_EQUAL(c.sink->frames(), std::vector<bytes>{bytes{7}});
  CAF_CHECK_EQUAL(b_rec->frames.back(), (bytes{0, 3}));
  // The old room going down now changes nothing.
  caf::anon_send_exit(a, caf::exit_reason::kill);
  run_messages();
  CAF_CHECK_EQUAL(dir_rec->gets.size(), 1u);
  CAF_CHECK(!c.sink->closed());
  // A later re-join (b goes down) uses b's state vector from the join answer.
  auto [d, d_rec] = make_fake_room(sv_a);
  dir_rec->fallback = d;
  caf::anon_send_exit(b, caf::exit_reason::kill);
  run_messages();
  CAF_CHECK_EQUAL(dir_rec->gets.size(), 2u);
  CAF_REQUIRE_EQUAL(d_rec->joins.size(), 1u);
  CAF_REQUIRE(d_rec->joins[0].known_sv);
  CAF_CHECK_EQUAL(*d_rec->joins[0].known_sv, sv_b);
  CAF_CHECK_EQUAL(metrics->cluster_rejoins_total.load(), 2u);
}

CAF_TEST(a moved from a room that is not the current one is ignored) {
  auto [a, a_rec] = make_fake_room(sv_a);
  auto [b, b_rec] = make_fake_room(sv_b);
  auto [x, x_rec] = make_fake_room(sv_b);
  dir_rec->fallback = a;
  auto c = ws("r");
  run_messages();
  caf::send_as(x, c.actor, moved_atom::value, b, sv_b);
  caf::anon_send(c.actor, moved_atom::value, b, sv_b);  // no sender at all
  run_messages();
  CAF_CHECK(b_rec->joins.empty());
  inbound(c, bytes{0, 1});
  caf::send_as(a, c.actor, push_atom::value, bytes{5});
  run_messages();
  CAF_CHECK_EQUAL(a_rec->frames, (std::vector<bytes>{bytes{0, 1}}));
  CAF_CHECK_EQUAL(c.sink->frames(), std::vector<bytes>{bytes{5}});
  CAF_CHECK_EQUAL(metrics->cluster_rejoins_total.load(), 0u);
  // Moved twice by the same old room: the second one is stale.
  caf::send_as(a, c.actor, moved_atom::value, b, sv_b);
  caf::send_as(a, c.actor, moved_atom::value, x, sv_b);
  run_messages();
  CAF_CHECK_EQUAL(b_rec->joins.size(), 1u);
  CAF_CHECK(x_rec->joins.empty());
  CAF_CHECK_EQUAL(metrics->cluster_rejoins_total.load(), 1u);
  CAF_CHECK(!c.sink->closed());
}

CAF_TEST(a moved whose new room refuses falls back to resolving the room) {
  auto [a, a_rec] = make_fake_room(sv_a);
  auto [b, b_rec] = make_fake_room(sv_b);
  auto [d, d_rec] = make_fake_room(sv_b);
  dir_rec->fallback = a;
  auto c = ws("r");
  run_messages();
  b_rec->answers.push_back(join_result{false, retry_close_code, "room is moving", {}});
  dir_rec->fallback = d;
  caf::send_as(a, c.actor, moved_atom::value, b, sv_b);
  inbound(c, bytes{0, 1});
  run_messages();
  CAF_CHECK_EQUAL(b_rec->joins.size(), 1u);
  CAF_CHECK_EQUAL(dir_rec->gets.size(), 1u);
  advance(50ms);
  CAF_CHECK_EQUAL(dir_rec->gets.size(), 2u);
  CAF_REQUIRE_EQUAL(d_rec->joins.size(), 1u);
  CAF_REQUIRE(d_rec->joins[0].known_sv);
  CAF_CHECK_EQUAL(*d_rec->joins[0].known_sv, sv_b);
  CAF_CHECK_EQUAL(d_rec->frames, (std::vector<bytes>{bytes{0, 1}}));
  CAF_CHECK(!c.sink->closed());
  CAF_CHECK_EQUAL(metrics->cluster_rejoins_total.load(), 1u);
}

CAF_TEST(a room down is resolved again and re - joined with the known state vector) {
  auto [a, a_rec] = make_fake_room(sv_a);
  auto [b, b_rec] = make_fake_room(sv_b);
  dir_rec->fallback = a;
  auto c = ws("r");
  run_messages();
  dir_rec->hold = true;
  dir_rec->fallback = b;
  caf::anon_send_exit(a, caf::exit_reason::kill);
  run_messages();
  CAF_CHECK_EQUAL(dir_rec->gets, (std::vector<std::string>{"r", "r"}));
  inbound(c, bytes{0, 1});
  inbound(c, bytes{0, 2});
  run_messages();
  CAF_CHECK(b_rec->joins.empty());
  caf::anon_send(dir, caf::ok_atom::value);
  run_messages();
  CAF_REQUIRE_EQUAL(b_rec->joins.size(), 1u);
  CAF_REQUIRE(b_rec->joins[0].known_sv);
  CAF_CHECK_EQUAL(*b_rec->joins[0].known_sv, sv_a);  // from a's join answer
  CAF_CHECK_EQUAL(b_rec->frames, (std::vector<bytes>{{0, 1}, {0, 2}}));
  CAF_CHECK(!c.sink->closed());
  CAF_CHECK_EQUAL(metrics->cluster_rejoins_total.load(), 1u);
}

CAF_TEST(retryable answers are retried with growing delays and eventually succeed) {
  auto [a, a_rec] = make_fake_room(sv_a);
  auto [b, b_rec] = make_fake_room(sv_b);
  dir_rec->fallback = a;
  auto c = ws("r");
  run_messages();
  // (An unused argument: CAF 0.17.6's spawn of a function without arguments trips UBSan.)
  auto dead =
      sys.spawn([](caf::event_based_actor*, int) -> caf::behavior { return {[](caf::ok_atom) {}}; }, 0);
  caf::anon_send_exit(dead, caf::exit_reason::kill);
  run_messages();
  dir_rec->answers = {make_actor_error(retry_close_code, "room r is not owned by node n1"),
                      caf::make_error(caf::sec::request_timeout), dead};
  dir_rec->fallback = b;
  b_rec->answers.push_back(join_result{false, retry_close_code, "room is moving", {}});
  caf::anon_send_exit(a, caf::exit_reason::kill);
  run_messages();
  inbound(c, bytes{0, 1});
  run_messages();
  CAF_CHECK_EQUAL(dir_rec->gets.size(), 2u);  // the first join + the re-resolve (1012)
  // Attempt k waits 50 ms · k: 1012 error, timeout, dead room, 1012 join answer, then accepted.
  for (std::size_t k = 1; k <= 4; ++k) {
    advance(std::chrono::milliseconds{50 * k} - 1ms);
    CAF_CHECK_EQUAL(dir_rec->gets.size(), 1u + k);
    advance(1ms);
    CAF_CHECK_EQUAL(dir_rec->gets.size(), 2u + k);
  }
  CAF_REQUIRE_EQUAL(b_rec->joins.size(), 2u);
  for (const auto& j : b_rec->joins) {
    CAF_REQUIRE(j.known_sv);
    CAF_CHECK_EQUAL(*j.known_sv, sv_a);
  }
  CAF_CHECK_EQUAL(b_rec->frames, (std::vector<bytes>{bytes{0, 1}}));
  CAF_CHECK(!c.sink->closed());
  CAF_CHECK_EQUAL(metrics->cluster_rejoins_total.load(), 1u);
  // The retries start again from 50 ms after a success.
  auto [d, d_rec] = make_fake_room(sv_b);
  dir_rec->answers = {make_actor_error(retry_close_code, "not yet")};
  dir_rec->fallback = d;
  caf::anon_send_exit(b, caf::exit_reason::kill);
  run_messages();
  advance(50ms);
  CAF_CHECK_EQUAL(d_rec->joins.size(), 1u);
  CAF_CHECK_EQUAL(metrics->cluster_rejoins_total.load(), 2u);
}

CAF_TEST(after 40 retries the client closes with 1011 room unavailable) {
  auto [a, a_rec] = make_fake_room(sv_a);
  dir_rec->fallback = a;
  auto c = ws("r");
  run_messages();
  dir_rec->fallback = make_actor_error(retry_close_code, "room r is moving");
  caf::anon_send_exit(a, caf::exit_reason::kill);
  run_messages();
  CAF_CHECK_EQUAL(dir_rec->gets.size(), 2u);
  for (std::size_t k = 1; k <= 40; ++k) {
    auto delay = std::min(std::chrono::milliseconds{50 * k}, std::chrono::milliseconds{500});
    advance(delay - 1ms);
    CAF_CHECK_EQUAL(dir_rec->gets.size(), 1u + k);
    CAF_CHECK(!c.sink->closed());
    advance(1ms);
    CAF_CHECK_EQUAL(dir_rec->gets.size(), 2u + k);
  }
  CAF_REQUIRE(c.sink->closed());
  CAF_CHECK_EQUAL(c.sink->close_code(), 1011);
  CAF_CHECK_EQUAL(c.sink->close_reason(), "room unavailable");
  CAF_CHECK_EQUAL(c.sink->frames(), std::vector<bytes>{permission_denied("room unavailable")});
  CAF_CHECK_EQUAL(metrics->cluster_rejoins_total.load(), 0u);
  advance(10s);
  CAF_CHECK_EQUAL(dir_rec->gets.size(), 42u);
}

CAF_TEST(a first join is retried too) {
  auto [a, a_rec] = make_fake_room(sv_a);
  dir_rec->answers = {make_actor_error(retry_close_code, "room r is not owned by node n1")};
  dir_rec->fallback = a;
  auto c = ws("r");
  inbound(c, bytes{0, 1});
  run_messages();
  CAF_CHECK(a_rec->joins.empty());
  advance(50ms);
  CAF_REQUIRE_EQUAL(a_rec->joins.size(), 1u);
  CAF_CHECK(!a_rec->joins[0].known_sv);
  CAF_CHECK_EQUAL(a_rec->frames, (std::vector<bytes>{bytes{0, 1}}));
  CAF_CHECK_EQUAL(metrics->cluster_rejoins_total.load(), 0u);  // not a re-join
}

CAF_TEST(non - retryable refusals of a re - join close the connection as before) {
  auto [a, a_rec] = make_fake_room(sv_a);
  auto [b, b_rec] = make_fake_room(sv_b);
  dir_rec->fallback = a;
  auto c = ws("r");
  run_messages();
  std::string reason = "room full (max-clients-per-room 2)";
  b_rec->answers.push_back(join_result{false, 1013, reason, {}});
  caf::send_as(a, c.actor, moved_atom::value, b, sv_b);
  run_messages();
  CAF_CHECK_EQUAL(c.sink->frames(), std::vector<bytes>{permission_denied(reason)});
  CAF_REQUIRE(c.sink->closed());
  CAF_CHECK_EQUAL(c.sink->close_code(), 1013);
  CAF_CHECK_EQUAL(metrics->rejected(reject_reason::room_full), 1u);
  // A directory refusal other than 1012 (here: the server shutting down) is not retried either.
  auto [d, d_rec] = make_fake_room(sv_a);
  dir_rec->fallback = d;
  auto c2 = ws("r");
  run_messages();
  dir_rec->fallback = make_actor_error(1001, "server shutting down");
  caf::anon_send_exit(d, caf::exit_reason::kill);
  run_messages();
  CAF_REQUIRE(c2.sink->closed());
  CAF_CHECK_EQUAL(c2.sink->close_code(), 1001);
  CAF_CHECK_EQUAL(c2.sink->close_reason(), "server shutting down");
}

CAF_TEST(a seed leave or switch during the backoff cancels the retries) {
  auto [a, a_rec] = make_fake_room(sv_a);
  auto [b, b_rec] = make_fake_room(sv_b);
  dir_rec->fallback = a;
  auto s = make_client(dir, protocol_kind::seed);
  inbound_text(s, R"({"action":"join","room":"r"})");
  run_messages();
  CAF_REQUIRE_EQUAL(a_rec->joins.size(), 1u);
  dir_rec->fallback = make_actor_error(retry_close_code, "room r is moving");
  caf::anon_send_exit(a, caf::exit_reason::kill);
  run_messages();
  CAF_CHECK_EQUAL(dir_rec->gets.size(), 2u);
  inbound_text(s, R"({"action":"leave"})");
  run_messages();
  advance(10s);
  CAF_CHECK_EQUAL(dir_rec->gets.size(), 2u);
  CAF_CHECK(!s.sink->closed());
  // A new join starts from scratch: a first join (no known state vector).
  dir_rec->fallback = b;
  inbound_text(s, R"({"action":"join","room":"q"})");
  run_messages();
  CAF_REQUIRE_EQUAL(b_rec->joins.size(), 1u);
  CAF_CHECK(!b_rec->joins[0].known_sv);
  CAF_CHECK_EQUAL(dir_rec->gets.back(), "q");
}

CAF_TEST_FIXTURE_SCOPE_END()

// With the real directory and room: a room that dies is loaded again by the directory and the client
// re-joins it, getting the room's welcome frames plus SyncStep2 against what it knew.
namespace {

struct real_rejoin_fixture : actor_fixture {
  caf::actor dir;
  real_rejoin_fixture() {
    limits.room_timeout = 10min;
    dir = make_directory();
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(client_rejoin_real_tests, real_rejoin_fixture)

CAF_TEST(a killed room is loaded again and its clients re - join it) {
  auto c = make_client(dir, protocol_kind::y_websocket, "r");
  run_messages();
  doc_writer w{7};
  inbound(c, update_frame(w.insert(0, "x")));
  run_messages();
  auto room = ask<caf::actor>(dir, get_atom::value, std::string{"r"});
  c.sink->clear();
  caf::anon_send_exit(room, caf::exit_reason::kill);
  run_messages();
  CAF_CHECK(!c.sink->closed());
  CAF_CHECK_EQUAL(metrics->cluster_rejoins_total.load(), 1u);
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 1);
  auto frames = c.sink->frames();
  // Welcome (SyncStep1 of the reloaded, empty room), then SyncStep2 against the known state vector.
  CAF_REQUIRE(!frames.empty());
  CAF_CHECK_EQUAL(frames[0], step1_frame(empty_state_vector()));
  // The client re-uploads its state in answer to that SyncStep1; the room has it again.
  inbound(c, step2_frame(w.doc().encode_state_as_update()));
  run_messages();
  CAF_CHECK_EQUAL(ask<std::string>(dir, json_atom::value, std::string{"r"}), R"({"t":"x"})");
}

CAF_TEST_FIXTURE_SCOPE_END()
