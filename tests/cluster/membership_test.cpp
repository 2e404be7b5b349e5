// ctest-labels: unit cluster
#define CAF_SUITE cluster_membership
#define FAIL(x) CAF_FAIL(x)
#include <caf/test/io_dsl.hpp>

// The membership actor over CAF's simulated network (caf/test/io_dsl.hpp, three nodes: earth, mars,
// jupiter), with a stand-in router that records the views. The seeds list parser: suite cluster_seeds.
//
// The network is run with run_net(), which never fires timers: the retry timer re-arms itself while an
// address is unreachable, so the DSL's run()/exec_all() (which fire every timer until nothing happens)
// would never return. Retries are driven explicitly with retry().

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "actors/errors.hpp"
#include "actors/messages.hpp"
#include "actors/metrics.hpp"
#include "cluster/log.hpp"
#include "cluster/membership.hpp"
#include "cluster/messages.hpp"

using namespace zeal;
using namespace zeal::cluster;

namespace {

struct node_config : caf::actor_system_config {
  node_config() {
    load<caf::io::middleman>();
    add_message_types<caf::id_block::zeal>();
    add_message_types<caf::id_block::zeal_persistence>();
    add_message_types<caf::id_block::zeal_cluster>();
  }
};

using planet_base = test_coordinator_fixture<node_config>;

constexpr auto retry_interval = std::chrono::milliseconds{500};

struct view_log {
  std::vector<cluster_view> views;

  const cluster_view& last() const { return views.back(); }
  std::vector<std::string> ids() const {
    std::vector<std::string> out;
    if (views.empty()) return out;
    for (const auto& m : last().members) out.push_back(m.id);
    return out;
  }
  /// "ID@ADDRESS=STATE" of the last view's peers.
  std::vector<std::string> peers() const {
    std::vector<std::string> out;
    if (views.empty()) return out;
    for (const auto& p : last().peers) out.push_back(p.id + "@" + p.address + "=" + p.state);
    return out;
  }
};

caf::behavior recording_router(caf::event_based_actor*, std::shared_ptr<view_log> log) {
  return {
      [log](members_atom, cluster_view& v) { log->views.push_back(std::move(v)); },
  };
}

/// A stand-in for another node's membership actor (for hellos sent by hand).
// The unused argument: CAF 0.17.6's spawn of a function without arguments trips UBSan
// (init_fun_factory.hpp:85, a reference to a null tuple).
caf::behavior dummy_peer(caf::event_based_actor*, int) {
  return {
      [](bye_atom, const std::string&) {},
  };
}

using strings = std::vector<std::string>;

struct fixture : belt_fixture<planet_base> {
  struct node {
    planet_type* planet = nullptr;
    std::string id;
    caf::actor membership;
    caf::actor router;
    std::shared_ptr<view_log> log = std::make_shared<view_log>();
    std::shared_ptr<actors::server_metrics> metrics = std::make_shared<actors::server_metrics>();
  };

  std::map<planet_type*, caf::io::accept_handle> acceptors;
  std::deque<node> nodes;  // stable references

  std::string name_of(planet_type& p) {
    if (&p == &earth) return "earth";
    if (&p == &mars) return "mars";
    return "jupiter";
  }

  /// Every planet listens on port 8080 of the host named after it; one accept handle per planet, so that
  /// several connections can be prepared to the same listener.
  caf::io::accept_handle acceptor(planet_type& p) {
    auto i = acceptors.find(&p);
    if (i == acceptors.end()) i = acceptors.emplace(&p, next_accept_handle()).first;
    return i->second;
  }

  /// Lets `client` dial `server` once.
  std::pair<caf::io::connection_handle, caf::io::connection_handle> link(planet_type& server,
                                                                         planet_type& client) {
    return prepare_connection(server, client, name_of(server), 8080, acceptor(server));
  }

