#include "actors/directory.hpp"

#include <unordered_map>

#include <caf/all.hpp>

#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "actors/messages.hpp"
#include "actors/room_actor.hpp"
#include "actors/room_name.hpp"

namespace zeal::actors {

namespace {

struct directory_state {
  room_limits limits;
  std::shared_ptr<server_metrics> metrics;
  std::unordered_map<std::string, caf::actor> rooms;
  bool shutting_down = false;

  static inline const char* name = "zeal.directory";
};

using directory_self = caf::stateful_actor<directory_state>;

/// Forgets `room` (no longer loaded); true if it was the directory's entry for `name`.
bool forget(directory_self* self, const std::string& name, const caf::actor_addr& room) {
  auto& st = self->state;
  auto it = st.rooms.find(name);
  if (it == st.rooms.end() || it->second.address() != room) return false;
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

caf::result<caf::actor> get_or_spawn(directory_self* self, const std::string& name) {
  auto& st = self->state;
  if (st.shutting_down) return make_actor_error(1001, "server shutting down");
  if (auto it = st.rooms.find(name); it != st.rooms.end()) return it->second;
  if (auto why = room_name_error(name, st.limits.max_room_name_bytes))
    return make_actor_error(1008, "invalid room name: " + *why);
  if (st.rooms.size() >= st.limits.max_rooms) {
    auto reason = "server full (max-rooms " + std::to_string(st.limits.max_rooms) + ")";
    log::directory().warn("conn=- room={} not loaded: {}", name, reason);
    return make_actor_error(1013, std::move(reason));
  }
  auto room =
      spawn_room_actor(self->system(), name, caf::actor_cast<caf::actor>(self), st.limits, st.metrics);
  self->monitor(room);
  st.rooms.emplace(name, room);
  st.metrics->rooms.fetch_add(1, std::memory_order_relaxed);
  st.metrics->rooms_loaded_total.fetch_add(1, std::memory_order_relaxed);
  log::directory().info("conn=- room={} loaded ({} room(s))", name, st.rooms.size());
  return room;
}

/// HTTP inspection: forwards (atom) to the room, or answers "room not found".
template <class Atom>
caf::response_promise inspect_room(directory_self* self, Atom atom, const std::string& name) {
  auto rp = self->make_response_promise();
  auto it = self->state.rooms.find(name);
  if (it == self->state.rooms.end())
    rp.deliver(make_actor_error(0, "room not found"));
  else
    rp.delegate(it->second, atom);
  return rp;
}

caf::behavior directory_fun(directory_self* self, room_limits limits,
                            std::shared_ptr<server_metrics> metrics) {
  self->state.limits = limits;
  self->state.metrics = std::move(metrics);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    for (auto it = st.rooms.begin(); it != st.rooms.end(); ++it) {
      if (it->second.address() == dm.source) {
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
      [self](get_atom, const std::string& name) { return get_or_spawn(self, name); },
      [self](unload_atom, const std::string& name) {
        auto room = caf::actor_cast<caf::actor>(self->current_sender());
        if (!room) return;
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
        for (const auto& [name, room] : st.rooms) self->send(room, shutdown_atom::value);
        quit_if_done(self);
      },
  };
}

}  // namespace

caf::actor spawn_directory(caf::actor_system& sys, room_limits limits,
                           std::shared_ptr<server_metrics> metrics) {
  return sys.spawn(directory_fun, limits, std::move(metrics));
}

}  // namespace zeal::actors
