#define CAF_SUITE actors_room_handoff
// ctest-labels: unit cluster
#define FAIL(x) CAF_FAIL(x)
#include <caf/test/dsl.hpp>

// Moving a room to another node: (handoff_atom, target_router) stops joins (1012) and member frames,
// waits for the confirmed appends, ships the full state to the target router, tells every member
// (moved_atom, new_room, state_vector) and quits; a failed handoff serves again. A re-join with known_sv
// gets SyncStep1 (+ awareness) then SyncStep2 with what the client missed.

#include <chrono>
#include <memory>
#include <optional>
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
namespace proto = zeal::crdt::protocol;

namespace {

/// A stand-in target router: records (handoff_atom, room, state) and answers when told: (ok_atom) →
/// new_room, (close_atom) → an error. Silent while neither came.
struct target_record {
  std::vector<std::pair<std::string, bytes>> handoffs;
  std::vector<caf::response_promise> waiting;
  caf::actor new_room;
};

caf::behavior target_router(caf::event_based_actor* self, std::shared_ptr<target_record> rec) {
  return {
      [self, rec](handoff_atom, const std::string& room, const bytes& state) {
        rec->handoffs.emplace_back(room, state);
        auto rp = self->make_response_promise();
        rec->waiting.push_back(rp);
        return rp;
      },
      [rec](caf::ok_atom) {
        for (auto& rp : rec->waiting) rp.deliver(rec->new_room);
        rec->waiting.clear();
      },
      [rec](close_atom) {
        for (auto& rp : rec->waiting) rp.deliver(make_actor_error(1011, "injected: target store failed"));
        rec->waiting.clear();
      },
  };
}

/// A stand-in client that records moved messages besides frames.
struct moved_record {
  std::vector<bytes> frames;
  std::vector<std::pair<caf::actor, bytes>> moves;
};

caf::behavior moving_client(caf::event_based_actor*, std::shared_ptr<moved_record> rec) {
  return {
      [rec](push_atom, const bytes& frame) { rec->frames.push_back(frame); },
      [rec](moved_atom, const caf::actor& new_room, const bytes& sv) {
        rec->moves.emplace_back(new_room, sv);
      },
      [](close_atom, std::uint16_t, const std::string&) {},
  };
}

/// A stand-in store that answers appends only when told (ok_atom).
struct gated_record {
  std::vector<caf::response_promise> waiting;
  std::uint64_t next_seq = 1;
};

caf::behavior gated_store(caf::event_based_actor* self, std::shared_ptr<gated_record> rec) {
  return {
      [self, rec](persistence::append_atom, const std::string&, const bytes&) {
        auto rp = self->make_response_promise();
        rec->waiting.push_back(rp);
        return rp;
      },
      [](persistence::load_atom, const std::string&) { return persistence::room_record{}; },
      [](persistence::snapshot_atom, const std::string&, const bytes&, std::uint64_t) {
        return caf::ok_atom::value;
      },
      [rec](caf::ok_atom) {
        for (auto& rp : rec->waiting) rp.deliver(rec->next_seq++);
        rec->waiting.clear();
      },
  };
}

struct fixture : actor_fixture {
  std::shared_ptr<target_record> trec = std::make_shared<target_record>();
  caf::actor target;
  caf::actor new_room;

  fixture() {
    limits.room_timeout = 10min;
    target = sys.spawn(target_router, trec);
    to_stop.push_back(target);
    new_room = make_room("new", {});
    trec->new_room = new_room;
    run_messages();
  }

  std::pair<caf::actor, std::shared_ptr<moved_record>> make_moving_client() {
    auto rec = std::make_shared<moved_record>();
    auto a = sys.spawn(moving_client, rec);
    to_stop.push_back(a);
    return {a, rec};
  }

  static std::string text_of(const bytes& update) {
    zeal::crdt::doc d;
    CAF_REQUIRE(d.apply_update(update));
    return d.get_text("t").to_string();
  }

  /// The payload of a sync frame of `type` (fails the test if it is not one).
  static bytes sync_payload(const bytes& frame, proto::sync_type type) {
    auto m = proto::decode_message(frame);
    CAF_REQUIRE(m);
    CAF_REQUIRE(m.value().type == proto::message_type::sync);
    CAF_REQUIRE(m.value().sync.type == type);
    return bytes(m.value().sync.payload.begin(), m.value().sync.payload.end());
  }

