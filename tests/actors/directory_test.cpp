#define CAF_SUITE actors_directory
#define FAIL(x) CAF_FAIL(x)
#include <caf/test/dsl.hpp>

#include "actors/store_messages.hpp"
#include "tests/actors/actor_test_support.hpp"

using namespace zeal::actors;
using namespace zeal::actors::test;
using namespace std::chrono_literals;

namespace {

/// A stand-in replica store: records appends and snapshots (rooms by name) and answers them at once.
struct replica_log {
  std::vector<std::string> appends;
  std::vector<std::pair<std::string, std::uint64_t>> snapshots;
};

caf::behavior replica_store(caf::event_based_actor*, std::shared_ptr<replica_log> rec) {
  return {
      [rec](zeal::persistence::append_atom, const std::string& room, const bytes&) {
        rec->appends.push_back(room);
        return static_cast<std::uint64_t>(rec->appends.size());
      },
      [rec](zeal::persistence::snapshot_atom, const std::string& room, const bytes&, std::uint64_t covered) {
        rec->snapshots.emplace_back(room, covered);
        return caf::ok_atom::value;
      },
  };
}

/// A stand-in target router: answers (handoff_atom, room, state) when told: (ok_atom) with `answer`,
/// (close_atom) with an error.
struct router_log {
  std::vector<std::string> handoffs;
  std::vector<caf::response_promise> waiting;
  caf::actor answer;
};

caf::behavior target_router(caf::event_based_actor* self, std::shared_ptr<router_log> rec) {
  return {
      [self, rec](handoff_atom, const std::string& room, const bytes&) {
        rec->handoffs.push_back(room);
        rec->waiting.push_back(self->make_response_promise());
        return rec->waiting.back();
      },
      [rec](caf::ok_atom) {
        for (auto& rp : rec->waiting) rp.deliver(rec->answer);
        rec->waiting.clear();
      },
      [rec](close_atom) {
        for (auto& rp : rec->waiting) rp.deliver(make_actor_error(1011, "injected"));
        rec->waiting.clear();
      },
  };
}

struct directory_fixture : actor_fixture {
  caf::actor dir;

  directory_fixture() {
    limits.max_rooms = 2;
    limits.room_timeout = 5min;
    dir = make_directory();
  }

  caf::actor get(const std::string& name) { return ask<caf::actor>(dir, get_atom::value, name); }
  caf::actor get(const std::string& name, const caf::actor& replica) {
    return ask<caf::actor>(dir, get_atom::value, name, replica);
  }
  std::vector<std::string> rooms() { return ask<std::vector<std::string>>(dir, rooms_atom::value); }