  /// Starts membership (and a recording router) on `p`; publishes it on port 8080 unless told not to.
  node& start(planet_type& p, std::string id, std::vector<cluster_address> seeds, bool publish = true) {
    node n;
    n.planet = &p;
    n.id = id;
    n.router = p.sys.spawn(recording_router, n.log);
    membership_config cfg;
    cfg.node_id = id;
    cfg.self = {name_of(p), 8080};
    cfg.seeds = std::move(seeds);
    cfg.retry_interval = retry_interval;
    cfg.router = n.router;
    cfg.metrics = n.metrics;
    n.membership = spawn_membership(p.sys, std::move(cfg));
    if (publish) {  // before the membership actor runs: the middleman actor is idle
      p.mpx.provide_acceptor(8080, acceptor(p));  // no-op when a connection to it was prepared already
      p.sched.inline_next_enqueue();
      auto res = p.mm.publish(n.membership, 8080);
      if (!res) CAF_FAIL("cannot publish on " << name_of(p) << ": " << p.sys.render(res.error()));
    }
    nodes.push_back(std::move(n));
    return nodes.back();
  }

  static bool advance(planet_type& p) {
    return p.sched.try_run_once() || p.mpx.read_data() || p.mpx.try_exec_runnable() ||
           p.mpx.try_accept_connection();
  }

  /// Runs messages and network traffic on every planet until nothing moves (timers are not fired). The
  /// test multiplexer runs pending runnables (which may write to a peer) inside read_data() without
  /// reporting them: only two idle passes in a row mean quiet.
  void run_net() {
    for (int idle = 0; idle < 2;) {
      bool moved = false;
      while (advance(earth) || advance(mars) || advance(jupiter)) moved = true;
      idle = moved ? 0 : idle + 1;
    }
  }

  /// Lets `p`'s retry timer fire once, then runs the network.
  void retry(planet_type& p) {
    p.sched.advance_time(retry_interval);
    run_net();
  }

  void stop(const caf::actor& a) {
    caf::anon_send_exit(a, caf::exit_reason::kill);
    run_net();
  }

  fixture() {
    if (std::getenv("ZEAL_TEST_DEBUG")) log::cluster().set_level(spdlog::level::debug);
    // Let the middleman actors start, so that publish() can run them inline.
    run_net();
  }

