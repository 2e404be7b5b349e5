#include "actors/directory.hpp"

#include <algorithm>
#include <unordered_map>
#include <vector>

#include <caf/all.hpp>

#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "actors/messages.hpp"
#include "actors/room_actor.hpp"
#include "actors/room_name.hpp"
#include "actors/store_actor.hpp"

namespace zeal::actors {

namespace {

/// A loaded room.
struct room_entry {
  caf::actor room;
  caf::actor replica;   // the replica store it was given (null: none)
  bool moving = false;  // handing off: gets answer 1012 until it is down
};

struct directory_state {
  room_limits limits;
  std::shared_ptr<server_metrics> metrics;
  caf::actor store;  // null: in memory only
  std::unordered_map<std::string, room_entry> rooms;
  bool shutting_down = false;

  static inline const char* name = "zeal.directory";
};

using directory_self = caf::stateful_actor<directory_state>;

/// Forgets `room` (no longer loaded); true if it was the directory's entry for `name`.
bool forget(directory_self* self, const std::string& name, const caf::actor_addr& room) {
  auto& st = self->state;
  auto it = st.rooms.find(name);
  if (it == st.rooms.end() || it->second.room.address() != room) return false;
  st.rooms.erase(it);
  st.metrics->rooms.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

void quit_if_done(directory_self* self) {
  if (self->state.shutting_down && self->state.rooms.empty()) {
    log::directory().info("all rooms stopped");
    self->quit();
  }
}

caf::error moving_error(const std::string& name) {
  return make_actor_error(retry_close_code, "room " + name + " is moving");
}

/// The room `name`, spawned (with `replica`) if not loaded. A loaded room keeps its replica unless
/// `update_replica`, then it gets (replica_atom, replica) if that differs.
caf::expected<caf::actor> get_or_spawn(directory_self* self, const std::string& name,
                                       const caf::actor& replica = {}, bool update_replica = false) {
  auto& st = self->state;
  if (st.shutting_down) return make_actor_error(1001, "server shutting down");
  if (auto it = st.rooms.find(name); it != st.rooms.end()) {
    auto& e = it->second;
    if (e.moving) return moving_error(name);
    if (update_replica && e.replica != replica) {
      log::directory().info("conn=- room={} replica changed", name);
      e.replica = replica;
      self->send(e.room, replica_atom::value, replica);
    }
    return e.room;
  }
  if (auto why = room_name_error(name, st.limits.max_room_name_bytes))
    return make_actor_error(1008, "invalid room name: " + *why);
  if (st.rooms.size() >= st.limits.max_rooms) {
    auto reason = "server full (max-rooms " + std::to_string(st.limits.max_rooms) + ")";
    log::directory().warn("conn=- room={} not loaded: {}", name, reason);
    return make_actor_error(1013, std::move(reason));
  }
  room_params p;
  p.name = name;
  p.directory = caf::actor_cast<caf::actor>(self);
  p.limits = st.limits;
  p.metrics = st.metrics;
  p.store = st.store;
  p.replica_store = replica;
  auto room = spawn_room_actor(self->system(), std::move(p));
  self->monitor(room);
  st.rooms.emplace(name, room_entry{room, replica, false});
  st.metrics->rooms.fetch_add(1, std::memory_order_relaxed);
  st.metrics->rooms_loaded_total.fetch_add(1, std::memory_order_relaxed);
  log::directory().info("conn=- room={} loaded ({} room(s))", name, st.rooms.size());
  return room;
}

/// Delegates (xs...) to the room `name`, loading it first if needed.
template <class... Ts>
void delegate_to_room(directory_self* self, caf::response_promise rp, const std::string& name, Ts... xs) {
  auto room = get_or_spawn(self, name);
  if (!room)
    rp.deliver(room.error());
  else
    rp.delegate(*room, std::move(xs)...);
}

/// HTTP inspection: forwards (atom) to the room. A room that is not loaded is loaded if the store holds
/// something for it; otherwise (or without a store) the answer is "room not found".
template <class Atom>
caf::response_promise inspect_room(directory_self* self, Atom atom, const std::string& name) {
  auto rp = self->make_response_promise();
  auto& st = self->state;
  if (auto it = st.rooms.find(name); it != st.rooms.end()) {
    rp.delegate(it->second.room, atom);
  } else if (!st.store || st.shutting_down || room_name_error(name, st.limits.max_room_name_bytes)) {
    rp.deliver(make_actor_error(0, "room not found"));
  } else {
    self->request(st.store, caf::infinite, persistence::exists_atom::value, name)
        .then(
            [self, rp, atom, name](bool stored) mutable {
              if (!stored && !self->state.rooms.count(name))
                rp.deliver(make_actor_error(0, "room not found"));
              else
                delegate_to_room(self, rp, name, atom);
            },
            [self, rp, atom, name](caf::error&) mutable {
              // The room reports why it does not load (1011) when asked.
              delegate_to_room(self, rp, name, atom);
            });
  }
  return rp;
}

caf::behavior directory_fun(directory_self* self, room_limits limits, std::shared_ptr<server_metrics> metrics,
                            caf::actor store) {
  self->state.limits = limits;
  self->state.metrics = std::move(metrics);
  self->state.store = std::move(store);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    for (auto it = st.rooms.begin(); it != st.rooms.end(); ++it) {
      if (it->second.room.address() == dm.source) {
        if (!st.shutting_down)
          log::directory().warn("conn=- room={} stopped unexpectedly: {}", it->first,
                                caf::to_string(dm.reason));
        forget(self, std::string{it->first}, dm.source);
        break;
      }
    }
    quit_if_done(self);
  });
  return {
      [self](get_atom, const std::string& name) -> caf::result<caf::actor> {
        auto room = get_or_spawn(self, name);
        if (!room) return std::move(room.error());
        return *room;
      },
      [self](get_atom, const std::string& name, const caf::actor& replica) -> caf::result<caf::actor> {
        auto room = get_or_spawn(self, name, replica, true);
        if (!room) return std::move(room.error());
        return *room;
      },
      [self](rooms_atom) {
        std::vector<std::string> out;
        for (const auto& [name, e] : self->state.rooms)
          if (!e.moving) out.push_back(name);
        std::sort(out.begin(), out.end());
        return out;
      },
      [self](handoff_atom a, const std::string& name, const caf::actor& target) {
        auto& st = self->state;
        auto it = st.rooms.find(name);
        if (st.shutting_down || it == st.rooms.end() || it->second.moving || !target) {
          log::directory().debug("conn=- room={} handoff ignored (not loaded, moving or shutting down)",
                                 name);
          return;
        }
        it->second.moving = true;
        auto room = it->second.room;
        log::directory().debug("conn=- room={} handing off to {}", name, caf::to_string(target.node()));
        self->request(room, caf::infinite, a, target)
            .then(
                [self, name, room](caf::ok_atom) {
                  // Handed off: the room only forwards late frames to its new owner until it quits, so it
                  // is forgotten now (a new room of that name may be loaded here meanwhile).
                  self->demonitor(room);
                  if (forget(self, name, room.address()))
                    log::directory().info("conn=- room={} handed off ({} room(s) left)", name,
                                          self->state.rooms.size());
                  quit_if_done(self);
                },
                [self, name, room](caf::error& err) {
                  auto& st = self->state;
                  auto it = st.rooms.find(name);
                  if (it == st.rooms.end() || it->second.room != room) return;
                  log::directory().warn("conn=- room={} handoff failed: {}", name, error_reason(err));
                  it->second.moving = false;  // served again; the router retries at its next view
                });
      },
      [self](update_atom a, const std::string& name, bytes& update) {
        auto rp = self->make_response_promise();
        delegate_to_room(self, rp, name, a, std::move(update));
        return rp;
      },
      [self](unload_atom, const std::string& name) {
        auto room = caf::actor_cast<caf::actor>(self->current_sender());
        if (!room) return;
        if (auto it = self->state.rooms.find(name);
            it != self->state.rooms.end() && it->second.room == room && it->second.moving) {
          log::directory().debug("conn=- room={} unload ignored: the room is moving", name);
          return;
        }
        self->demonitor(room);
        if (forget(self, name, room.address())) {
          self->state.metrics->rooms_unloaded_total.fetch_add(1, std::memory_order_relaxed);
          log::directory().info("conn=- room={} unloaded ({} room(s))", name, self->state.rooms.size());
        }
        self->send(room, unload_atom::value);
        quit_if_done(self);
      },
      [self](json_atom a, const std::string& name) { return inspect_room(self, a, name); },
      [self](update_atom a, const std::string& name) { return inspect_room(self, a, name); },
      [self](shutdown_atom) {
        auto& st = self->state;
        if (st.shutting_down) return;
        st.shutting_down = true;
        log::directory().info("shutting down {} room(s)", st.rooms.size());
        for (const auto& [name, e] : st.rooms) self->send(e.room, shutdown_atom::value);
        quit_if_done(self);
      },
  };
}

}  // namespace

caf::actor spawn_directory(caf::actor_system& sys, room_limits limits,
                           std::shared_ptr<server_metrics> metrics) {
  return spawn_directory(sys, limits, std::move(metrics), caf::actor{});
}

caf::actor spawn_directory(caf::actor_system& sys, room_limits limits,
                           std::shared_ptr<server_metrics> metrics, caf::actor store) {
  return sys.spawn(directory_fun, limits, std::move(metrics), std::move(store));
}

}  // namespace zeal::actors
