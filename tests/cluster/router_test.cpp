// ctest-labels: unit cluster
#define CAF_SUITE cluster_router
#define FAIL(x) CAF_FAIL(x)
#include <caf/test/dsl.hpp>

#include "cluster/router.hpp"
#include "tests/cluster/cluster_test_support.hpp"

using namespace zeal;
using namespace zeal::actors;
using namespace zeal::cluster;
using namespace zeal::cluster::test;
using namespace std::chrono_literals;
using zeal::actors::test::doc_writer;
using zeal::actors::test::fake_sink;
using zeal::actors::test::update_frame;

namespace {

/// One node ("n1": a real router, local directory and rooms, a stand-in store) and stand-ins for the
/// routers and stores of "n2" and "n3".
struct router_fixture : test_coordinator_fixture<cluster_test_config> {
  std::shared_ptr<server_metrics> metrics = std::make_shared<server_metrics>();
  room_limits limits;
  std::shared_ptr<store_record> store1 = std::make_shared<store_record>();
  std::shared_ptr<store_record> store2 = std::make_shared<store_record>();
  std::shared_ptr<store_record> store3 = std::make_shared<store_record>();
  std::shared_ptr<peer_record> peer2 = std::make_shared<peer_record>();
  std::shared_ptr<peer_record> peer3 = std::make_shared<peer_record>();
  caf::actor store_n1, store_n2, store_n3, router_n2, router_n3;
  caf::actor router;
  std::vector<caf::actor> to_stop;
  std::uint64_t next_conn = 1;
  std::uint64_t epoch = 0;

  router_fixture() {
    limits.room_timeout = 5min;
    store_n1 = spawn_stopped(recording_store, store1);
    store_n2 = spawn_stopped(recording_store, store2);
    store_n3 = spawn_stopped(recording_store, store3);
    router_n2 = spawn_stopped(peer_router, peer2);
    router_n3 = spawn_stopped(peer_router, peer3);
    router_config cfg;
    cfg.node_id = "n1";
    cfg.limits = limits;
    cfg.metrics = metrics;
    cfg.store = store_n1;
    router = spawn_router(sys, cfg);
    run_messages();
  }

  ~router_fixture() override {
    // Alone again, so that the shutdown does not hand anything off.
    caf::anon_send(router, members_atom::value, make_view("n1", 1000, {make_member("n1", router, store_n1)}));
    caf::anon_send(router, shutdown_atom::value);
    run_messages();
    for (auto& a : to_stop) caf::anon_send_exit(a, caf::exit_reason::kill);
    run_messages();
  }

  /// Runs every pending message (timers do not move: see run_with_timers).
  void run_messages() { sched.run(); }

  template <class F, class... Ts>
  caf::actor spawn_stopped(F fun, Ts&&... xs) {
    auto a = sys.spawn(fun, std::forward<Ts>(xs)...);
    to_stop.push_back(a);
    return a;
  }

  node_info n1() { return make_member("n1", router, store_n1, "127.0.0.1", 7101); }
  node_info n2() { return make_member("n2", router_n2, store_n2, "127.0.0.1", 7102); }
  node_info n3() { return make_member("n3", router_n3, store_n3, "127.0.0.1", 7103); }

  void send_view(std::vector<node_info> members, std::vector<peer_status> peers = {}) {
    caf::anon_send(router, members_atom::value,
                   make_view("n1", ++epoch, std::move(members), std::move(peers)));
    run_messages();
  }

  template <class T, class... Ts>
  T ask(const caf::actor& dest, Ts&&... xs) {
    auto rh = self->request(dest, caf::infinite, std::forward<Ts>(xs)...);
    run_messages();
    T out{};
    if (self->mailbox().empty()) {
      CAF_ERROR("no answer");
      return out;
    }
    rh.receive([&](T& x) { out = std::move(x); },
               [&](caf::error& err) { CAF_ERROR("request failed: " << caf::to_string(err)); });
    return out;
  }

  template <class... Ts>
  caf::error ask_error(const caf::actor& dest, Ts&&... xs) {
    auto rh = self->request(dest, caf::infinite, std::forward<Ts>(xs)...);
    run_messages();
    caf::error out;
    if (self->mailbox().empty()) {
      CAF_ERROR("no answer");
      return out;
    }
    rh.receive([&](caf::message&) { CAF_ERROR("expected an error"); },
               [&](caf::error& err) { out = std::move(err); });
    return out;
  }