  std::pair<caf::actor, std::shared_ptr<replica_log>> make_replica() {
    auto rec = std::make_shared<replica_log>();
    auto a = sys.spawn(replica_store, rec);
    to_stop.push_back(a);
    return {a, rec};
  }
  std::pair<caf::actor, std::shared_ptr<router_log>> make_router() {
    auto rec = std::make_shared<router_log>();
    auto a = sys.spawn(target_router, rec);
    to_stop.push_back(a);
    return {a, rec};
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(directory_tests, directory_fixture)

CAF_TEST(get spawns a room once per name) {
  auto a1 = get("a");
  auto a2 = get("a");
  auto b = get("b");
  CAF_CHECK(a1 != nullptr);
  CAF_CHECK_EQUAL(a1, a2);
  CAF_CHECK(a1 != b);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 2);
  CAF_CHECK_EQUAL(metrics->rooms_loaded_total.load(), 2u);
}

CAF_TEST(max rooms is enforced with 1013) {
  get("a");
  get("b");
  auto err = ask_error(dir, get_atom::value, std::string{"c"});
  CAF_CHECK_EQUAL(error_close_code(err), 1013);
  CAF_CHECK_EQUAL(error_reason(err), "server full (max-rooms 2)");
  CAF_CHECK_EQUAL(metrics->rooms.load(), 2);
  get("a");  // loaded rooms are still served
}

CAF_TEST(invalid names are refused with 1008) {
  auto err = ask_error(dir, get_atom::value, std::string(300, 'x'));
  CAF_CHECK_EQUAL(error_close_code(err), 1008);
  CAF_CHECK_EQUAL(error_reason(err), "invalid room name: longer than 256 bytes");
}

CAF_TEST(json and update of unknown rooms are room not found) {
  auto err = ask_error(dir, json_atom::value, std::string{"nope"});
  CAF_CHECK_EQUAL(error_reason(err), "room not found");
  CAF_CHECK_EQUAL(error_close_code(err), 0);
  err = ask_error(dir, update_atom::value, std::string{"nope"});
  CAF_CHECK_EQUAL(error_reason(err), "room not found");
  CAF_CHECK_EQUAL(metrics->rooms.load(), 0);  // inspection never loads a room
}

CAF_TEST(json and update are forwarded to a loaded room) {
  auto room = get("a");
  auto [m, rec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, m).accepted);
  doc_writer w{3};
  send_frame(room, 1, update_frame(w.insert(0, "hi")));
  run_messages();
  CAF_CHECK_EQUAL(ask<std::string>(dir, json_atom::value, std::string{"a"}), w.doc().to_json());
  CAF_CHECK_EQUAL(ask<bytes>(dir, update_atom::value, std::string{"a"}), w.doc().encode_state_as_update());
}

CAF_TEST(idle rooms are unloaded and reloaded on demand) {
  auto a = get("a");
  auto down = watch(a);
  advance_time(5min);
  run_messages();
  CAF_CHECK(*down);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 0);
  CAF_CHECK_EQUAL(metrics->rooms_unloaded_total.load(), 1u);
  auto err = ask_error(dir, json_atom::value, std::string{"a"});
  CAF_CHECK_EQUAL(error_reason(err), "room not found");
  auto a2 = get("a");
  CAF_CHECK(a2 != a);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 1);
  CAF_CHECK_EQUAL(metrics->rooms_loaded_total.load(), 2u);
}

CAF_TEST(a room that crashes is forgotten) {
  auto a = get("a");
  caf::anon_send_exit(a, caf::exit_reason::kill);
  run_messages();
  CAF_CHECK_EQUAL(metrics->rooms.load(), 0);
  CAF_CHECK(get("a") != a);
}

CAF_TEST(shutdown stops every room then the directory) {
  auto a = get("a");
  auto b = get("b");
  auto [m, rec] = make_recording_client();
  CAF_REQUIRE(join(a, 1, m).accepted);
  auto down_a = watch(a);
  auto down_b = watch(b);
  auto down_dir = watch(dir);
  caf::anon_send(dir, shutdown_atom::value);
  run_messages();
  CAF_CHECK(*down_a);
  CAF_CHECK(*down_b);
  CAF_CHECK(*down_dir);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 0);
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 0);
}

CAF_TEST(shutdown with no rooms stops the directory at once) {
  auto down = watch(dir);
  caf::anon_send(dir, shutdown_atom::value);
  run_messages();
  CAF_CHECK(*down);
}

CAF_TEST(a replica store is passed at spawn and updated for a loaded room) {
  auto [r1, rec1] = make_replica();
  auto [r2, rec2] = make_replica();
  auto room = get("a", r1);
  auto [m, mrec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, m).accepted);
  doc_writer w{5};
  send_frame(room, 1, update_frame(w.insert(0, "x")));
  run_messages();
  CAF_CHECK_EQUAL(rec1->appends, std::vector<std::string>{"a"});
  // The same replica again, or a plain get: nothing changes.
  CAF_CHECK_EQUAL(get("a", r1), room);
  CAF_CHECK_EQUAL(get("a"), room);
  run_messages();
  CAF_CHECK(rec1->snapshots.empty());
  // Another replica: it gets the full state, then the appends.
  CAF_CHECK_EQUAL(get("a", r2), room);
  send_frame(room, 1, update_frame(w.insert(0, "y")));
  run_messages();
  CAF_REQUIRE_EQUAL(rec2->snapshots.size(), 1u);
  CAF_CHECK_EQUAL(rec2->snapshots[0].first, "a");
  CAF_CHECK_EQUAL(rec2->snapshots[0].second, zeal::persistence::covers_all);
  CAF_CHECK_EQUAL(rec2->appends, std::vector<std::string>{"a"});
  CAF_CHECK_EQUAL(rec1->appends.size(), 1u);
  // Null: no replica any more.
  CAF_CHECK_EQUAL(get("a", caf::actor{}), room);
  send_frame(room, 1, update_frame(w.insert(0, "z")));
  run_messages();
  CAF_CHECK_EQUAL(rec2->appends.size(), 1u);
}