  join_result rejoin(const caf::actor& room, std::uint64_t conn, const caf::actor& member, const bytes& sv) {
    auto rh = self->request(room, caf::infinite, join_atom::value, conn,
                            static_cast<std::uint8_t>(protocol_kind::y_websocket), member, sv);
    run_messages();
    join_result out;
    rh.receive([&](join_result& r) { out = std::move(r); },
               [&](caf::error& err) { CAF_FAIL("join failed: " << caf::to_string(err)); });
    return out;
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(room_handoff_tests, fixture)

CAF_TEST(a handoff moves every member to the new room and quits) {
  auto room = make_room("r", {});
  auto gone = watch(room);
  auto [a, arec] = make_moving_client();
  auto [b, brec] = make_moving_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  CAF_REQUIRE(join(room, 2, b).accepted);
  doc_writer w{21};
  send_frame(room, 1, update_frame(w.insert(0, "hello")));
  send_frame(room, 2, awareness_frame(7, 1, R"({"user":"b"})"));
  run_messages();
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 2);
  auto rh = self->request(room, caf::infinite, handoff_atom::value, target);
  run_messages();
  // Shipped, not confirmed yet: joins are refused with 1012, frames held for the new room.
  CAF_REQUIRE_EQUAL(trec->handoffs.size(), 1u);
  CAF_CHECK_EQUAL(trec->handoffs[0].first, "r");
  CAF_CHECK(trec->handoffs[0].second == w.doc().encode_state_as_update());
  auto [c, crec] = make_recording_client();
  auto refused = join(room, 3, c);
  CAF_CHECK(!refused.accepted);
  CAF_CHECK_EQUAL(refused.close_code, 1012);
  CAF_CHECK_EQUAL(refused.reason, "room is moving");
  auto before = arec->frames.size();
  send_frame(room, 1, update_frame(w.insert(5, " lost")));
  run_messages();
  CAF_CHECK_EQUAL(arec->frames.size(), before);
  CAF_CHECK(arec->moves.empty());
  CAF_CHECK(!*gone);
  // The target stores the shipped state in the new room (as the real router does), then confirms.
  ask<caf::ok_atom>(new_room, update_atom::value, trec->handoffs[0].second);
  caf::anon_send(target, caf::ok_atom::value);
  run_messages();
  rh.receive([](caf::ok_atom) {},
             [](caf::error& err) { CAF_FAIL("handoff failed: " << caf::to_string(err)); });
  // The frame held while moving was forwarded to the new room; so is one still on its way afterwards.
  CAF_CHECK_EQUAL(text_of(ask<bytes>(new_room, update_atom::value)), "hello lost");
  send_frame(room, 2, update_frame(w.insert(0, "late ")));
  run_messages();
  CAF_CHECK_EQUAL(text_of(ask<bytes>(new_room, update_atom::value)), "late hello lost");
  CAF_CHECK(!*gone);
  advance_time(2s);  // the linger is over
  run_messages();
  for (auto* rec : {arec.get(), brec.get()}) {
    CAF_REQUIRE_EQUAL(rec->moves.size(), 1u);
    CAF_CHECK_EQUAL(rec->moves[0].first, new_room);
    zeal::crdt::doc shipped;
    CAF_REQUIRE(shipped.apply_update(trec->handoffs[0].second));
    CAF_CHECK(rec->moves[0].second == shipped.state_vector().encode());
  }
  CAF_CHECK_EQUAL(text_of(trec->handoffs[0].second), "hello");
  CAF_CHECK(*gone);
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 0);
  CAF_CHECK_EQUAL(metrics->cluster_handoffs_out_total.load(), 1u);
}

CAF_TEST(a handoff waits for the confirmed appends) {
  auto grec = std::make_shared<gated_record>();
  auto gate = sys.spawn(gated_store, grec);
  to_stop.push_back(gate);
  auto room = spawn_room_actor(sys, "g", {}, limits, metrics, gate);
  to_stop.push_back(room);
  auto [a, arec] = make_moving_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  doc_writer w{22};
  auto u = w.insert(0, "pending");
  send_frame(room, 1, update_frame(u));
  run_messages();
  caf::anon_send(room, handoff_atom::value, target);
  run_messages();
  CAF_CHECK(trec->handoffs.empty());
  caf::anon_send(gate, caf::ok_atom::value);
  run_messages();
  CAF_REQUIRE_EQUAL(trec->handoffs.size(), 1u);
  CAF_CHECK_EQUAL(text_of(trec->handoffs[0].second), "pending");
  // The relay went out before the move.
  caf::anon_send(target, caf::ok_atom::value);
  run_messages();
  CAF_CHECK_EQUAL(arec->moves.size(), 1u);
  CAF_CHECK(!arec->frames.empty());
  CAF_CHECK(arec->frames.back() == update_frame(u));
}

CAF_TEST(a failed handoff serves again) {
  auto room = make_room("f", {});
  auto gone = watch(room);
  auto [a, arec] = make_moving_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  auto rh = self->request(room, caf::infinite, handoff_atom::value, target);
  run_messages();
  CAF_REQUIRE_EQUAL(trec->handoffs.size(), 1u);
  caf::anon_send(target, close_atom::value);
  run_messages();
  rh.receive([](caf::ok_atom) { CAF_FAIL("expected an error"); },
             [](caf::error& err) { CAF_CHECK_EQUAL(error_close_code(err), 1012); });
  CAF_CHECK(!*gone);
  CAF_CHECK(arec->moves.empty());
  auto [c, crec] = make_recording_client();
  CAF_CHECK(join(room, 2, c).accepted);
  crec->frames.clear();
  doc_writer w{23};
  auto u = w.insert(0, "again");
  send_frame(room, 1, update_frame(u));
  run_messages();
  CAF_REQUIRE_EQUAL(crec->frames.size(), 1u);
  CAF_CHECK(crec->frames[0] == update_frame(u));
  CAF_CHECK_EQUAL(metrics->cluster_handoffs_out_total.load(), 0u);
}

CAF_TEST(a handoff that times out serves again) {
  auto room = make_room("t", {});
  auto [a, arec] = make_moving_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  caf::anon_send(room, handoff_atom::value, target);
  run_messages();
  advance_time(9s);
  run_messages();
  auto [c, crec] = make_recording_client();
  CAF_CHECK_EQUAL(join(room, 2, c).close_code, 1012);
  advance_time(1s);
  run_messages();
  CAF_CHECK(join(room, 2, c).accepted);
  CAF_CHECK(arec->moves.empty());
}

CAF_TEST(a rejoin with known_sv gets what it missed after the welcome frames) {
  auto room = make_room("re", {});
  auto [a, arec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  doc_writer w{24};
  send_frame(room, 1, update_frame(w.insert(0, "hello")));
  send_frame(room, 1, awareness_frame(5, 1, R"({"user":"a"})"));
  run_messages();
  // A client that has seen "hello" only.
  zeal::crdt::doc client_doc;
  CAF_REQUIRE(client_doc.apply_update(w.doc().encode_state_as_update()));
  auto known_sv = client_doc.state_vector().encode();
  send_frame(room, 1, update_frame(w.insert(5, " world")));
  run_messages();
  auto [b, brec] = make_recording_client();
  auto res = rejoin(room, 2, b, known_sv);
  CAF_REQUIRE(res.accepted);
  CAF_CHECK(res.state_vector == w.doc().state_vector().encode());
  CAF_REQUIRE_EQUAL(brec->frames.size(), 3u);
  CAF_CHECK(sync_payload(brec->frames[0], proto::sync_type::step1) == w.doc().state_vector().encode());
  CAF_CHECK_EQUAL(brec->frames[1][0], 1);  // awareness
  auto diff = sync_payload(brec->frames[2], proto::sync_type::step2);
  CAF_CHECK(diff.size() < w.doc().encode_state_as_update().size());
  CAF_REQUIRE(client_doc.apply_update(diff));
  CAF_CHECK_EQUAL(client_doc.get_text("t").to_string(), "hello world");
  CAF_CHECK(client_doc.state_vector().encode() == w.doc().state_vector().encode());
}

CAF_TEST(a rejoin with a state vector that does not decode gets the full state) {
  auto room = make_room("bad", {});
  auto [a, arec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, a).accepted);
  doc_writer w{25};
  send_frame(room, 1, update_frame(w.insert(0, "all of it")));
  run_messages();
  auto [b, brec] = make_recording_client();
  CAF_REQUIRE(rejoin(room, 2, b, bytes{0xff, 0xff, 0xff}).accepted);
  CAF_REQUIRE_EQUAL(brec->frames.size(), 2u);  // SyncStep1, SyncStep2 (no awareness states)
  auto full = sync_payload(brec->frames[1], proto::sync_type::step2);
  CAF_CHECK_EQUAL(text_of(full), "all of it");
  // A plain join gets no SyncStep2, but the state vector.
  auto [c, crec] = make_recording_client();
  auto res = join(room, 3, c);
  CAF_CHECK(res.state_vector == w.doc().state_vector().encode());
  CAF_CHECK_EQUAL(crec->frames.size(), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