  caf::actor get(const std::string& room) { return ask<caf::actor>(router, get_atom::value, room); }

  std::string cluster_json() { return ask<std::string>(router, cluster_atom::value); }

  struct client {
    caf::actor actor;
    std::shared_ptr<fake_sink> sink;
  };

  /// A real client actor on a y-websocket connection to `room`, resolving through the router.
  client make_client(const std::string& room) {
    client c;
    c.sink = std::make_shared<fake_sink>();
    client_params p;
    p.conn_id = next_conn++;
    p.protocol = protocol_kind::y_websocket;
    p.room = room;
    p.remote = "127.0.0.1:1";
    p.directory = router;
    p.sink = c.sink;
    p.metrics = metrics;
    p.limits = limits;
    c.actor = spawn_client_actor(sys, std::move(p));
    to_stop.push_back(c.actor);
    run_messages();
    return c;
  }

  /// A flag that becomes true when `a` terminates.
  std::shared_ptr<bool> watch(const caf::actor& a) {
    auto flag = std::make_shared<bool>(false);
    if (!a) {
      CAF_ERROR("watch of a null actor");
      return flag;
    }
    to_stop.push_back(sys.spawn(actors::test::actor_fixture::watcher, a, flag));
    run_messages();
    return flag;
  }

  /// Runs messages and timers until `done()` or nothing is left (at most `rounds` timers).
  template <class Pred>
  void run_with_timers(Pred done, int rounds = 1000) {
    run_messages();
    while (!done() && rounds-- > 0 && sched.trigger_timeout()) run_messages();
  }

