#include "actors/room_actor.hpp"

#include <caf/all.hpp>

#include "actors/errors.hpp"
#include "actors/local_sinks.hpp"
#include "actors/log.hpp"
#include "actors/messages.hpp"
#include "actors/room_actor_state.hpp"
#include "actors/room_state.hpp"
#include "actors/store_actor.hpp"
#include "crdt/protocol/message.hpp"

namespace zeal::actors {

namespace room_detail {

/// Starts (or restarts) the room_timeout timer; only the newest timer counts.
void schedule_idle(room_self* self) {
  auto& st = self->state;
  auto gen = ++st.idle_generation;
  self->delayed_send(self, st.limits.room_timeout, idle_atom::value, gen);
}

}  // namespace room_detail

namespace {

using namespace room_detail;

/// Keeps the awareness expiry tick running while there are members and awareness entries.
void ensure_tick(room_self* self) {
  auto& st = self->state;
  if (st.tick_scheduled || st.members.empty() || st.room->awareness().entry_count() == 0) return;
  st.tick_scheduled = true;
  self->delayed_send(self, st.limits.awareness_check_interval, tick_atom::value);
}

/// The member id of connection `conn` of the client node that sent the current message, if a member.
std::optional<std::uint64_t> member_of(room_self* self, std::uint64_t conn) {
  const auto& sender = self->current_sender();
  auto it = self->state.member_ids.find(member_key{sender ? sender->node() : self->node(), conn});
  if (it == self->state.member_ids.end()) return std::nullopt;
  return it->second;
}

void remove_member(room_self* self, std::uint64_t id, const char* why) {
  auto& st = self->state;
  auto it = st.members.find(id);
  if (it == st.members.end()) return;
  const auto conn = it->second.conn;
  self->demonitor(it->second.handle);
  st.member_ids.erase(member_key{it->second.handle.node(), conn});
  st.members.erase(it);
  st.metrics->room_clients.fetch_sub(1, std::memory_order_relaxed);
  log::room().info("conn={} room={} left ({}), {} member(s)", conn, st.name, why, st.members.size());
  if (auto removal = st.room->remove_connection(id, now_of(self))) broadcast(self, std::move(*removal));
  if (st.members.empty()) schedule_idle(self);
}

/// Carries out what room_state decided for a frame: store, then replies and relays (in that order).
void carry_out(room_self* self, frame_effects& fx, std::optional<std::uint64_t> sender,
               const caf::actor& client, const std::shared_ptr<connection_sink>& sink) {
  auto& st = self->state;
  if (fx.applied) {
    st.metrics->observe_apply(fx.apply_time);
    st.metrics->updates_applied.fetch_add(1, std::memory_order_relaxed);
  }
  if (fx.store) store_update(self, fx);
  if (client)
    for (auto& reply : fx.replies) send_to(self, client, sink, std::move(reply));
  switch (fx.relay) {
    case frame_effects::relay_kind::none:
      break;
    case frame_effects::relay_kind::all:
      if (fx.store)
        relay_update(self, fx);  // a document update: merged with the ones queued behind it
      else
        broadcast(self, std::move(fx.relay_frame));
      break;
    case frame_effects::relay_kind::others:
      broadcast(self, std::move(fx.relay_frame), sender);
      break;
  }
}

void handle_frame(room_self* self, std::uint64_t conn, bytes& frame) {
  auto& st = self->state;
  if (st.moved_to) {
    hold_or_forward(self, 0, frame);  // a frame still on its way when the room moved
    return;
  }
  auto id = member_of(self, conn);
  if (!id) {
    log::room().debug("conn={} room={} frame from a non-member dropped", conn, st.name);
    return;
  }
  if (st.moving) {
    hold_or_forward(self, *id, frame);
    return;
  }
  member_frame(self, *id, frame);
}

/// POST /rooms/<room>/update: applied like a member's update; answered once it is stored.
caf::result<caf::ok_atom> handle_posted_update(room_self* self, const bytes& update) {
  auto& st = self->state;
  if (st.load_error) return make_actor_error(1011, load_failed_reason);
  if (st.moving) return make_actor_error(retry_close_code, moving_reason);
  auto fx = st.room->handle_frame(0, crdt::protocol::encode_update_frame(update), now_of(self));
  if (fx.close_code != 0) return make_actor_error(1007, std::move(fx.close_reason));
  log::room().info("conn=- room={} update of {} bytes posted over HTTP{}", st.name, update.size(),
                   fx.store ? "" : " (nothing new)");
  carry_out(self, fx, std::nullopt, caf::actor{}, nullptr);
  auto rp = self->make_response_promise();
  emit(
      self, [rp]() mutable { rp.deliver(caf::ok_atom::value); }, rp);
  return rp;
}

caf::result<join_result> handle_join(room_self* self, std::uint64_t conn, std::uint8_t protocol,
                                     const caf::actor& client, const bytes* known_sv = nullptr) {
  auto& st = self->state;
  if (st.load_error) {
    log::room().warn("conn={} room={} join refused: {}", conn, st.name, load_failed_reason);
    return join_result{false, 1011, load_failed_reason, {}};
  }
  if (st.moving) {
    log::room().debug("conn={} room={} join while moving: retry", conn, st.name);
    return join_result{false, retry_close_code, moving_reason, {}};
  }
  if (st.unloading || st.stopping != stop_kind::none) {
    log::room().debug("conn={} room={} join while unloading: retry", conn, st.name);
    return join_result{false, 0, "retry", {}};
  }
  if (!client) return join_result{false, 1011, "no client actor", {}};
  const member_key key{client.node(), conn};
  auto known = st.member_ids.find(key);
  auto existing = known != st.member_ids.end() ? st.members.find(known->second) : st.members.end();
  if (existing == st.members.end() && st.members.size() >= st.limits.max_clients_per_room) {
    auto reason = "room full (max-clients-per-room " + std::to_string(st.limits.max_clients_per_room) + ")";
    log::room().warn("conn={} room={} join rejected: {}", conn, st.name, reason);
    return join_result{false, 1013, std::move(reason), {}};
  }
  // A local y-websocket connection gets its frames straight from the room (no hop through its actor).
  auto sink =
      static_cast<protocol_kind>(protocol) == protocol_kind::y_websocket && client.node() == self->node()
          ? find_local_sink(client.address())
          : nullptr;
  if (existing != st.members.end()) {
    self->demonitor(existing->second.handle);
    existing->second.handle = client;
    existing->second.sink = sink;
  } else {
    const auto id = st.next_member_id++;
    st.members.emplace(id, room_member{client, static_cast<protocol_kind>(protocol), conn, sink});
    st.member_ids[key] = id;
    st.metrics->room_clients.fetch_add(1, std::memory_order_relaxed);
  }
  self->monitor(client);
  ++st.idle_generation;  // cancels a pending idle timer
  log::room().info("conn={} room={} joined, {} member(s)", conn, st.name, st.members.size());
  // The answer first, then the welcome frames: the client sees it is a member before any frame.
  auto rp = self->make_response_promise();
  rp.deliver(join_result{true, 0, {}, st.room->doc().state_vector().encode()});
  for (auto& frame : st.room->welcome_frames()) send_to(self, client, sink, std::move(frame));
  if (known_sv) {
    // A re-join: what the client missed since known_sv (everything if it does not decode).
    auto diff = st.room->doc().encode_state_as_update(*known_sv, crdt::update_format::v1);
    if (!diff)
      log::room().debug("conn={} room={} re-join state vector does not decode: {}", conn, st.name,
                        diff.err().to_string());
    send_to(self, client, sink,
            crdt::protocol::encode_sync_step2_frame(diff ? diff.value()
                                                         : st.room->doc().encode_state_as_update()));
  }
  ensure_tick(self);
  return rp;
}

caf::behavior room_actor_fun(room_self* self, room_params params) {
  auto& st = self->state;
  st.name = std::move(params.name);
  st.directory = std::move(params.directory);
  st.limits = params.limits;
  st.metrics = std::move(params.metrics);
  st.store = std::move(params.store);
  st.initial_replica = std::move(params.replica_store);
  st.room = std::make_unique<room_state>(st.limits);
  log::room().debug("conn=- room={} started", st.name);
  self->set_down_handler([self](caf::down_msg& dm) {
    for (const auto& [member, m] : self->state.members) {
      if (m.handle.address() == dm.source) {
        auto id = member;  // remove_member invalidates the reference
        remove_member(self, id, "connection actor down");
        return;
      }
    }
  });
  if (st.store)
    load(self);
  else
    set_replica(self, std::move(st.initial_replica));
  schedule_idle(self);  // nobody may ever join (the client died while resolving)
  return {
      [self](join_atom, std::uint64_t conn, std::uint8_t protocol, const caf::actor& client) {
        return handle_join(self, conn, protocol, client);
      },
      [self](join_atom, std::uint64_t conn, std::uint8_t protocol, const caf::actor& client,
             const bytes& known_sv) { return handle_join(self, conn, protocol, client, &known_sv); },
      [self](replica_atom, caf::actor& replica) { set_replica(self, std::move(replica)); },
      [self](moved_atom) {
        if (self->state.moved_to) self->quit();  // the linger after a handoff is over
      },
      [self](handoff_atom, caf::actor& target) { return start_handoff(self, std::move(target)); },
      [self](frame_atom, std::uint64_t conn, bytes& frame) { handle_frame(self, conn, frame); },
      [self](leave_atom, std::uint64_t conn) {
        if (auto id = member_of(self, conn)) remove_member(self, *id, "leave");
      },
      [self](json_atom) -> caf::result<std::string> {
        if (self->state.load_error) return make_actor_error(1011, load_failed_reason);
        return self->state.room->doc().to_json();
      },
      [self](update_atom) -> caf::result<bytes> {
        if (self->state.load_error) return make_actor_error(1011, load_failed_reason);
        return self->state.room->doc().encode_state_as_update();
      },
      [self](update_atom, const bytes& update) { return handle_posted_update(self, update); },
      [self](idle_atom, std::uint64_t gen) {
        auto& st = self->state;
        if (gen != st.idle_generation || !st.members.empty() || st.unloading || st.moving) return;
        st.unloading = true;
        log::room().info("conn=- room={} empty for {} ms, unloading", st.name,
                         st.limits.room_timeout.count());
        if (st.directory)
          self->send(st.directory, unload_atom::value, st.name);
        else
          self->quit();
      },
      [self](persistence::snapshot_atom) {
        auto& st = self->state;
        st.snapshot_timer = false;
        auto quiet = self->clock().now() - st.last_update;
        if (quiet < st.limits.snapshot_idle) {
          schedule_snapshot_timer(self, st.limits.snapshot_idle - quiet);
        } else if (st.appends_done != st.appends_sent) {
          schedule_snapshot_timer(self, st.limits.snapshot_idle);  // wait for the confirmations
        } else if (!write_snapshot(self, "idle") && st.log_entries > 0) {
          schedule_snapshot_timer(self, st.limits.snapshot_idle);  // one is in flight: check again later
        }
      },
      [self](relay_flush_atom) {
        self->state.relay_flush_sent = false;
        flush_relays(self);
      },
      [self](tick_atom) {
        auto& st = self->state;
        st.tick_scheduled = false;
        if (auto removal = st.room->expire_awareness(now_of(self))) {
          log::room().debug("conn=- room={} expired outdated awareness states", st.name);
          broadcast(self, std::move(*removal));
        }
        ensure_tick(self);
      },
      [self](unload_atom) {
        auto& st = self->state;
        log::room().debug("conn=- room={} unloaded", st.name);
        st.unloading = true;
        st.stopping = stop_kind::unload;
        try_finish(self);
      },
      [self](shutdown_atom) {
        auto& st = self->state;
        log::room().debug("conn=- room={} stopping", st.name);
        st.stopping = stop_kind::shutdown;
        try_finish(self);
      },
  };
}

}  // namespace

void room_detail::member_frame(room_self* self, std::uint64_t member, bytes& frame) {
  auto& st = self->state;
  auto it = st.members.find(member);
  if (it == st.members.end()) return;
  const auto conn = it->second.conn;
  auto client = it->second.handle;
  auto sink = it->second.sink;
  auto fx = st.room->handle_frame(member, std::move(frame), now_of(self));
  if (fx.close_code != 0) {
    log::room().warn("conn={} room={} closing {}: {}", conn, st.name, fx.close_code, fx.close_reason);
    self->send(client, close_atom::value, fx.close_code, std::move(fx.close_reason));
    remove_member(self, member, "malformed input");
    return;
  }
  if (fx.auth) log::room().info("conn={} room={} auth message ignored", conn, st.name);
  carry_out(self, fx, member, client, sink);
  ensure_tick(self);
}

caf::actor spawn_room_actor(caf::actor_system& sys, std::string name, caf::actor directory,
                            room_limits limits, std::shared_ptr<server_metrics> metrics) {
  return spawn_room_actor(sys, std::move(name), std::move(directory), limits, std::move(metrics),
                          caf::actor{});
}

caf::actor spawn_room_actor(caf::actor_system& sys, std::string name, caf::actor directory,
                            room_limits limits, std::shared_ptr<server_metrics> metrics, caf::actor store) {
  room_params p;
  p.name = std::move(name);
  p.directory = std::move(directory);
  p.limits = limits;
  p.metrics = std::move(metrics);
  p.store = std::move(store);
  return spawn_room_actor(sys, std::move(p));
}

caf::actor spawn_room_actor(caf::actor_system& sys, room_params params) {
  return sys.spawn(room_actor_fun, std::move(params));
}

}  // namespace zeal::actors