CAF_TEST(rooms lists the loaded rooms sorted) {
  CAF_CHECK(rooms().empty());
  get("b");
  get("a");
  CAF_CHECK_EQUAL(rooms(), (std::vector<std::string>{"a", "b"}));
}

CAF_TEST(a room handing off answers 1012 until it is down then a get spawns a fresh one) {
  auto [router, rrec] = make_router();
  auto other = make_room("elsewhere", {});
  rrec->answer = other;
  auto a = get("a");
  get("b");
  auto down = watch(a);
  caf::anon_send(dir, handoff_atom::value, std::string{"a"}, router);
  run_messages();
  CAF_CHECK_EQUAL(rrec->handoffs, std::vector<std::string>{"a"});
  auto err = ask_error(dir, get_atom::value, std::string{"a"});
  CAF_CHECK_EQUAL(error_close_code(err), 1012);
  CAF_CHECK_EQUAL(error_reason(err), "room a is moving");
  err = ask_error(dir, get_atom::value, std::string{"a"}, caf::actor{});
  CAF_CHECK_EQUAL(error_close_code(err), 1012);
  CAF_CHECK_EQUAL(rooms(), std::vector<std::string>{"b"});
  // A second handoff of a moving room is ignored.
  caf::anon_send(dir, handoff_atom::value, std::string{"a"}, router);
  run_messages();
  CAF_CHECK_EQUAL(rrec->handoffs.size(), 1u);
  caf::anon_send(router, caf::ok_atom::value);
  run_messages();
  advance_time(2s);  // a room that moved lingers, forwarding frames still on their way to it
  run_messages();
  CAF_CHECK(*down);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 1);
  auto fresh = get("a");
  CAF_CHECK(fresh != a);
  CAF_CHECK_EQUAL(rooms(), (std::vector<std::string>{"a", "b"}));
}

CAF_TEST(a failed handoff leaves the room loaded and listed) {
  auto [router, rrec] = make_router();
  auto a = get("a");
  caf::anon_send(dir, handoff_atom::value, std::string{"a"}, router);
  run_messages();
  CAF_CHECK(rooms().empty());
  caf::anon_send(router, close_atom::value);
  run_messages();
  CAF_CHECK_EQUAL(get("a"), a);
  CAF_CHECK_EQUAL(rooms(), std::vector<std::string>{"a"});
  // Handing off a room that is not loaded does nothing.
  caf::anon_send(dir, handoff_atom::value, std::string{"zz"}, router);
  run_messages();
  CAF_CHECK_EQUAL(rrec->handoffs.size(), 1u);
}

CAF_TEST(an idle room that is moving is not unloaded) {
  auto [router, rrec] = make_router();
  auto other = make_room("elsewhere", {});
  rrec->answer = other;
  auto a = get("a");
  auto down = watch(a);
  advance_time(5min - 5s);
  run_messages();
  caf::anon_send(dir, handoff_atom::value, std::string{"a"}, router);
  run_messages();
  advance_time(5s);  // the room's idle timer fires while it is moving (the handoff times out after 10 s)
  run_messages();
  CAF_CHECK(!*down);
  CAF_CHECK_EQUAL(metrics->rooms_unloaded_total.load(), 0u);
  caf::anon_send(router, caf::ok_atom::value);
  run_messages();
  advance_time(2s);  // a room that moved lingers, forwarding frames still on their way to it
  run_messages();
  CAF_CHECK(*down);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 0);
}

CAF_TEST_FIXTURE_SCOPE_END()