  std::vector<std::string> ids(std::initializer_list<const char*> xs) {
    return std::vector<std::string>(xs.begin(), xs.end());
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(router_tests, router_fixture)

CAF_TEST(alone every room is served by the local directory) {
  auto a1 = get("a");
  auto a2 = get("a");
  auto b = get("b");
  CAF_CHECK(a1 != nullptr);
  CAF_CHECK_EQUAL(a1, a2);
  CAF_CHECK(a1 != b);
  CAF_CHECK_EQUAL(ask<caf::actor>(router, lookup_atom::value, std::string{"a"}), a1);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 2);
  CAF_CHECK_EQUAL(metrics->cluster_remote_lookups_total.load(), 0u);
  auto err = ask_error(router, get_atom::value, std::string(300, 'x'));
  CAF_CHECK_EQUAL(error_close_code(err), 1008);
  CAF_CHECK_EQUAL(error_reason(err), "invalid room name: longer than 256 bytes");
}

CAF_TEST(a room owned elsewhere is looked up at its owner and cached) {
  send_view({n1(), n2()});
  auto room = room_placed(ids({"n1", "n2"}), "n2");
  auto remote =
      spawn_stopped(actors::test::recording_client, std::make_shared<actors::test::client_record>());
  peer2->room = remote;
  CAF_CHECK_EQUAL(get(room), remote);
  CAF_CHECK_EQUAL(get(room), remote);  // cached
  CAF_CHECK_EQUAL(peer2->lookups, std::vector<std::string>{room});
  CAF_CHECK_EQUAL(metrics->cluster_remote_lookups_total.load(), 1u);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 0);  // nothing loaded here
  // The remote room stops: the cached handle is dropped.
  caf::anon_send_exit(remote, caf::exit_reason::kill);
  run_messages();
  auto remote2 =
      spawn_stopped(actors::test::recording_client, std::make_shared<actors::test::client_record>());
  peer2->room = remote2;
  CAF_CHECK_EQUAL(get(room), remote2);
  CAF_CHECK_EQUAL(peer2->lookups.size(), 2u);
  // A new view drops the cache too.
  send_view({n1(), n2()});
  CAF_CHECK_EQUAL(get(room), remote2);
  CAF_CHECK_EQUAL(peer2->lookups.size(), 3u);
  CAF_CHECK_EQUAL(metrics->cluster_remote_lookups_total.load(), 3u);
}

CAF_TEST(a client joins a room that lives on another node) {
  send_view({n1(), n2()});
  auto room = room_placed(ids({"n1", "n2"}), "n2");
  auto directory =
      spawn_stopped(actors::test::recording_directory, std::make_shared<actors::test::directory_record>());
  auto remote = spawn_room_actor(sys, room, directory, limits, metrics);
  to_stop.push_back(remote);
  peer2->room = remote;
  auto c = make_client(room);
  doc_writer w{7};
  caf::anon_send(c.actor, frame_atom::value, update_frame(w.insert(0, "far")));
  run_messages();
  CAF_CHECK_EQUAL(peer2->lookups, std::vector<std::string>{room});
  CAF_CHECK_EQUAL(ask<std::string>(remote, json_atom::value), w.doc().to_json());
  CAF_CHECK_EQUAL(c.sink->close_code(), 0);
}

CAF_TEST(lookup errors are passed on and the others become 1012) {
  send_view({n1(), n2()});
  auto room = room_placed(ids({"n1", "n2"}), "n2");
  peer2->refuse = make_actor_error(1013, "server full (max-rooms 1)");
  auto err = ask_error(router, get_atom::value, room);
  CAF_CHECK_EQUAL(error_close_code(err), 1013);
  CAF_CHECK_EQUAL(error_reason(err), "server full (max-rooms 1)");
  peer2->refuse = caf::make_error(caf::sec::unexpected_message);
  err = ask_error(router, get_atom::value, room);
  CAF_CHECK_EQUAL(error_close_code(err), 1012);
  // No answer within 5 s: 1012, nothing cached.
  peer2->refuse.reset();
  peer2->silent = true;
  auto rh = self->request(router, caf::infinite, get_atom::value, room);
  run_messages();
  advance_time(5s);
  run_messages();
  bool answered = false;
  if (self->mailbox().empty()) {
    CAF_ERROR("no answer");
    return;
  }
  rh.receive([&](caf::actor&) { CAF_ERROR("expected an error"); },
             [&](caf::error& e) {
               answered = true;
               CAF_CHECK_EQUAL(error_close_code(e), 1012);
             });
  CAF_CHECK(answered);
  // The owner's router is gone.
  caf::anon_send_exit(router_n2, caf::exit_reason::kill);
  run_messages();
  err = ask_error(router, get_atom::value, room);
  CAF_CHECK_EQUAL(error_close_code(err), 1012);
  CAF_CHECK_EQUAL(peer2->lookups.size(), 3u);
}

CAF_TEST(lookup of a room not owned here answers 1012) {
  send_view({n1(), n2()});
  auto theirs = room_placed(ids({"n1", "n2"}), "n2");
  auto ours = room_placed(ids({"n1", "n2"}), "n1");
  auto err = ask_error(router, lookup_atom::value, theirs);
  CAF_CHECK_EQUAL(error_close_code(err), 1012);
  CAF_CHECK_EQUAL(error_reason(err), "room " + theirs + " is not owned by node n1");
  CAF_CHECK_EQUAL(metrics->rooms.load(), 0);
  auto h = ask<caf::actor>(router, lookup_atom::value, ours);
  CAF_CHECK(h != nullptr);
  CAF_CHECK_EQUAL(get(ours), h);
  CAF_CHECK(peer2->lookups.empty());
}

CAF_TEST(rooms owned here replicate to the replica store) {
  send_view({n1(), n2(), n3()});
  auto room = room_placed(ids({"n1", "n2", "n3"}), "n1", "room", std::string{"n2"});
  auto c = make_client(room);
  doc_writer w{9};
  auto update = w.insert(0, "replicated");
  caf::anon_send(c.actor, frame_atom::value, update_frame(update));
  run_messages();
  CAF_CHECK_EQUAL(store1->appends_for(room), 1u);
  CAF_CHECK_EQUAL(store2->appends_for(room), 1u);
  CAF_CHECK_EQUAL(store3->appends_for(room), 0u);
  if (!store2->appends.empty()) CAF_CHECK_EQUAL(store2->appends.back().second, update);
  // n2 leaves: n3 becomes the replica and gets the whole state first.
  send_view({n1(), n3()});
  auto shipped = std::find_if(store3->snapshots.begin(), store3->snapshots.end(),
                              [&](const auto& s) { return std::get<0>(s) == room; });
  CAF_CHECK(shipped != store3->snapshots.end());
  if (shipped != store3->snapshots.end()) {
    CAF_CHECK_EQUAL(json_of_state(std::get<1>(*shipped)), w.doc().to_json());
    CAF_CHECK_EQUAL(std::get<2>(*shipped), persistence::covers_all);
  }
  caf::anon_send(c.actor, frame_atom::value, update_frame(w.insert(0, "more ")));
  run_messages();
  CAF_CHECK_EQUAL(store3->appends_for(room), 1u);
  CAF_CHECK_EQUAL(store2->appends_for(room), 1u);
}

CAF_TEST(a handoff from another node loads the room with its state) {
  send_view({n1(), n2()});
  auto room = room_placed(ids({"n1", "n2"}), "n2");  // not ours in this view: taken anyway
  doc_writer w{11};
  w.insert(0, "moving in");
  auto state = w.doc().encode_state_as_update();
  auto h = ask<caf::actor>(router, handoff_atom::value, room, state);
  CAF_CHECK(h != nullptr);
  if (h) CAF_CHECK_EQUAL(ask<std::string>(h, json_atom::value), w.doc().to_json());
  CAF_CHECK_EQUAL(metrics->cluster_handoffs_in_total.load(), 1u);
  CAF_CHECK_EQUAL(store1->appends_for(room), 1u);  // stored here
  auto err = ask_error(router, handoff_atom::value, std::string{}, state);
  CAF_CHECK_EQUAL(error_close_code(err), 1008);
  CAF_CHECK_EQUAL(metrics->cluster_handoffs_in_total.load(), 1u);
}

CAF_TEST(a view change hands off the rooms owned elsewhere) {
  auto ids2 = ids({"n1", "n2"});
  auto theirs = room_placed(ids2, "n2");
  auto ours = room_placed(ids2, "n1");
  auto c = make_client(theirs);  // alone: served here
  doc_writer w{13};
  caf::anon_send(c.actor, frame_atom::value, update_frame(w.insert(0, "before the move")));
  run_messages();
  get(ours);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 2);
  auto directory =
      spawn_stopped(actors::test::recording_directory, std::make_shared<actors::test::directory_record>());
  auto target = spawn_room_actor(sys, theirs, directory, limits, metrics);
  to_stop.push_back(target);
  peer2->room = target;
  send_view({n1(), n2()});
  run_messages();
  CAF_CHECK_EQUAL(peer2->handoffs.size(), 1u);
  if (!peer2->handoffs.empty()) {
    CAF_CHECK_EQUAL(peer2->handoffs[0].first, theirs);
    CAF_CHECK_EQUAL(json_of_state(peer2->handoffs[0].second), w.doc().to_json());
  }
  CAF_CHECK_EQUAL(metrics->cluster_handoffs_out_total.load(), 1u);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 1);
  CAF_CHECK_EQUAL(cluster_json().find("\"" + theirs + "\""), std::string::npos);
  CAF_CHECK_EQUAL(c.sink->close_code(), 0);  // the client moved, no disconnect
}

