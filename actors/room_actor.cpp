#include "actors/room_actor.hpp"

#include <map>

#include <caf/all.hpp>

#include "actors/log.hpp"
#include "actors/messages.hpp"
#include "actors/room_state.hpp"

namespace zeal::actors {

namespace {

struct room_member {
  caf::actor handle;
  protocol_kind protocol = protocol_kind::y_websocket;
};

struct room_actor_state {
  std::string name;  // also the actor's name (CAF reads `name`)
  caf::actor directory;
  room_limits limits;
  std::shared_ptr<server_metrics> metrics;
  std::unique_ptr<room_state> room;
  std::map<std::uint64_t, room_member> members;  // by connection id (ordered: deterministic relays)
  bool unloading = false;
  std::uint64_t idle_generation = 0;
  bool tick_scheduled = false;

  room_actor_state() = default;
  room_actor_state(const room_actor_state&) = delete;
  room_actor_state& operator=(const room_actor_state&) = delete;
  ~room_actor_state() {
    // The actor terminated (shutdown) with members left: they are no longer in any room.
    if (metrics && !members.empty())
      metrics->room_clients.fetch_sub(static_cast<std::int64_t>(members.size()), std::memory_order_relaxed);
  }
};

using room_self = caf::stateful_actor<room_actor_state>;

crdt::protocol::awareness_time now_of(room_self* self) {
  return self->clock().now();
}

/// Starts (or restarts) the room_timeout timer; only the newest timer counts.
void schedule_idle(room_self* self) {
  auto& st = self->state;
  auto gen = ++st.idle_generation;
  self->delayed_send(self, st.limits.room_timeout, idle_atom::value, gen);
}

/// Keeps the awareness expiry tick running while there are members and awareness entries.
void ensure_tick(room_self* self) {
  auto& st = self->state;
  if (st.tick_scheduled || st.members.empty() || st.room->awareness().entry_count() == 0) return;
  st.tick_scheduled = true;
  self->delayed_send(self, st.limits.awareness_check_interval, tick_atom::value);
}

void broadcast(room_self* self, const caf::message& msg, std::optional<std::uint64_t> except = std::nullopt) {
  for (const auto& [conn, m] : self->state.members)
    if (!except || conn != *except) self->send(m.handle, msg);
}

void remove_member(room_self* self, std::uint64_t conn, const char* why) {
  auto& st = self->state;
  auto it = st.members.find(conn);
  if (it == st.members.end()) return;
  self->demonitor(it->second.handle);
  st.members.erase(it);
  st.metrics->room_clients.fetch_sub(1, std::memory_order_relaxed);
  log::room().info("conn={} room={} left ({}), {} member(s)", conn, st.name, why, st.members.size());
  if (auto removal = st.room->remove_connection(conn, now_of(self)))
    broadcast(self, caf::make_message(push_atom::value, std::move(*removal)));
  if (st.members.empty()) schedule_idle(self);
}

void handle_frame(room_self* self, std::uint64_t conn, bytes& frame) {
  auto& st = self->state;
  auto it = st.members.find(conn);
  if (it == st.members.end()) {
    log::room().debug("conn={} room={} frame from a non-member dropped", conn, st.name);
    return;
  }
  auto client = it->second.handle;
  auto fx = st.room->handle_frame(conn, std::move(frame), now_of(self));
  if (fx.close_code != 0) {
    log::room().warn("conn={} room={} closing {}: {}", conn, st.name, fx.close_code, fx.close_reason);
    self->send(client, close_atom::value, fx.close_code, std::move(fx.close_reason));
    remove_member(self, conn, "malformed input");
    return;
  }
  if (fx.applied) {
    st.metrics->observe_apply(fx.apply_time);
    st.metrics->updates_applied.fetch_add(1, std::memory_order_relaxed);
  }
  if (fx.auth) log::room().info("conn={} room={} auth message ignored", conn, st.name);
  for (auto& reply : fx.replies) self->send(client, push_atom::value, std::move(reply));
  switch (fx.relay) {
    case frame_effects::relay_kind::none:
      break;
    case frame_effects::relay_kind::all:
      // One message for every member: local receivers share its buffer.
      broadcast(self, caf::make_message(push_atom::value, std::move(fx.relay_frame)));
      break;
    case frame_effects::relay_kind::others:
      broadcast(self, caf::make_message(push_atom::value, std::move(fx.relay_frame)), conn);
      break;
  }
  ensure_tick(self);
}

caf::result<join_result> handle_join(room_self* self, std::uint64_t conn, std::uint8_t protocol,
                                     const caf::actor& client) {
  auto& st = self->state;
  if (st.unloading) {
    log::room().debug("conn={} room={} join while unloading: retry", conn, st.name);
    return join_result{false, 0, "retry"};
  }
  if (!client) return join_result{false, 1011, "no client actor"};
  auto existing = st.members.find(conn);
  if (existing == st.members.end() && st.members.size() >= st.limits.max_clients_per_room) {
    auto reason = "room full (max-clients-per-room " + std::to_string(st.limits.max_clients_per_room) + ")";
    log::room().warn("conn={} room={} join rejected: {}", conn, st.name, reason);
    return join_result{false, 1013, std::move(reason)};
  }
  if (existing != st.members.end()) {
    self->demonitor(existing->second.handle);
    existing->second.handle = client;
  } else {
    st.members.emplace(conn, room_member{client, static_cast<protocol_kind>(protocol)});
    st.metrics->room_clients.fetch_add(1, std::memory_order_relaxed);
  }
  self->monitor(client);
  ++st.idle_generation;  // cancels a pending idle timer
  log::room().info("conn={} room={} joined, {} member(s)", conn, st.name, st.members.size());
  // The answer first, then the welcome frames: the client sees it is a member before any frame.
  auto rp = self->make_response_promise();
  rp.deliver(join_result{true, 0, {}});
  for (auto& frame : st.room->welcome_frames()) self->send(client, push_atom::value, std::move(frame));
  ensure_tick(self);
  return rp;
}

caf::behavior room_actor_fun(room_self* self, std::string name, caf::actor directory, room_limits limits,
                             std::shared_ptr<server_metrics> metrics) {
  auto& st = self->state;
  st.name = std::move(name);
  st.directory = std::move(directory);
  st.limits = limits;
  st.metrics = std::move(metrics);
  st.room = std::make_unique<room_state>(st.limits);
  log::room().debug("conn=- room={} loaded", st.name);
  self->set_down_handler([self](caf::down_msg& dm) {
    for (const auto& [conn, m] : self->state.members) {
      if (m.handle.address() == dm.source) {
        auto id = conn;  // remove_member invalidates the reference
        remove_member(self, id, "connection actor down");
        return;
      }
    }
  });
  schedule_idle(self);  // nobody may ever join (the client died while resolving)
  return {
      [self](join_atom, std::uint64_t conn, std::uint8_t protocol, const caf::actor& client) {
        return handle_join(self, conn, protocol, client);
      },
      [self](frame_atom, std::uint64_t conn, bytes& frame) { handle_frame(self, conn, frame); },
      [self](leave_atom, std::uint64_t conn) { remove_member(self, conn, "leave"); },
      [self](json_atom) -> std::string { return self->state.room->doc().to_json(); },
      [self](update_atom) -> bytes { return self->state.room->doc().encode_state_as_update(); },
      [self](idle_atom, std::uint64_t gen) {
        auto& st = self->state;
        if (gen != st.idle_generation || !st.members.empty() || st.unloading) return;
        st.unloading = true;
        log::room().info("conn=- room={} empty for {} ms, unloading", st.name,
                         st.limits.room_timeout.count());
        if (st.directory)
          self->send(st.directory, unload_atom::value, st.name);
        else
          self->quit();
      },
      [self](tick_atom) {
        auto& st = self->state;
        st.tick_scheduled = false;
        if (auto removal = st.room->expire_awareness(now_of(self))) {
          log::room().debug("conn=- room={} expired outdated awareness states", st.name);
          broadcast(self, caf::make_message(push_atom::value, std::move(*removal)));
        }
        ensure_tick(self);
      },
      [self](unload_atom) {
        log::room().debug("conn=- room={} unloaded", self->state.name);
        self->quit();
      },
      [self](shutdown_atom) {
        log::room().debug("conn=- room={} stopping", self->state.name);
        self->quit(caf::exit_reason::user_shutdown);
      },
  };
}

}  // namespace

caf::actor spawn_room_actor(caf::actor_system& sys, std::string name, caf::actor directory,
                            room_limits limits, std::shared_ptr<server_metrics> metrics) {
  return sys.spawn(room_actor_fun, std::move(name), std::move(directory), limits, std::move(metrics));
}

}  // namespace zeal::actors
