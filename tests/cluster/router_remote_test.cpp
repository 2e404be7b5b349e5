// ctest-labels: unit cluster
#define CAF_SUITE cluster_router_remote
#define FAIL(x) CAF_FAIL(x)
#include <caf/test/io_dsl.hpp>

#include "cluster/router.hpp"
#include "tests/cluster/cluster_test_support.hpp"

using namespace zeal;
using namespace zeal::actors;
using namespace zeal::cluster;
using namespace zeal::cluster::test;
using namespace std::chrono_literals;
using zeal::actors::test::client_record;
using zeal::actors::test::doc_writer;
using zeal::actors::test::fake_sink;
using zeal::actors::test::recording_client;
using zeal::actors::test::update_frame;

namespace {

using node_fixture = test_coordinator_fixture<cluster_node_config>;

/// Two nodes in one process over CAF's simulated network: "earth" and "mars", each with a real router
/// (local directory, rooms in memory). Mars publishes its router; earth reaches it with remote_actor, and
/// every handle the other node needs crosses the network inside the views.
struct remote_fixture : point_to_point_fixture<node_fixture> {
  std::shared_ptr<server_metrics> earth_metrics = std::make_shared<server_metrics>();
  std::shared_ptr<server_metrics> mars_metrics = std::make_shared<server_metrics>();
  room_limits limits;
  caf::actor earth_router;          // on earth
  caf::actor mars_router;           // on mars (local handle: only for mars-side calls)
  caf::actor mars_router_on_earth;  // earth's proxy of mars's router
  std::vector<caf::actor> to_stop;
  std::uint64_t epoch = 0;
  std::uint64_t next_conn = 1;

  remote_fixture() {
    limits.room_timeout = 5min;
    prepare_connection(mars, earth, "mars", 8080);
    earth_router = spawn_router(earth.sys, config("earth", earth_metrics));
    mars_router = spawn_router(mars.sys, config("mars", mars_metrics));
    mars.publish(mars_router, 8080);
    mars_router_on_earth = earth.remote_actor("mars", 8080);
    net();
  }

  ~remote_fixture() {
    auto alone = [](const std::string& id, caf::actor router) {
      return make_view(id, 1000, {make_member(id, std::move(router))});
    };
    caf::anon_send(earth_router, members_atom::value, alone("earth", earth_router));
    caf::anon_send(earth_router, shutdown_atom::value);
    caf::anon_send(mars_router, members_atom::value, alone("mars", mars_router));
    caf::anon_send(mars_router, shutdown_atom::value);
    net();
    for (auto& a : to_stop) caf::anon_send_exit(a, caf::exit_reason::kill);
    net();
  }

  router_config config(std::string id, std::shared_ptr<server_metrics> metrics) {
    router_config cfg;
    cfg.node_id = std::move(id);
    cfg.limits = limits;
    cfg.metrics = std::move(metrics);
    return cfg;
  }

  /// Runs both nodes and the network until nothing is left to do (timers do not move).
  void net() {
    auto advance = [](planet_type& x) {
      return x.sched.try_run_once() || x.mpx.read_data() || x.mpx.try_exec_runnable() ||
             x.mpx.try_accept_connection();
    };
    // A pass that reports no progress may still have moved bytes between the simulated sockets: stop
    // only after a few idle passes.
    for (int idle = 0; idle < 3;) {
      bool progress = advance(earth);
      progress = advance(mars) || progress;
      idle = progress ? 0 : idle + 1;
    }
  }

  /// Runs both nodes, firing one timer at a time (earth's first), until `done()` or nothing is pending.
  template <class Pred>
  void net_with_timers(Pred done, int rounds = 200) {
    net();
    while (!done() && rounds-- > 0 && (earth.sched.trigger_timeout() || mars.sched.trigger_timeout())) net();
  }

  /// Earth's view: both members, mars's router as earth's proxy.
  void earth_view(bool with_mars = true) {
    std::vector<node_info> members{make_member("earth", earth_router)};
    if (with_mars) members.push_back(make_member("mars", mars_router_on_earth));
    caf::anon_send(earth_router, members_atom::value, make_view("earth", ++epoch, std::move(members)));
    net();
  }

  /// Mars's view, sent over the network from earth (so that mars gets a proxy of earth's router).
  void mars_view(bool with_earth = true) {
    std::vector<node_info> members{make_member("mars", mars_router_on_earth)};
    if (with_earth) members.push_back(make_member("earth", earth_router));
    caf::anon_send(mars_router_on_earth, members_atom::value, make_view("mars", ++epoch, std::move(members)));
    net();
  }

  template <class T, class... Ts>
  T ask(planet_type& on, const caf::actor& dest, Ts&&... xs) {
    auto rh = on.self->request(dest, caf::infinite, std::forward<Ts>(xs)...);
    net();
    T out{};
    if (on.self->mailbox().empty()) {
      CAF_ERROR("no answer");
      return out;
    }
    rh.receive([&](T& x) { out = std::move(x); },
               [&](caf::error& err) { CAF_ERROR("request failed: " << caf::to_string(err)); });
    return out;
  }

