#include "cluster/router.hpp"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <vector>

#include <caf/all.hpp>

#include "actors/directory.hpp"
#include "actors/errors.hpp"
#include "actors/messages.hpp"
#include "actors/room_name.hpp"
#include "cluster/log.hpp"
#include "cluster/messages.hpp"
#include "cluster/placement.hpp"
#include "cluster/seeds.hpp"
#include "crdt/lib0/json.hpp"

namespace zeal::cluster {

namespace {

using actors::bytes;
using actors::get_atom;
using actors::handoff_atom;
using actors::json_atom;
using actors::make_actor_error;
using actors::rooms_atom;
using actors::shutdown_atom;
using actors::update_atom;

/// How long a remote lookup (or a forwarded HTTP inspection) may take before the answer is "retry".
constexpr auto lookup_timeout = std::chrono::seconds{5};
/// How often a shutting-down router checks whether the handed-off rooms are gone.
constexpr auto drain_interval = std::chrono::milliseconds{20};
/// GET /cluster lists at most this many rooms.
constexpr std::size_t max_listed_rooms = 1000;

/// Internal: the shutdown drain timer.
using drain_atom = caf::atom_constant<caf::atom("drain")>;

struct router_state {
  router_config cfg;
  caf::actor directory;
  cluster_view view;
  std::vector<std::string> ids;  // the view's member ids, in view order (placement input)
  std::uint64_t generation = 0;  // +1 per view received: lookups answered for an older view are not cached
  std::unordered_map<std::string, caf::actor> cache;  // remote rooms (monitored)
  /// Lookups in flight at other nodes, by request number: answered "retry" at once when their node
  /// leaves the view (a dead node's lookup would otherwise only end at its timeout).
  struct pending_lookup {
    std::string node;
    std::string room;
    caf::response_promise rp;
  };
  std::unordered_map<std::uint64_t, pending_lookup> lookups;
  std::uint64_t next_lookup = 0;
  bool shutting_down = false;
  bool directory_stopping = false;
  caf::actor_clock::time_point drain_deadline;

  const std::string& self_id() const { return cfg.node_id; }