CAF_TEST(the cluster json lists members peers and rooms) {
  CAF_CHECK_EQUAL(
      cluster_json(),
      R"({"node_id":"n1","epoch":0,"members":[{"id":"n1","address":"","state":"alive","self":true}],)"
      R"("peers":[],"rooms_owned":0,"rooms":[]})");
  send_view({n1(), n2()},
            {peer_status{"n3", "127.0.0.1:7103", "down"}, peer_status{"", "h\"x:1", "connecting"}});
  auto ids2 = ids({"n1", "n2"});
  auto ours = room_placed(ids2, "n1", "q\"r");
  get(ours);
  get(room_placed(ids2, "n1", "b"));
  std::string expected_rooms =
      "\"" + room_placed(ids2, "n1", "b") + "\",\"" + std::string{"q\\\""} + ours.substr(2) + "\"";
  CAF_CHECK_EQUAL(cluster_json(),
                  R"({"node_id":"n1","epoch":1,"members":[)"
                  R"({"id":"n1","address":"127.0.0.1:7101","state":"alive","self":true},)"
                  R"({"id":"n2","address":"127.0.0.1:7102","state":"alive","self":false}],)"
                  R"("peers":[{"id":"n3","address":"127.0.0.1:7103","state":"down"},)"
                  R"({"id":"","address":"h\"x:1","state":"connecting"}],"rooms_owned":2,"rooms":[)" +
                      expected_rooms + "]}");
}