  template <class... Ts>
  caf::error ask_error(planet_type& on, const caf::actor& dest, Ts&&... xs) {
    auto rh = on.self->request(dest, caf::infinite, std::forward<Ts>(xs)...);
    net();
    caf::error out;
    if (on.self->mailbox().empty()) {
      CAF_ERROR("no answer");
      return out;
    }
    rh.receive([&](caf::message&) { CAF_ERROR("expected an error"); },
               [&](caf::error& err) { out = std::move(err); });
    return out;
  }

  struct client {
    caf::actor actor;
    std::shared_ptr<fake_sink> sink;
  };

  /// A real client actor on earth (y-websocket connection to `room`) resolving through `router`.
  client make_earth_client(const std::string& room, caf::actor router) {
    client c;
    c.sink = std::make_shared<fake_sink>();
    client_params p;
    p.conn_id = next_conn++;
    p.protocol = protocol_kind::y_websocket;
    p.room = room;
    p.remote = "127.0.0.1:1";
    p.directory = std::move(router);
    p.sink = c.sink;
    p.metrics = earth_metrics;
    p.limits = limits;
    c.actor = spawn_client_actor(earth.sys, std::move(p));
    to_stop.push_back(c.actor);
    net();
    return c;
  }

  /// A recording member on mars, joined to `room` (a mars-local handle) as connection `conn`.
  std::shared_ptr<client_record> join_on_mars(const caf::actor& room, std::uint64_t conn) {
    auto rec = std::make_shared<client_record>();
    auto member = mars.sys.spawn(recording_client, rec);
    to_stop.push_back(member);
    auto r = ask<join_result>(mars, room, join_atom::value, conn, std::uint8_t{0}, member);
    CAF_CHECK(r.accepted);
    return rec;
  }

  static bool has_frame(const std::vector<bytes>& frames, const bytes& f) {
    return std::find(frames.begin(), frames.end(), f) != frames.end();
  }

