#include "cluster/membership.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "actors/errors.hpp"
#include "actors/messages.hpp"
#include "cluster/log.hpp"
#include "cluster/messages.hpp"

namespace zeal::cluster {

namespace {

/// Internal: the retry timer.
using retry_atom = caf::atom_constant<caf::atom("retry")>;

/// How long a peer may take to answer a hello (the connection itself has CAF's own timeouts).
constexpr auto min_hello_timeout = std::chrono::seconds{3};

enum class address_state : std::uint8_t {
  connecting,  // a seed or a learned address not reached yet
  member,      // the node met there is a live member
  down,        // the node met there died
  left,        // the node met there said bye
  self,        // this node under another name: never dialed again
};

const char* to_string(address_state s) {
  switch (s) {
    case address_state::connecting:
      return "connecting";
    case address_state::member:
      return "alive";
    case address_state::down:
      return "down";
    case address_state::left:
      return "left";
    case address_state::self:
      return "self";
  }
  return "?";
}

struct address_entry {
  cluster_address addr;
  std::string id;  // the node met there ("" while never met)
  address_state state = address_state::connecting;
  bool in_flight = false;       // a connect or hello is under way
  bool failure_logged = false;  // the first failure since the last success was logged at info
};

struct membership_state {
  membership_config cfg;
  node_info self_info;
  std::string self_key;                            // "host:port" of this node ("" without a port)
  std::map<std::string, node_info> members;        // live members by id, this node excluded
  std::map<std::string, address_entry> addresses;  // "host:port" → what we know of it
  std::uint64_t epoch = 0;
  bool retry_scheduled = false;
  bool leaving = false;

  const std::string& id() const { return cfg.node_id; }
  std::size_t member_count() const { return members.size() + 1; }