  ~fixture() {
    for (auto& n : nodes) {
      caf::anon_send_exit(n.membership, caf::exit_reason::kill);
      caf::anon_send_exit(n.router, caf::exit_reason::kill);
    }
    run_net();
  }
};

cluster_address addr(std::string host, std::uint16_t port = 8080) {
  return cluster_address{std::move(host), port};
}

const node_info* member(const cluster_view& v, const std::string& id) {
  for (const auto& m : v.members) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

}  // namespace

CAF_TEST_FIXTURE_SCOPE(cluster_membership_tests, fixture)

CAF_TEST(a lone node tells its router a single member view at once) {
  auto& e = start(earth, "n-earth", {addr("earth"), addr("nowhere", 9)}, false);
  run_net();
  CAF_REQUIRE_EQUAL(e.log->views.size(), 1u);
  const auto& v = e.log->last();
  CAF_CHECK_EQUAL(v.self, "n-earth");
  CAF_CHECK_EQUAL(v.epoch, 1u);
  CAF_CHECK_EQUAL(e.log->ids(), (strings{"n-earth"}));
  CAF_CHECK_EQUAL(v.members[0].router, e.router);
  CAF_CHECK_EQUAL(v.members[0].membership, e.membership);
  CAF_CHECK_EQUAL(v.members[0].host, "earth");
  // Its own address is skipped; the unreachable seed is listed as connecting.
  CAF_CHECK_EQUAL(e.log->peers(), (strings{"@nowhere:9=connecting"}));
  CAF_CHECK_EQUAL(e.metrics->cluster_members.load(), 1);
  CAF_CHECK_EQUAL(e.metrics->cluster_member_changes_total.load(), 0u);
  // Retrying does not publish a view while nothing changes.
  retry(earth);
  retry(earth);
  CAF_CHECK_EQUAL(e.log->views.size(), 1u);
}

CAF_TEST(hellos are answered with the members and duplicate ids are refused) {
  auto& e = start(earth, "n-earth", {}, false);
  run_net();
  auto peer = earth.sys.spawn(dummy_peer, 0);
  node_info x{"n-x", "x", 1, peer, {}, {}};
  auto ask = [&](node_info info) {
    std::vector<std::string> ids;
    std::string error;
    auto answer = earth.self->request(e.membership, caf::infinite, hello_atom::value, std::move(info));
    run_net();
    answer.receive(
        [&](std::vector<node_info>& list) {
          for (const auto& n : list) ids.push_back(n.id);
        },
        [&](caf::error& err) { error = actors::error_reason(err); });
    return error.empty() ? ids : strings{"error: " + error};
  };
  CAF_CHECK_EQUAL(ask(x), (strings{"n-earth", "n-x"}));
  CAF_CHECK_EQUAL(e.log->ids(), (strings{"n-earth", "n-x"}));
  CAF_CHECK_EQUAL(e.log->last().epoch, 2u);
  CAF_CHECK_EQUAL(e.metrics->cluster_members.load(), 2);
  CAF_CHECK_EQUAL(e.metrics->cluster_member_changes_total.load(), 1u);
  // The same node again (both sides dialed at once): the same answer, no new view.
  CAF_CHECK_EQUAL(ask(x), (strings{"n-earth", "n-x"}));
  CAF_CHECK_EQUAL(e.log->views.size(), 2u);
  // Another actor with a live member's id, or with our own id: refused.
  auto impostor = earth.sys.spawn(dummy_peer, 0);
  CAF_CHECK_EQUAL(ask(node_info{"n-x", "y", 2, impostor, {}, {}}), (strings{"error: duplicate node id n-x"}));
  CAF_CHECK_EQUAL(ask(node_info{"n-earth", "z", 3, impostor, {}, {}}),
                  (strings{"error: duplicate node id n-earth"}));
  CAF_CHECK_EQUAL(ask(node_info{"", "z", 3, impostor, {}, {}}), (strings{"error: invalid hello"}));
  CAF_CHECK_EQUAL(e.log->views.size(), 2u);
  // The member's actor dies: removed as down, its address is listed.
  stop(peer);
  CAF_CHECK_EQUAL(e.log->ids(), (strings{"n-earth"}));
  CAF_CHECK_EQUAL(e.log->last().epoch, 3u);
  CAF_CHECK_EQUAL(e.log->peers(), (strings{"n-x@x:1=down"}));
  // Now the id is free again.
  CAF_CHECK_EQUAL(ask(node_info{"n-x", "y", 2, impostor, {}, {}}), (strings{"n-earth", "n-x"}));
  CAF_CHECK_EQUAL(e.log->last().epoch, 4u);
  stop(impostor);
}

CAF_TEST(two nodes meet through a seed) {
  link(mars, earth);
  auto& m = start(mars, "n-mars", {});
  auto& e = start(earth, "n-earth", {addr("mars")});
  run_net();
  for (auto* n : {&e, &m}) {
    CAF_MESSAGE("view of " << n->id);
    CAF_REQUIRE(!n->log->views.empty());
    const auto& v = n->log->last();
    CAF_CHECK_EQUAL(v.self, n->id);
    CAF_CHECK_EQUAL(n->log->ids(), (strings{"n-earth", "n-mars"}));
    CAF_CHECK_EQUAL(v.epoch, 2u);
    CAF_CHECK(n->log->peers().empty());
    CAF_CHECK_EQUAL(n->metrics->cluster_members.load(), 2);
    CAF_CHECK_EQUAL(n->metrics->cluster_member_changes_total.load(), 1u);
    auto* em = member(v, "n-earth");
    auto* mm = member(v, "n-mars");
    CAF_REQUIRE(em && mm);
    CAF_CHECK_EQUAL(em->router, e.router);
    CAF_CHECK_EQUAL(em->membership, e.membership);
    CAF_CHECK_EQUAL(em->host, "earth");
    CAF_CHECK_EQUAL(mm->router, m.router);
    CAF_CHECK_EQUAL(mm->membership, m.membership);
    CAF_CHECK_EQUAL(mm->host, "mars");
    CAF_CHECK_EQUAL(mm->port, 8080u);
  }
  // Nothing more to retry: no further views.
  retry(earth);
  retry(mars);
  CAF_CHECK_EQUAL(e.log->views.size(), 2u);
  CAF_CHECK_EQUAL(m.log->views.size(), 2u);
}

CAF_TEST(two nodes dialing each other at once agree) {
  link(mars, earth);
  link(earth, mars);
  auto& m = start(mars, "n-mars", {addr("earth")});
  auto& e = start(earth, "n-earth", {addr("mars")});
  run_net();
  for (auto* n : {&e, &m}) {
    CAF_MESSAGE("view of " << n->id);
    CAF_CHECK_EQUAL(n->log->ids(), (strings{"n-earth", "n-mars"}));
    CAF_CHECK_EQUAL(n->log->last().epoch, 2u);
    CAF_CHECK(n->log->peers().empty());
  }
  retry(earth);
  retry(mars);
  CAF_CHECK_EQUAL(e.log->views.size(), 2u);
  CAF_CHECK_EQUAL(m.log->views.size(), 2u);
}

CAF_TEST(a third node seeding one member connects to all of them) {
  link(mars, earth);
  link(mars, jupiter);
  link(earth, jupiter);
  auto& m = start(mars, "n-mars", {});
  auto& e = start(earth, "n-earth", {addr("mars")});
  run_net();
  CAF_REQUIRE_EQUAL(e.log->ids(), (strings{"n-earth", "n-mars"}));
  auto& j = start(jupiter, "n-jupiter", {addr("mars")});
  run_net();
  // Jupiter dialed earth itself (full mesh), learning its address from mars's answer.
  CAF_CHECK(!jupiter.mpx.has_pending_scribe("mars", 8080));
  CAF_CHECK(!jupiter.mpx.has_pending_scribe("earth", 8080));
  for (auto* n : {&e, &m, &j}) {
    CAF_MESSAGE("view of " << n->id);
    CAF_CHECK_EQUAL(n->log->ids(), (strings{"n-earth", "n-jupiter", "n-mars"}));
    CAF_CHECK(n->log->peers().empty());
    CAF_CHECK_EQUAL(n->metrics->cluster_members.load(), 3);
    auto* jm = member(n->log->last(), "n-jupiter");
    CAF_REQUIRE(jm);
    CAF_CHECK_EQUAL(jm->router, j.router);
  }
  // Mars dies: the two others notice (their monitors are direct) and keep each other.
  auto e_epoch = e.log->last().epoch;
  auto j_epoch = j.log->last().epoch;
  stop(m.membership);
  for (auto* n : {&e, &j}) {
    CAF_MESSAGE("view of " << n->id);
    CAF_CHECK_EQUAL(n->log->ids(), (strings{"n-earth", "n-jupiter"}));
    CAF_CHECK_EQUAL(n->log->peers(), (strings{"n-mars@mars:8080=down"}));
    CAF_CHECK_EQUAL(n->metrics->cluster_members.load(), 2);
  }
  CAF_CHECK_EQUAL(e.log->last().epoch, e_epoch + 1);
  CAF_CHECK_EQUAL(j.log->last().epoch, j_epoch + 1);
}

CAF_TEST(a learned member that cannot be reached yet is retried until the mesh is full) {
  link(mars, earth);
  link(mars, jupiter);
  auto& m = start(mars, "n-mars", {});
  auto& e = start(earth, "n-earth", {addr("mars")});
  run_net();
  auto& j = start(jupiter, "n-jupiter", {addr("mars")});
  run_net();
  // Jupiter learned earth from mars but cannot dial it yet.
  CAF_CHECK_EQUAL(m.log->ids(), (strings{"n-earth", "n-jupiter", "n-mars"}));
  CAF_CHECK_EQUAL(j.log->ids(), (strings{"n-jupiter", "n-mars"}));
  CAF_CHECK_EQUAL(j.log->peers(), (strings{"n-earth@earth:8080=connecting"}));
  CAF_CHECK_EQUAL(e.log->ids(), (strings{"n-earth", "n-mars"}));
  retry(jupiter);
  CAF_CHECK_EQUAL(j.log->ids(), (strings{"n-jupiter", "n-mars"}));
  // The network heals: the next retry completes the mesh.
  link(earth, jupiter);
  retry(jupiter);
  for (auto* n : {&e, &m, &j}) {
    CAF_MESSAGE("view of " << n->id);
    CAF_CHECK_EQUAL(n->log->ids(), (strings{"n-earth", "n-jupiter", "n-mars"}));
    CAF_CHECK(n->log->peers().empty());
  }
}

CAF_TEST(a member that dies is removed and its address is retried) {
  link(mars, earth);
  auto& m = start(mars, "n-mars", {});
  auto& e = start(earth, "n-earth", {addr("mars")});
  run_net();
  CAF_REQUIRE_EQUAL(e.log->ids(), (strings{"n-earth", "n-mars"}));
  stop(m.membership);
  CAF_CHECK_EQUAL(e.log->ids(), (strings{"n-earth"}));
  CAF_CHECK_EQUAL(e.log->last().epoch, 3u);
  CAF_CHECK_EQUAL(e.log->peers(), (strings{"n-mars@mars:8080=down"}));
  CAF_CHECK_EQUAL(e.metrics->cluster_members.load(), 1);
  CAF_CHECK_EQUAL(e.metrics->cluster_member_changes_total.load(), 2u);
  // The next retry dials the dead member's address again (it consumes the prepared connection); nobody
  // answers there, so it stays down.
  link(mars, earth);
  CAF_CHECK(earth.mpx.has_pending_scribe("mars", 8080));
  retry(earth);
  CAF_CHECK(!earth.mpx.has_pending_scribe("mars", 8080));
  CAF_CHECK_EQUAL(e.log->ids(), (strings{"n-earth"}));
  CAF_CHECK_EQUAL(e.log->views.size(), 3u);
  // The node comes back with the same id (a new membership actor) and finds earth: accepted, since the
  // old one is known to be dead.
  link(earth, mars);
  auto& m2 = start(mars, "n-mars", {addr("earth")}, false);
  run_net();
  CAF_CHECK_EQUAL(e.log->ids(), (strings{"n-earth", "n-mars"}));
  CAF_CHECK_EQUAL(e.log->last().epoch, 4u);
  CAF_CHECK(e.log->peers().empty());
  auto* mm = member(e.log->last(), "n-mars");
  CAF_REQUIRE(mm);
  CAF_CHECK_EQUAL(mm->membership, m2.membership);
  CAF_CHECK_EQUAL(m2.log->ids(), (strings{"n-earth", "n-mars"}));
}

CAF_TEST(a seed whose membership actor is gone stays connecting) {
  link(mars, earth);
  auto& m = start(mars, "n-mars", {});
  run_net();
  stop(m.membership);  // still published: the connect succeeds, the hello cannot
  auto& e = start(earth, "n-earth", {addr("mars")});
  run_net();
  CAF_CHECK_EQUAL(e.log->ids(), (strings{"n-earth"}));
  CAF_CHECK_EQUAL(e.log->peers(), (strings{"@mars:8080=connecting"}));
  CAF_CHECK_EQUAL(e.log->views.size(), 1u);
  // Retries keep failing quietly (no prepared connection left) and publish nothing.
  retry(earth);
  retry(earth);
  CAF_CHECK_EQUAL(e.log->views.size(), 1u);
  CAF_CHECK_EQUAL(e.metrics->cluster_members.load(), 1);
}

CAF_TEST(a member that says bye is removed as left) {
  link(mars, earth);
  auto& m = start(mars, "n-mars", {});
  auto& e = start(earth, "n-earth", {addr("mars")});
  run_net();
  CAF_REQUIRE_EQUAL(m.log->ids(), (strings{"n-earth", "n-mars"}));
  auto answer = mars.self->request(m.membership, caf::infinite, actors::leave_atom::value);
  run_net();
  bool ok = false;
  answer.receive([&](caf::ok_atom) { ok = true; }, [&](caf::error& err) { CAF_FAIL(to_string(err)); });
  CAF_CHECK(ok);
  CAF_CHECK_EQUAL(e.log->ids(), (strings{"n-earth"}));
  CAF_CHECK_EQUAL(e.log->last().epoch, 3u);
  CAF_CHECK_EQUAL(e.log->peers(), (strings{"n-mars@mars:8080=left"}));
  CAF_CHECK_EQUAL(e.metrics->cluster_member_changes_total.load(), 2u);
  // Its actor stopping later is not a second change.
  stop(m.membership);
  CAF_CHECK_EQUAL(e.log->views.size(), 3u);
  CAF_CHECK_EQUAL(e.log->peers(), (strings{"n-mars@mars:8080=left"}));
}

CAF_TEST(a leaving node refuses hellos) {
  link(mars, earth);
  auto& m = start(mars, "n-mars", {});
  anon_send(m.membership, actors::leave_atom::value);
  run_net();
  auto& e = start(earth, "n-earth", {addr("mars")});
  run_net();
  CAF_CHECK_EQUAL(e.log->ids(), (strings{"n-earth"}));
  CAF_CHECK_EQUAL(e.log->peers(), (strings{"@mars:8080=connecting"}));
  CAF_CHECK_EQUAL(m.log->ids(), (strings{"n-mars"}));
}

CAF_TEST(a node with a member id is refused) {
  link(mars, earth);
  link(earth, jupiter);
  auto& m = start(mars, "n-mars", {});
  auto& e = start(earth, "n-earth", {addr("mars")});
  run_net();
  CAF_REQUIRE_EQUAL(e.log->ids(), (strings{"n-earth", "n-mars"}));
  // Jupiter claims mars's id and seeds earth: earth refuses it, nothing changes.
  auto& j = start(jupiter, "n-mars", {addr("earth")});
  run_net();
  CAF_CHECK_EQUAL(e.log->ids(), (strings{"n-earth", "n-mars"}));
  CAF_CHECK_EQUAL(e.log->views.size(), 2u);
  auto* mm = member(e.log->last(), "n-mars");
  CAF_REQUIRE(mm);
  CAF_CHECK_EQUAL(mm->membership, m.membership);
  CAF_CHECK_EQUAL(j.log->ids(), (strings{"n-mars"}));
  CAF_CHECK_EQUAL(j.log->peers(), (strings{"@earth:8080=connecting"}));
}

CAF_TEST(a node with our own id is refused) {
  link(mars, earth);
  auto& m = start(mars, "n-same", {});
  auto& e = start(earth, "n-same", {addr("mars")});
  run_net();
  CAF_CHECK_EQUAL(m.log->ids(), (strings{"n-same"}));
  CAF_CHECK_EQUAL(e.log->ids(), (strings{"n-same"}));
  CAF_CHECK_EQUAL(m.log->views.size(), 1u);
  CAF_CHECK_EQUAL(e.log->views.size(), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