CAF_TEST(the cluster json lists at most 1000 rooms) {
  router_config cfg;
  cfg.node_id = "big";
  cfg.limits = limits;
  cfg.limits.max_rooms = 2000;
  cfg.metrics = std::make_shared<server_metrics>();
  auto big = spawn_router(sys, cfg);
  for (int i = 0; i < 1001; ++i) ask<caf::actor>(big, get_atom::value, "r" + std::to_string(i));
  auto json = ask<std::string>(big, cluster_atom::value);
  CAF_CHECK_NOT_EQUAL(json.find(R"("rooms_owned":1001,"rooms":["r0","r1","r10","r100","r1000","r101",)"),
                      std::string::npos);
  CAF_CHECK_NOT_EQUAL(json.find(R"("r997","r998"],"rooms_truncated":true})"), std::string::npos);
  CAF_CHECK_EQUAL(json.find(R"("r999")"), std::string::npos);  // the last one in order is left out
  std::size_t listed = 0;
  for (auto at = json.find("\"r"); at != std::string::npos; at = json.find("\"r", at + 1)) ++listed;
  CAF_CHECK_EQUAL(listed, 1000u + 3u);  // + "rooms_owned", "rooms", "rooms_truncated"
  auto down = watch(big);
  caf::anon_send(big, shutdown_atom::value);
  run_messages();
  CAF_CHECK(*down);
}

CAF_TEST(http inspection of a room owned elsewhere goes to its owner) {
  send_view({n1(), n2()});
  auto ids2 = ids({"n1", "n2"});
  auto theirs = room_placed(ids2, "n2");
  auto ours = room_placed(ids2, "n1");
  CAF_CHECK_EQUAL(ask<std::string>(router, json_atom::value, theirs), R"({"from":"peer"})");
  CAF_CHECK_EQUAL(ask<bytes>(router, update_atom::value, theirs), (bytes{1, 2, 3}));
  ask<caf::ok_atom>(router, update_atom::value, theirs, bytes{0, 0});
  CAF_CHECK_EQUAL(peer2->inspections,
                  (std::vector<std::string>{"json " + theirs, "update " + theirs, "post " + theirs}));
  auto err = ask_error(router, json_atom::value, ours);
  CAF_CHECK_EQUAL(error_reason(err), "room not found");
  doc_writer w{15};
  ask<caf::ok_atom>(router, update_atom::value, ours, w.insert(0, "posted"));
  CAF_CHECK_EQUAL(ask<std::string>(router, json_atom::value, ours), w.doc().to_json());
  CAF_CHECK_EQUAL(peer2->inspections.size(), 3u);
}

CAF_TEST(shutdown alone stops the directory and the router) {
  auto room = get("a");
  auto room_down = watch(room);
  auto router_down = watch(router);
  caf::anon_send(router, shutdown_atom::value);
  run_messages();
  CAF_CHECK(*room_down);
  CAF_CHECK(*router_down);
  CAF_CHECK(peer2->handoffs.empty());
}

CAF_TEST(shutdown hands every room off to the other members first) {
  send_view({n1(), n2()});
  auto ours = room_placed(ids({"n1", "n2"}), "n1");
  doc_writer w{17};
  ask<caf::ok_atom>(router, update_atom::value, ours, w.insert(0, "keep me"));
  peer2->room =
      spawn_stopped(actors::test::recording_client, std::make_shared<actors::test::client_record>());
  auto router_down = watch(router);
  caf::anon_send(router, shutdown_atom::value);
  run_with_timers([&] { return *router_down; });
  CAF_CHECK_EQUAL(peer2->handoffs.size(), 1u);
  if (!peer2->handoffs.empty()) {
    CAF_CHECK_EQUAL(peer2->handoffs[0].first, ours);
    CAF_CHECK_EQUAL(json_of_state(peer2->handoffs[0].second), w.doc().to_json());
  }
  CAF_CHECK(*router_down);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 0);
}

CAF_TEST(shutdown gives up on handoffs after the handoff timeout) {
  send_view({n1(), n2()});
  auto ours = room_placed(ids({"n1", "n2"}), "n1");
  get(ours);
  caf::anon_send_exit(router_n2, caf::exit_reason::kill);  // the target never confirms
  run_messages();
  auto router_down = watch(router);
  caf::anon_send(router, shutdown_atom::value);
  run_with_timers([&] { return *router_down; });
  CAF_CHECK(*router_down);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 0);
}

CAF_TEST_FIXTURE_SCOPE_END()