  static inline const char* name = "zeal.router";
};

using router_self = caf::stateful_actor<router_state>;

void set_view(router_state& st, cluster_view view) {
  st.view = std::move(view);
  st.ids.clear();
  st.ids.reserve(st.view.members.size());
  for (const auto& m : st.view.members) st.ids.push_back(m.id);
}

/// The member placing `room` first among the members (without this node when `exclude_self`); null when
/// there is none.
const node_info* owner(const router_state& st, const std::string& room, bool exclude_self = false) {
  if (!exclude_self) {
    auto i = owner_of(room, st.ids);
    return i ? &st.view.members[*i] : nullptr;
  }
  std::vector<std::string> others;
  std::vector<std::size_t> index;
  for (std::size_t i = 0; i < st.ids.size(); ++i) {
    if (st.ids[i] == st.self_id() || !st.view.members[i].router) continue;
    others.push_back(st.ids[i]);
    index.push_back(i);
  }
  auto i = owner_of(room, others);
  return i ? &st.view.members[index[*i]] : nullptr;
}

/// True if this node serves `room` (it owns it in the view, or the view is empty).
bool owned_here(const router_state& st, const std::string& room) {
  const auto* o = owner(st, room);
  return o == nullptr || o->id == st.self_id();
}

/// The store a room served here replicates to: the best-placed member other than this node (rank 2 when
/// this node owns the room); null when there is none or it stores nothing.
caf::actor replica_store(const router_state& st, const std::string& room) {
  for (auto i : rank_nodes(room, st.ids))
    if (st.ids[i] != st.self_id()) return st.view.members[i].store;
  return {};
}

/// Errors from another node: the actors' own errors (close code + reason) pass on; anything else
/// (timeout, node unreachable, unexpected message) becomes the retryable 1012.
caf::error remote_error(const std::string& room, const std::string& node, const caf::error& err) {
  if (actors::is_actor_error(err)) return err;
  return make_actor_error(actors::retry_close_code, "room " + room + ": node " + node + " did not answer (" +
                                                        caf::to_string(err) + ")");
}

caf::error not_owner_error(const router_state& st, const std::string& room) {
  return make_actor_error(actors::retry_close_code, "room " + room + " is not owned by node " + st.self_id());
}

caf::error shutting_down_error(const router_state& st) {
  return make_actor_error(actors::retry_close_code, "node " + st.self_id() + " is shutting down");
}

/// True if the message being handled comes from another node (never forwarded again: views may disagree).
bool from_remote(router_self* self) {
  const auto& sender = self->current_sender();
  return sender && sender->node() != self->node();
}

/// The cluster id of the node the current message comes from (its CAF node id if not a member).
std::string sender_node(router_self* self) {
  const auto& sender = self->current_sender();
  if (!sender) return "-";
  for (const auto& m : self->state.view.members) {
    if ((m.router && m.router.node() == sender->node()) ||
        (m.membership && m.membership.node() == sender->node()))
      return m.id;
  }
  return caf::to_string(sender->node());
}

bool has_other_members(const router_state& st) {
  return std::any_of(st.view.members.begin(), st.view.members.end(),
                     [&](const node_info& m) { return m.id != st.self_id() && m.router; });
}

void drop_cache(router_self* self) {
  for (auto& [name, room] : self->state.cache) self->demonitor(room);
  self->state.cache.clear();
}

void stop_directory(router_self* self) {
  auto& st = self->state;
  if (st.directory_stopping) return;
  st.directory_stopping = true;
  self->send(st.directory, shutdown_atom::value);
}

/// Asks the local directory for its rooms and hands off those owned elsewhere (over the members without
/// this node when `leaving`); the others get their current replica store.
void rebalance(router_self* self, bool leaving) {
  self->request(self->state.directory, caf::infinite, rooms_atom::value)
      .then(
          [self, leaving](std::vector<std::string>& rooms) {
            auto& st = self->state;
            for (auto& room : rooms) {
              const auto* target = owner(st, room, leaving);
              if (target == nullptr || target->id == st.self_id()) {
                if (leaving) continue;
                self->request(st.directory, caf::infinite, get_atom::value, room, replica_store(st, room))
                    .then([](caf::actor&) {}, [](caf::error&) {});
                continue;
              }
              if (!target->router) continue;
              log::cluster().info("conn=- room={} handing off to node {}", room, target->id);
              self->send(st.directory, handoff_atom::value, room, target->router);
            }
          },
          [self](caf::error& err) {
            log::cluster().warn("cluster: node {} cannot list the local rooms: {}", self->state.self_id(),
                                caf::to_string(err));
          });
}

/// (get_atom, room) for a room owned by another node: the cached handle, else a lookup at its router.
void remote_get(router_self* self, caf::response_promise rp, const std::string& room, const node_info& o) {
  auto& st = self->state;
  if (auto it = st.cache.find(room); it != st.cache.end()) {
    rp.deliver(it->second);
    return;
  }
  if (!o.router) {
    rp.deliver(
        make_actor_error(actors::retry_close_code, "room " + room + ": node " + o.id + " has no router"));
    return;
  }
  st.cfg.metrics->cluster_remote_lookups_total.fetch_add(1, std::memory_order_relaxed);
  auto gen = st.generation;
  const auto key = st.next_lookup++;
  st.lookups.emplace(key, router_state::pending_lookup{o.id, room, rp});
  self->request(o.router, lookup_timeout, cluster::lookup_atom::value, room)
      .then(
          [self, room, gen, key, node = o.id](caf::actor& handle) mutable {
            auto& st = self->state;
            auto it = st.lookups.find(key);
            if (it == st.lookups.end()) return;  // answered already: its node left the view
            auto rp = std::move(it->second.rp);
            st.lookups.erase(it);
            if (!handle) {
              rp.deliver(make_actor_error(actors::retry_close_code,
                                          "room " + room + ": node " + node + " answered without a room"));
              return;
            }
            if (gen == st.generation && !st.shutting_down && !st.cache.count(room)) {
              self->monitor(handle);
              st.cache.emplace(room, handle);
            }
            rp.deliver(std::move(handle));
          },
          [self, room, key, node = o.id](caf::error& err) mutable {
            auto& st = self->state;
            auto it = st.lookups.find(key);
            if (it == st.lookups.end()) return;
            auto rp = std::move(it->second.rp);
            st.lookups.erase(it);
            log::cluster().debug("conn=- room={} lookup at node {} failed: {}", room, node,
                                 caf::to_string(err));
            rp.deliver(remote_error(room, node, err));
          });
}

/// Answers "retry" to the lookups in flight at nodes that are no longer members.
void fail_lookups_of_departed(router_self* self) {
  auto& st = self->state;
  for (auto it = st.lookups.begin(); it != st.lookups.end();) {
    if (std::find(st.ids.begin(), st.ids.end(), it->second.node) != st.ids.end()) {
      ++it;
      continue;
    }
    it->second.rp.deliver(
        make_actor_error(actors::retry_close_code,
                         "room " + it->second.room + ": node " + it->second.node + " left the cluster"));
    it = st.lookups.erase(it);
  }
}

/// HTTP inspection (json / update / POST update): the local directory if the room is served here, else
/// the owner's router (which answers from its own directory).
template <class Reply, class... Ts>
caf::response_promise inspect(router_self* self, const std::string& room, Ts... xs) {
  bool remote = from_remote(self);  // before make_response_promise, which takes the sender
  auto rp = self->make_response_promise();
  auto& st = self->state;
  const auto* o = owner(st, room);
  bool local = o == nullptr || o->id == st.self_id() ||
               actors::room_name_error(room, st.cfg.limits.max_room_name_bytes).has_value();
  if (local) {
    rp.delegate(st.directory, std::move(xs)...);
  } else if (remote) {
    rp.deliver(not_owner_error(st, room));
  } else if (!o->router) {
    rp.deliver(
        make_actor_error(actors::retry_close_code, "room " + room + ": node " + o->id + " has no router"));
  } else {
    self->request(o->router, lookup_timeout, std::move(xs)...)
        .then(
            [rp](Reply& reply) mutable { rp.deliver(std::move(reply)); },
            [rp, room, node = o->id](caf::error& err) mutable { rp.deliver(remote_error(room, node, err)); });
  }
  return rp;
}

void append_address(std::string& out, const std::string& host, std::uint16_t port) {
  crdt::lib0::append_json_string(out, port == 0 ? std::string{} : to_string(cluster_address{host, port}));
}

std::string cluster_json(const router_state& st, std::vector<std::string> rooms) {
  std::sort(rooms.begin(), rooms.end());
  std::size_t owned = 0;
  for (const auto& room : rooms)
    if (owned_here(st, room)) ++owned;
  std::string out = "{\"node_id\":";
  crdt::lib0::append_json_string(out, st.self_id());
  out += ",\"epoch\":" + std::to_string(st.view.epoch) + ",\"members\":[";
  bool first = true;
  for (const auto& m : st.view.members) {
    if (!first) out += ',';
    first = false;
    out += "{\"id\":";
    crdt::lib0::append_json_string(out, m.id);
    out += ",\"address\":";
    append_address(out, m.host, m.port);
    out += ",\"state\":\"alive\",\"self\":";
    out += m.id == st.self_id() ? "true}" : "false}";
  }
  out += "],\"peers\":[";
  first = true;
  for (const auto& p : st.view.peers) {
    if (!first) out += ',';
    first = false;
    out += "{\"id\":";
    crdt::lib0::append_json_string(out, p.id);
    out += ",\"address\":";
    crdt::lib0::append_json_string(out, p.address);
    out += ",\"state\":";
    crdt::lib0::append_json_string(out, p.state);
    out += '}';
  }
  out += "],\"rooms_owned\":" + std::to_string(owned) + ",\"rooms\":[";
  for (std::size_t i = 0; i < rooms.size() && i < max_listed_rooms; ++i) {
    if (i > 0) out += ',';
    crdt::lib0::append_json_string(out, rooms[i]);
  }
  out += ']';
  if (rooms.size() > max_listed_rooms) out += ",\"rooms_truncated\":true";
  out += '}';
  return out;
}

caf::behavior router_fun(router_self* self, router_config cfg) {
  auto& st = self->state;
  if (!cfg.metrics) cfg.metrics = std::make_shared<actors::server_metrics>();
  st.cfg = std::move(cfg);
  st.directory = actors::spawn_directory(self->system(), st.cfg.limits, st.cfg.metrics, st.cfg.store);
  self->monitor(st.directory);
  cluster_view alone;
  alone.self = st.cfg.node_id;
  alone.members.push_back(
      node_info{st.cfg.node_id, {}, 0, {}, caf::actor_cast<caf::actor>(self), st.cfg.store});
  set_view(st, std::move(alone));
  // Errors answering a plain send (e.g. a handoff of a room the directory no longer has) must not stop
  // the router (the default error handler quits).
  self->set_error_handler([self](caf::error& err) {
    log::cluster().debug("cluster: node {} ignores an error message: {}", self->state.self_id(),
                         caf::to_string(err));
  });
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    if (dm.source == st.directory.address()) {
      if (!st.directory_stopping)
        log::cluster().error("cluster: node {} local directory stopped: {}", st.self_id(),
                             caf::to_string(dm.reason));
      self->quit(st.directory_stopping ? caf::error{} : dm.reason);
      return;
    }
    for (auto it = st.cache.begin(); it != st.cache.end();) {
      if (it->second.address() == dm.source)
        it = st.cache.erase(it);
      else
        ++it;
    }
  });
  return {
      [self](get_atom, const std::string& room) {
        auto rp = self->make_response_promise();
        auto& st = self->state;
        if (auto why = actors::room_name_error(room, st.cfg.limits.max_room_name_bytes)) {
          rp.deliver(make_actor_error(1008, "invalid room name: " + *why));
        } else if (const auto* o = owner(st, room);
                   o == nullptr || o->id == st.self_id() || st.shutting_down) {
          rp.delegate(st.directory, get_atom::value, room, replica_store(st, room));
        } else {
          remote_get(self, rp, room, *o);
        }
        return rp;
      },
      [self](cluster::lookup_atom, const std::string& room) {
        auto rp = self->make_response_promise();
        auto& st = self->state;
        if (auto why = actors::room_name_error(room, st.cfg.limits.max_room_name_bytes))
          rp.deliver(make_actor_error(1008, "invalid room name: " + *why));
        else if (st.shutting_down)
          rp.deliver(shutting_down_error(st));
        else if (!owned_here(st, room))
          rp.deliver(not_owner_error(st, room));
        else
          rp.delegate(st.directory, get_atom::value, room, replica_store(st, room));
        return rp;
      },
      [self](handoff_atom, const std::string& room, bytes& state) {
        auto from = sender_node(self);  // before make_response_promise, which takes the sender
        auto rp = self->make_response_promise();
        auto& st = self->state;
        if (auto why = actors::room_name_error(room, st.cfg.limits.max_room_name_bytes)) {
          rp.deliver(make_actor_error(1008, "invalid room name: " + *why));
          return rp;
        }
        if (st.shutting_down) {
          rp.deliver(shutting_down_error(st));
          return rp;
        }
        log::cluster().info("conn=- room={} received from node {} ({} bytes)", room, from, state.size());
        auto timeout = st.cfg.handoff_timeout;
        self->request(st.directory, timeout, get_atom::value, room, replica_store(st, room))
            .then(
                [self, rp, timeout, state = std::move(state)](caf::actor& new_room) mutable {
                  self->request(new_room, timeout, update_atom::value, std::move(state))
                      .then(
                          [self, rp, new_room](caf::ok_atom) mutable {
                            self->state.cfg.metrics->cluster_handoffs_in_total.fetch_add(
                                1, std::memory_order_relaxed);
                            rp.deliver(new_room);
                          },
                          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
                },
                [rp, room](caf::error& err) mutable {
                  log::cluster().warn("conn=- room={} cannot take the room over: {}", room,
                                      actors::error_reason(err));
                  rp.deliver(std::move(err));
                });
        return rp;
      },
      [self](cluster::members_atom, cluster_view& view) {
        auto& st = self->state;
        if (view.epoch < st.view.epoch) {
          log::cluster().debug("cluster: node {} ignores the older view {} (have {})", st.self_id(),
                               view.epoch, st.view.epoch);
          return;
        }
        if (view.self != st.self_id())
          log::cluster().warn("cluster: node {} got a view for node {}", st.self_id(), view.self);
        if (std::none_of(view.members.begin(), view.members.end(),
                         [&](const node_info& m) { return m.id == st.self_id(); }))
          log::cluster().warn("cluster: node {} got a view without itself (epoch {})", st.self_id(),
                              view.epoch);
        set_view(st, std::move(view));
        ++st.generation;
        drop_cache(self);
        fail_lookups_of_departed(self);
        log::cluster().debug("cluster: node {} view epoch {}: {} member(s)", st.self_id(), st.view.epoch,
                             st.view.members.size());
        if (st.shutting_down && !has_other_members(st)) {
          stop_directory(self);  // nobody left to hand the rooms to
          return;
        }
        rebalance(self, st.shutting_down);
      },
      [self](shutdown_atom) {
        auto& st = self->state;
        if (st.shutting_down) return;
        st.shutting_down = true;
        drop_cache(self);
        if (!has_other_members(st)) {
          stop_directory(self);
          return;
        }
        log::cluster().info("cluster: node {} hands its rooms off before stopping", st.self_id());
        st.drain_deadline = self->clock().now() + st.cfg.handoff_timeout;
        rebalance(self, true);
        self->delayed_send(self, drain_interval, drain_atom::value);
      },
      [self](drain_atom) {
        auto& st = self->state;
        if (st.directory_stopping) return;
        auto left = st.cfg.metrics->rooms.load(std::memory_order_relaxed);
        if (left <= 0 || self->clock().now() >= st.drain_deadline) {
          if (left > 0)
            log::cluster().warn("cluster: node {} stops with {} room(s) not handed off", st.self_id(), left);
          stop_directory(self);
          return;
        }
        self->delayed_send(self, drain_interval, drain_atom::value);
      },
      [self](cluster::cluster_atom) {
        auto rp = self->make_response_promise();
        self->request(self->state.directory, lookup_timeout, rooms_atom::value)
            .then(
                [self, rp](std::vector<std::string>& rooms) mutable {
                  rp.deliver(cluster_json(self->state, std::move(rooms)));
                },
                [self, rp](caf::error&) mutable { rp.deliver(cluster_json(self->state, {})); });
        return rp;
      },
      [self](json_atom a, const std::string& room) { return inspect<std::string>(self, room, a, room); },
      [self](update_atom a, const std::string& room) { return inspect<bytes>(self, room, a, room); },
      [self](update_atom a, const std::string& room, bytes& update) {
        return inspect<caf::ok_atom>(self, room, a, room, std::move(update));
      },
  };
}

}  // namespace

caf::actor spawn_router(caf::actor_system& sys, router_config config) {
  return sys.spawn(router_fun, std::move(config));
}

}  // namespace zeal::cluster