  static inline const char* name = "zeal.membership";
};

using membership_self = caf::stateful_actor<membership_state>;

std::string address_key(const std::string& host, std::uint16_t port) {
  return to_string(cluster_address{host, port});
}

std::string describe(const caf::error& err) {
  return actors::error_reason(err);
}

/// The members a hello is answered with: this node and every live member.
std::vector<node_info> member_list(const membership_state& st) {
  std::vector<node_info> out;
  out.reserve(st.member_count());
  out.push_back(st.self_info);
  for (const auto& [id, info] : st.members) out.push_back(info);
  return out;
}

void publish_view(membership_self* self, bool counted = true) {
  auto& st = self->state;
  cluster_view view;
  view.self = st.id();
  view.epoch = ++st.epoch;
  view.members = member_list(st);
  std::sort(view.members.begin(), view.members.end(),
            [](const node_info& a, const node_info& b) { return a.id < b.id; });
  std::set<std::string> listed_ids;
  for (const auto& [key, e] : st.addresses) {
    if (e.state == address_state::member || e.state == address_state::self) continue;
    if (!e.id.empty()) {
      if (st.members.count(e.id) > 0 || e.id == st.id()) continue;  // alive under another address
      if (!listed_ids.insert(e.id).second) continue;                // one entry per node
    }
    view.peers.push_back(peer_status{e.id, key, to_string(e.state)});
  }
  if (st.cfg.metrics) {
    st.cfg.metrics->cluster_members.store(static_cast<std::int64_t>(st.member_count()),
                                          std::memory_order_relaxed);
    if (counted) st.cfg.metrics->cluster_member_changes_total.fetch_add(1, std::memory_order_relaxed);
  }
  if (st.cfg.router) self->send(st.cfg.router, members_atom::value, std::move(view));
}

bool needs_retry(const address_entry& e) {
  return !e.in_flight && (e.state == address_state::connecting || e.state == address_state::down ||
                          e.state == address_state::left);
}

void schedule_retry(membership_self* self) {
  auto& st = self->state;
  if (st.retry_scheduled || st.leaving) return;
  bool any = std::any_of(st.addresses.begin(), st.addresses.end(), [](const auto& kv) {
    return kv.second.state != address_state::member && kv.second.state != address_state::self;
  });
  if (!any) return;
  st.retry_scheduled = true;
  self->delayed_send(self, st.cfg.retry_interval, retry_atom::value);
}

/// Marks every address of node `id` with `state` (reached again: the next failure is logged at info).
void mark_addresses(membership_state& st, const std::string& id, address_state state) {
  for (auto& [key, e] : st.addresses) {
    if (e.id != id || e.state == address_state::self) continue;
    e.state = state;
    if (state == address_state::member) e.failure_logged = false;
  }
}

/// Remembers (or updates) the address a node advertises; returns its key, or "" for this node's own.
std::string learn_address(membership_state& st, const node_info& info) {
  if (info.host.empty() || info.port == 0) return {};
  auto key = address_key(info.host, info.port);
  if (key == st.self_key) return {};
  auto& e = st.addresses[key];
  e.addr = {info.host, info.port};
  if (!info.id.empty()) e.id = info.id;
  return key;
}

void add_member(membership_self* self, const node_info& info) {
  auto& st = self->state;
  st.members[info.id] = info;
  self->monitor(info.membership);
  learn_address(st, info);
  mark_addresses(st, info.id, address_state::member);
  log::cluster().info("cluster: node {} member joined: {} ({}:{}), {} member(s)", st.id(), info.id, info.host,
                      info.port, st.member_count());
  publish_view(self);
}

void remove_member(membership_self* self, const std::string& id, address_state state,
                   const std::string& why) {
  auto& st = self->state;
  auto i = st.members.find(id);
  if (i == st.members.end()) return;
  if (state == address_state::left) self->demonitor(i->second.membership);
  st.members.erase(i);
  mark_addresses(st, id, state);
  if (state == address_state::down) {
    log::cluster().warn("cluster: node {} member down: {} ({}), {} member(s)", st.id(), id, why,
                        st.member_count());
  } else {
    log::cluster().info("cluster: node {} member left: {}, {} member(s)", st.id(), id, st.member_count());
  }
  publish_view(self);
  schedule_retry(self);
}

/// The live member whose membership actor is `peer`, or null.
const node_info* member_by_actor(const membership_state& st, const caf::actor& peer) {
  for (const auto& [id, info] : st.members) {
    if (info.membership == peer) return &info;
  }
  return nullptr;
}

void connect_failed(membership_self* self, const std::string& key, const std::string& why) {
  auto& st = self->state;
  auto i = st.addresses.find(key);
  if (i == st.addresses.end()) return;
  auto& e = i->second;
  e.in_flight = false;
  if (e.state == address_state::member || e.state == address_state::self) return;  // reached meanwhile
  if (!e.failure_logged) {
    e.failure_logged = true;
    log::cluster().info("cluster: node {} cannot reach {}: {}", st.id(), key, why);
  } else {
    log::cluster().debug("cluster: node {} cannot reach {}: {}", st.id(), key, why);
  }
  schedule_retry(self);
}

void connect_to(membership_self* self, const std::string& key);

/// The answer to our hello: `peer` (dialed at `key`) and the members it knows.
void on_members(membership_self* self, const std::string& key, const caf::actor& peer,
                std::vector<node_info>& list) {
  auto& st = self->state;
  auto i = st.addresses.find(key);
  if (i != st.addresses.end()) i->second.in_flight = false;
  if (st.leaving) return;
  auto me = std::find_if(list.begin(), list.end(), [&](const node_info& n) { return n.membership == peer; });
  if (me == list.end() || me->id.empty()) {
    connect_failed(self, key, "the peer did not list itself");
    return;
  }
  if (me->id == st.id()) {  // the peer should have refused us
    log::cluster().error("cluster: node {} refused {} at {}: duplicate node id {}", st.id(), me->id, key,
                         me->id);
    connect_failed(self, key, "duplicate node id " + me->id);
    return;
  }
  auto known = st.members.find(me->id);
  if (known != st.members.end() && known->second.membership != peer) {
    log::cluster().error("cluster: node {} refused {} at {}: duplicate node id {}", st.id(), me->id, key,
                         me->id);
    connect_failed(self, key, "duplicate node id " + me->id);
    return;
  }
  if (i != st.addresses.end()) i->second.id = me->id;
  // Full mesh: every member the peer knows and we do not is dialed directly (so that our monitor sees it
  // die). Their addresses are learned first, so that the view published for the peer lists them.
  std::vector<std::string> to_dial;
  for (const auto& n : list) {
    if (n.id.empty() || n.id == st.id() || n.id == me->id || st.members.count(n.id) > 0) continue;
    auto k = learn_address(st, n);
    if (k.empty()) continue;
    auto& e = st.addresses[k];
    if (e.state == address_state::self) continue;
    if (e.state == address_state::member) e.state = address_state::connecting;  // stale: that node is gone
    if (!e.in_flight) to_dial.push_back(k);
  }
  if (known == st.members.end()) {
    add_member(self, *me);
  } else {
    mark_addresses(st, me->id, address_state::member);
  }
  for (const auto& k : to_dial) connect_to(self, k);
}

void on_connected(membership_self* self, const std::string& key, caf::node_id& nid,
                  caf::strong_actor_ptr& ptr) {
  auto& st = self->state;
  auto i = st.addresses.find(key);
  if (i == st.addresses.end()) return;
  auto& e = i->second;
  if (!ptr) {
    connect_failed(self, key, "no actor published there");
    return;
  }
  auto peer = caf::actor_cast<caf::actor>(ptr);
  if (peer == caf::actor{self} || nid == self->home_system().node()) {
    e.in_flight = false;
    e.state = address_state::self;
    e.id = st.id();
    log::cluster().debug("cluster: node {} skips {}: that is this node", st.id(), key);
    return;
  }
  if (st.leaving) {
    e.in_flight = false;
    return;
  }
  if (auto m = member_by_actor(st, peer)) {  // it said hello first
    e.in_flight = false;
    e.id = m->id;
    e.state = address_state::member;
    e.failure_logged = false;
    return;
  }
  log::cluster().debug("cluster: node {} connected to {}: saying hello", st.id(), key);
  auto timeout = std::max<caf::timespan>(min_hello_timeout, st.cfg.retry_interval * 4);
  self->request(peer, timeout, hello_atom::value, st.self_info)
      .then([=](std::vector<node_info>& list) { on_members(self, key, peer, list); },
            [=](caf::error& err) {
              auto why = describe(err);
              if (why.rfind("duplicate node id", 0) == 0) {
                log::cluster().error("cluster: node {} was refused by {}: {}", self->state.id(), key, why);
              }
              connect_failed(self, key, why);
            });
}

void connect_to(membership_self* self, const std::string& key) {
  auto& st = self->state;
  auto i = st.addresses.find(key);
  if (i == st.addresses.end() || i->second.in_flight || st.leaving) return;
  auto& e = i->second;
  if (!self->home_system().has_middleman()) {
    connect_failed(self, key, "no middleman loaded");
    return;
  }
  e.in_flight = true;
  log::cluster().debug("cluster: node {} dials {}", st.id(), key);
  auto mm = self->home_system().middleman().actor_handle();
  self->request(mm, caf::infinite, caf::connect_atom::value, e.addr.host, e.addr.port)
      .then([=](caf::node_id& nid, caf::strong_actor_ptr& ptr,
                std::set<std::string>&) { on_connected(self, key, nid, ptr); },
            [=](caf::error& err) { connect_failed(self, key, describe(err)); });
}

caf::result<std::vector<node_info>> on_hello(membership_self* self, node_info& peer) {
  auto& st = self->state;
  log::cluster().debug("cluster: node {} got a hello from {} ({}:{})", st.id(), peer.id, peer.host,
                       peer.port);
  if (st.leaving) return actors::make_actor_error(0, "node " + st.id() + " is leaving the cluster");
  if (peer.id.empty() || !peer.membership) return actors::make_actor_error(0, "invalid hello");
  auto refuse = [&] {
    log::cluster().error("cluster: node {} refused {} ({}:{}): duplicate node id {}", st.id(), peer.id,
                         peer.host, peer.port, peer.id);
    return actors::make_actor_error(0, "duplicate node id " + peer.id);
  };
  if (peer.id == st.id()) return refuse();
  auto known = st.members.find(peer.id);
  if (known != st.members.end()) {
    if (known->second.membership != peer.membership) return refuse();
    return member_list(st);  // both sides dialed at once: already a member
  }
  add_member(self, peer);
  return member_list(st);
}

caf::behavior membership_actor(membership_self* self, membership_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.self_info = node_info{st.cfg.node_id,   st.cfg.self.host, st.cfg.self.port,
                           caf::actor{self}, st.cfg.router,    st.cfg.store};
  if (!st.cfg.self.host.empty() && st.cfg.self.port != 0)
    st.self_key = address_key(st.cfg.self.host, st.cfg.self.port);
  if (st.cfg.retry_interval <= std::chrono::milliseconds{0})
    st.cfg.retry_interval = std::chrono::milliseconds{500};
  for (const auto& seed : st.cfg.seeds) {
    auto key = address_key(seed.host, seed.port);
    if (key == st.self_key || seed.port == 0) continue;
    auto& e = st.addresses[key];
    e.addr = seed;
  }
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& s = self->state;
    for (const auto& [id, info] : s.members) {
      if (info.membership.address() == msg.source) {
        auto id_copy = id;
        remove_member(self, id_copy, address_state::down, describe(msg.reason));
        return;
      }
    }
  });
  publish_view(self, false);
  for (const auto& [key, e] : st.addresses) connect_to(self, key);
  schedule_retry(self);
  return {
      [=](hello_atom, node_info& peer) { return on_hello(self, peer); },
      [=](bye_atom, const std::string& id) {
        auto& s = self->state;
        auto i = s.members.find(id);
        if (i == s.members.end()) return;
        if (self->current_sender() != caf::actor_cast<caf::strong_actor_ptr>(i->second.membership)) {
          log::cluster().debug("cluster: node {} ignores a bye for {} from another actor", s.id(), id);
          return;
        }
        remove_member(self, id, address_state::left, "bye");
      },
      [=](actors::leave_atom) {
        auto& s = self->state;
        if (!s.leaving) {
          s.leaving = true;
          for (const auto& [id, info] : s.members) self->send(info.membership, bye_atom::value, s.id());
          log::cluster().info("cluster: node {} leaving ({} other member(s) told)", s.id(), s.members.size());
        }
        return caf::ok_atom::value;
      },
      [=](retry_atom) {
        auto& s = self->state;
        s.retry_scheduled = false;
        if (s.leaving) return;
        std::vector<std::string> keys;
        for (const auto& [key, e] : s.addresses) {
          if (needs_retry(e)) keys.push_back(key);
        }
        for (const auto& key : keys) connect_to(self, key);
        schedule_retry(self);
      },
  };
}

}  // namespace

caf::actor spawn_membership(caf::actor_system& sys, membership_config config) {
  return sys.spawn(membership_actor, std::move(config));
}

}  // namespace zeal::cluster