  std::vector<std::string> both{"earth", "mars"};
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(router_remote_tests, remote_fixture)

CAF_TEST(a client on earth joins a room living on mars and gets its relays) {
  earth_view();
  mars_view();
  auto room = room_placed(both, "mars");
  auto c = make_earth_client(room, earth_router);
  CAF_CHECK_EQUAL(earth_metrics->cluster_remote_lookups_total.load(), 1u);
  CAF_CHECK_EQUAL(earth_metrics->rooms.load(), 0);
  CAF_CHECK_EQUAL(mars_metrics->rooms.load(), 1);
  auto mars_room = ask<caf::actor>(mars, mars_router, get_atom::value, room);
  auto member = join_on_mars(mars_room, 900);
  doc_writer w{21};
  auto from_mars = w.insert(0, "from mars ");
  caf::anon_send(mars_room, frame_atom::value, std::uint64_t{900}, update_frame(from_mars));
  net();
  CAF_CHECK(has_frame(c.sink->frames(), update_frame(from_mars)));
  auto from_earth = w.insert(0, "from earth ");
  caf::anon_send(c.actor, frame_atom::value, update_frame(from_earth));
  net();
  CAF_CHECK(has_frame(member->frames, update_frame(from_earth)));
  // HTTP inspection on earth is answered by mars.
  CAF_CHECK_EQUAL(ask<std::string>(earth, earth_router, json_atom::value, room), w.doc().to_json());
  CAF_CHECK_EQUAL(c.sink->close_code(), 0);
}

// Connection ids are unique per node only: a member on earth and one on mars with the same id are two
// members (a room that keyed members by connection id alone let the second join replace the first).
CAF_TEST(members of two nodes with the same connection id are distinct) {
  earth_view();
  mars_view();
  auto room = room_placed(both, "mars");
  const auto conn = next_conn;
  auto c = make_earth_client(room, earth_router);
  auto mars_room = ask<caf::actor>(mars, mars_router, get_atom::value, room);
  auto member = join_on_mars(mars_room, conn);
  doc_writer w{29};
  auto from_earth = w.insert(0, "earth ");
  caf::anon_send(c.actor, frame_atom::value, update_frame(from_earth));
  net();
  CAF_CHECK(has_frame(member->frames, update_frame(from_earth)));
  auto from_mars = w.insert(0, "mars ");
  caf::anon_send(mars_room, frame_atom::value, conn, update_frame(from_mars));
  net();
  CAF_CHECK(has_frame(c.sink->frames(), update_frame(from_mars)));
  CAF_CHECK_EQUAL(mars_metrics->room_clients.load(), 2);
  CAF_CHECK_EQUAL(ask<std::string>(earth, earth_router, json_atom::value, room), w.doc().to_json());
}

CAF_TEST(a remote room that dies is resolved again) {
  earth_view();
  mars_view();
  auto room = room_placed(both, "mars");
  auto c = make_earth_client(room, earth_router);
  auto old_room = ask<caf::actor>(mars, mars_router, get_atom::value, room);
  caf::anon_send_exit(old_room, caf::exit_reason::kill);
  net();
  // The membership would publish a new view after a node death: the cache is dropped either way.
  earth_view();
  mars_view();
  net_with_timers([&] { return earth_metrics->cluster_rejoins_total.load() > 0; });
  CAF_CHECK_EQUAL(earth_metrics->cluster_rejoins_total.load(), 1u);
  CAF_CHECK_EQUAL(earth_metrics->cluster_remote_lookups_total.load(), 2u);
  CAF_CHECK_EQUAL(c.sink->close_code(), 0);
  auto new_room = ask<caf::actor>(mars, mars_router, get_atom::value, room);
  CAF_CHECK(new_room != old_room);
  auto member = join_on_mars(new_room, 901);
  doc_writer w{23};
  auto u = w.insert(0, "after the restart");
  caf::anon_send(new_room, frame_atom::value, std::uint64_t{901}, update_frame(u));
  net();
  CAF_CHECK(has_frame(c.sink->frames(), update_frame(u)));
}

CAF_TEST(a view change makes mars hand a room to earth) {
  earth_view();
  mars_view(false);  // mars does not know earth yet: it serves every room
  auto room = room_placed(both, "earth");
  auto c = make_earth_client(room, mars_router_on_earth);
  CAF_CHECK_EQUAL(mars_metrics->rooms.load(), 1);
  doc_writer w{25};
  caf::anon_send(c.actor, frame_atom::value, update_frame(w.insert(0, "shipped ")));
  net();
  CAF_CHECK_EQUAL(ask<std::string>(mars, mars_router, json_atom::value, room), w.doc().to_json());
  mars_view();  // earth joined: the room is earth's now
  net_with_timers([&] { return earth_metrics->cluster_rejoins_total.load() > 0; });
  CAF_CHECK_EQUAL(mars_metrics->cluster_handoffs_out_total.load(), 1u);
  CAF_CHECK_EQUAL(earth_metrics->cluster_handoffs_in_total.load(), 1u);
  CAF_CHECK_EQUAL(mars_metrics->rooms.load(), 0);
  CAF_CHECK_EQUAL(earth_metrics->rooms.load(), 1);
  CAF_CHECK_EQUAL(earth_metrics->cluster_rejoins_total.load(), 1u);
  CAF_CHECK_EQUAL(ask<std::string>(earth, earth_router, json_atom::value, room), w.doc().to_json());
  // The client now writes to earth's room.
  caf::anon_send(c.actor, frame_atom::value, update_frame(w.insert(0, "after ")));
  net();
  CAF_CHECK_EQUAL(ask<std::string>(earth, earth_router, json_atom::value, room), w.doc().to_json());
  CAF_CHECK_EQUAL(c.sink->close_code(), 0);
}

CAF_TEST(lookups at mars for a room it does not own answer 1012) {
  earth_view();
  mars_view();
  auto room = room_placed(both, "earth");
  auto rh = earth.self->request(mars_router_on_earth, caf::infinite, lookup_atom::value, room);
  net();
  bool answered = false;
  if (earth.self->mailbox().empty()) {
    CAF_ERROR("no answer");
    return;
  }
  rh.receive([&](caf::actor&) { CAF_ERROR("expected an error"); },
             [&](caf::error& err) {
               answered = true;
               CAF_CHECK_EQUAL(error_close_code(err), 1012);
               CAF_CHECK_EQUAL(error_reason(err), "room " + room + " is not owned by node mars");
             });
  CAF_CHECK(answered);
}

CAF_TEST(http inspections are forwarded once even when the views disagree) {
  // Earth places the room on mars; mars (whose view also holds a "venus" reached through earth's router)
  // places it on venus. A request forwarded by another node is never forwarded again: mars answers 1012
  // (the client retries once the views agree) instead of bouncing it back to earth.
  earth_view();
  std::string room;
  std::vector<std::string> three{"earth", "mars", "venus"};
  for (int i = 0; i < 1000 && room.empty(); ++i) {
    auto r = "room-" + std::to_string(i);
    if (both[*owner_of(r, both)] == "mars" && three[*owner_of(r, three)] == "venus") room = r;
  }
  CAF_REQUIRE(!room.empty());
  caf::anon_send(mars_router_on_earth, members_atom::value,
                 make_view("mars", ++epoch,
                           {make_member("earth", earth_router), make_member("mars", mars_router_on_earth),
                            make_member("venus", earth_router)}));
  net();
  auto err = ask_error(earth, earth_router, json_atom::value, room);
  CAF_CHECK_EQUAL(error_close_code(err), 1012);
  CAF_CHECK_EQUAL(error_reason(err), "room " + room + " is not owned by node mars");
}

CAF_TEST_FIXTURE_SCOPE_END()
