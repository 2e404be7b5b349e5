#include "actors/client_actor.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include <caf/all.hpp>

#include "actors/errors.hpp"
#include "actors/local_sinks.hpp"
#include "actors/log.hpp"
#include "actors/messages.hpp"
#include "actors/room_name.hpp"
#include "actors/seed_command.hpp"
#include "crdt/protocol/message.hpp"

namespace zeal::actors {

namespace {

/// The client's own backoff timer (never leaves the actor): (retry_atom, generation).
using retry_atom = caf::atom_constant<caf::atom("retry")>;

/// Re-resolve attempts after retryable answers (1012, unloading rooms, dead or unreachable actors) before
/// the connection is closed with 1011 "room unavailable" (~15 s with the backoff below).
constexpr std::size_t max_join_attempts = 40;
constexpr std::chrono::milliseconds backoff_step{50};
constexpr std::chrono::milliseconds backoff_max{500};

/// Why the client is joining a room it was already in.
enum class rejoin_kind : std::uint8_t {
  none,   // a first join (path or seed join command)
  moved,  // the room was handed off to another node
  down,   // the room (or its node) went away
};

const char* to_string(rejoin_kind k) {
  return k == rejoin_kind::moved ? "moved" : "room down";
}

enum class client_phase : std::uint8_t {
  idle,     // seed: not in a room
  joining,  // resolving the room or waiting for the join answer (frames are buffered)
  joined,   // frames go to `room`
  closed,   // the connection is being closed: everything is dropped
};

struct client_actor_state {
  client_params p;
  client_phase phase = client_phase::idle;
  std::string room_name;         // the room joined or being joined ("-" in logs when none)
  caf::actor room;               // set while joined
  std::uint64_t generation = 0;  // bumps on every join/leave: answers to older joins are stale
  std::size_t retries = 0;       // retryable answers since the last accepted join
  rejoin_kind rejoin = rejoin_kind::none;
  bytes known_sv;             // the room's state vector at the last accepted join (or of the last move)
  std::vector<bytes> buffer;  // frames received while joining, in order (no allocation while empty)
  std::size_t buffer_bytes = 0;

  const char* room_label() const { return room_name.empty() ? "-" : room_name.c_str(); }

  static inline const char* name = "zeal.client";
};

using client_self = caf::stateful_actor<client_actor_state>;

void start_join(client_self* self, std::string room_name);

/// True if the message being handled comes from the room the client is in.
bool from_current_room(client_self* self) {
  const auto& st = self->state;
  return st.room && caf::actor_cast<caf::actor>(self->current_sender()) == st.room;
}

void clear_buffer(client_actor_state& st) {
  st.buffer = {};  // releases the storage: a joined client holds none
  st.buffer_bytes = 0;
}

/// Closes the connection (the actor stays until net reports (closed_atom)).
void close_connection(client_self* self, std::uint16_t code, const std::string& reason) {
  auto& st = self->state;
  st.phase = client_phase::closed;
  if (st.room) self->demonitor(st.room);
  st.room = nullptr;
  clear_buffer(st);
  st.p.sink->close(code, reason);
}

/// A refused join: the y-websocket permission-denied frame or the seed error text, then close.
void reject(client_self* self, std::uint16_t code, const std::string& reason,
            std::optional<reject_reason> metric) {
  auto& st = self->state;
  if (metric) st.p.metrics->reject(*metric);
  log::client().warn("conn={} room={} join rejected: {} ({})", st.p.conn_id, st.room_label(), reason, code);
  if (st.p.protocol == protocol_kind::y_websocket) {
    // Refusals by the room or directory (full, not loadable) tell the y-protocols client why.
    if (code == 1013 || code == 1011)
      st.p.sink->send_binary(crdt::protocol::encode_permission_denied_frame(reason));
  } else {
    st.p.sink->send_text(seed_error_text(reason));
  }
  close_connection(self, code, reason);
}

/// Leaves the current room (or abandons a join in flight); the connection stays open.
void leave_current(client_self* self) {
  auto& st = self->state;
  ++st.generation;
  if (st.phase == client_phase::joined && st.room) {
    self->send(st.room, leave_atom::value, st.p.conn_id);
    self->demonitor(st.room);
    log::client().info("conn={} room={} left", st.p.conn_id, st.room_label());
  }
  st.room = nullptr;
  clear_buffer(st);
  if (st.phase != client_phase::closed) st.phase = client_phase::idle;
  st.room_name.clear();
  st.rejoin = rejoin_kind::none;
  st.known_sv.clear();
  st.retries = 0;
}

/// True for the refusals and failures that may go away by themselves: actor errors with close code 1012
/// (moving room, not the owner in this view) or 0, and every CAF error that is not an actor error (dead
/// or unreachable actor, timeout).
bool retryable(const caf::error& err) {
  if (!is_actor_error(err)) return true;
  auto code = error_close_code(err);
  return code == 0 || code == retry_close_code;
}

/// Resolves the room again after a backoff of 50 ms · attempt (at most 500 ms); a stale room handle
/// (`immediate`: the room answered "I am unloading" or was gone) is resolved again at once the first time,
/// as its directory forgets it right away. After max_join_attempts: close 1011 "room unavailable". Frames
/// stay buffered meanwhile.
void retry_join(client_self* self, const std::string& why, bool immediate = false) {
  auto& st = self->state;
  if (++st.retries > max_join_attempts) {
    log::client().warn("conn={} room={} giving up after {} attempts: {}", st.p.conn_id, st.room_label(),
                       max_join_attempts, why);
    reject(self, 1011, "room unavailable", std::nullopt);
    return;
  }
  st.phase = client_phase::joining;
  auto gen = ++st.generation;
  if (immediate && st.retries == 1) {
    log::client().debug("conn={} room={} re-resolving the room ({})", st.p.conn_id, st.room_label(), why);
    start_join(self, st.room_name);
    return;
  }
  auto delay = std::min(backoff_max, backoff_step * static_cast<int>(st.retries));
  log::client().debug("conn={} room={} re-resolving the room in {} ms (attempt {}: {})", st.p.conn_id,
                      st.room_label(), delay.count(), st.retries, why);
  self->delayed_send(self, delay, retry_atom::value, gen);
}

void joined(client_self* self, caf::actor room, bytes state_vector) {
  auto& st = self->state;
  st.phase = client_phase::joined;
  st.retries = 0;
  st.room = std::move(room);
  st.known_sv = std::move(state_vector);
  self->monitor(st.room);
  if (st.rejoin != rejoin_kind::none) {
    log::client().info("conn={} room={} rejoined ({})", st.p.conn_id, st.room_label(), to_string(st.rejoin));
    log::client().debug("conn={} room={} {} buffered frame(s) forwarded", st.p.conn_id, st.room_label(),
                        st.buffer.size());
    st.p.metrics->cluster_rejoins_total.fetch_add(1, std::memory_order_relaxed);
    st.rejoin = rejoin_kind::none;
  } else {
    log::client().info("conn={} room={} joined ({} buffered frame(s))", st.p.conn_id, st.room_label(),
                       st.buffer.size());
  }
  for (auto& frame : st.buffer) self->send(st.room, frame_atom::value, st.p.conn_id, std::move(frame));
  clear_buffer(st);
}

void on_join_result(client_self* self, const caf::actor& room, std::uint64_t gen, join_result& r) {
  auto& st = self->state;
  if (gen != st.generation) {
    // Superseded (seed leave/switch, or closed) while the join was in flight.
    if (r.accepted) self->send(room, leave_atom::value, st.p.conn_id);
    return;
  }
  if (r.accepted)
    joined(self, room, std::move(r.state_vector));
  else if (r.close_code == 0)
    retry_join(self, "the room is unloading", true);
  else if (r.close_code == retry_close_code)
    retry_join(self, r.reason);
  else
    reject(self, r.close_code, r.reason,
           r.close_code == 1013 ? std::optional{reject_reason::room_full} : std::nullopt);
}

void on_join_error(client_self* self, std::uint64_t gen, const caf::error& err) {
  auto& st = self->state;
  if (gen != st.generation) return;
  auto why = error_reason(err);
  log::client().debug("conn={} room={} join failed: {}", st.p.conn_id, st.room_label(), why);
  if (retryable(err))
    // A room that went away between resolve and join: the directory forgets it at once, so the first
    // re-resolve needs no backoff.
    retry_join(self, why, err == caf::sec::request_receiver_down);
  else
    reject(self, error_close_code(err), why, std::nullopt);
}

/// Sends the join (a re-join with known_sv after a move or a room down) to `room`.
void send_join(client_self* self, caf::actor room, std::uint64_t gen) {
  auto& st = self->state;
  auto on_result = [self, room, gen](join_result& r) { on_join_result(self, room, gen, r); };
  auto on_error = [self, gen](caf::error& err) { on_join_error(self, gen, err); };
  auto protocol = static_cast<std::uint8_t>(st.p.protocol);
  auto me = caf::actor_cast<caf::actor>(self);
  if (st.rejoin != rejoin_kind::none && !st.known_sv.empty())
    self->request(room, caf::infinite, join_atom::value, st.p.conn_id, protocol, me, st.known_sv)
        .then(std::move(on_result), std::move(on_error));
  else
    self->request(room, caf::infinite, join_atom::value, st.p.conn_id, protocol, me)
        .then(std::move(on_result), std::move(on_error));
}

void start_join(client_self* self, std::string room_name) {
  auto& st = self->state;
  st.phase = client_phase::joining;
  st.room_name = std::move(room_name);
  auto gen = ++st.generation;
  self->request(st.p.directory, caf::infinite, get_atom::value, st.room_name)
      .then(
          [self, gen](caf::actor& room) {
            if (gen != self->state.generation) return;
            if (room)
              send_join(self, std::move(room), gen);
            else
              retry_join(self, "no room actor");
          },
          [self, gen](caf::error& err) {
            auto& st = self->state;
            if (gen != st.generation) return;
            if (retryable(err)) {
              retry_join(self, error_reason(err));  // not the owner yet, room moving, node unreachable
              return;
            }
            auto code = error_close_code(err);
            std::optional<reject_reason> metric;
            if (code == 1013) metric = reject_reason::max_rooms;
            if (code == 1008) metric = reject_reason::invalid_room;
            reject(self, code, error_reason(err), metric);
          });
}

void on_inbound_frame(client_self* self, bytes& frame) {
  auto& st = self->state;
  switch (st.phase) {
    case client_phase::joined:
      self->send(st.room, frame_atom::value, st.p.conn_id, std::move(frame));
      break;
    case client_phase::joining:
      st.buffer_bytes += frame.size();
      if (st.buffer_bytes > st.p.limits.max_join_buffer_bytes) {
        auto reason = "too much data before the join completed (over " +
                      std::to_string(st.p.limits.max_join_buffer_bytes) + " bytes)";
        log::client().warn("conn={} room={} {}", st.p.conn_id, st.room_label(), reason);
        st.p.metrics->reject(reject_reason::slow_consumer);
        leave_current(self);
        close_connection(self, 1008, reason);
        return;
      }
      st.buffer.push_back(std::move(frame));
      break;
    case client_phase::idle:
      log::client().debug("conn={} room=- binary frame before a join dropped", st.p.conn_id);
      st.p.sink->send_text(seed_error_text("not in a room"));
      break;
    case client_phase::closed:
      break;
  }
}

void on_text(client_self* self, const std::string& text) {
  auto& st = self->state;
  if (st.phase == client_phase::closed) return;
  if (st.p.protocol == protocol_kind::y_websocket) {
    log::client().warn("conn={} room={} text frame on a y-websocket connection", st.p.conn_id,
                       st.room_label());
    leave_current(self);
    close_connection(self, 1003, "text frames are not supported");
    return;
  }
  auto cmd = parse_seed_command(text);
  switch (cmd.type) {
    case seed_command::kind::invalid:
      log::client().warn("conn={} room={} bad seed command: {}", st.p.conn_id, st.room_label(), cmd.error);
      st.p.sink->send_text(seed_error_text(cmd.error));
      break;
    case seed_command::kind::leave:
      leave_current(self);
      break;
    case seed_command::kind::join:
      if (auto why = room_name_error(cmd.room, st.p.limits.max_room_name_bytes)) {
        log::client().warn("conn={} room={} seed join with an invalid room name: {}", st.p.conn_id,
                           st.room_label(), *why);
        st.p.sink->send_text(seed_error_text("invalid room name: " + *why));
        break;
      }
      leave_current(self);
      st.retries = 0;
      start_join(self, std::move(cmd.room));
      break;
  }
}

caf::behavior client_actor_fun(client_self* self, client_params params) {
  auto& st = self->state;
  st.p = std::move(params);
  // Before any join: the room looks the sink up when it accepts this actor (actors/local_sinks.hpp).
  if (st.p.sink && st.p.protocol == protocol_kind::y_websocket) {
    register_local_sink(self->address(), st.p.sink);
    self->attach_functor([addr = self->address()] { unregister_local_sink(addr); });
  }
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    if (st.phase != client_phase::joined || !st.room || st.room.address() != dm.source) return;
    // The room (or its node) is gone: resolve it again and re-join with what we knew; frames from the
    // socket are buffered meanwhile.
    log::client().warn("conn={} room={} room down ({}): re-joining", st.p.conn_id, st.room_label(),
                       caf::to_string(dm.reason));
    st.room = nullptr;
    st.rejoin = rejoin_kind::down;
    st.retries = 0;
    start_join(self, st.room_name);
  });
  log::client().debug("conn={} room={} connected from {} ({})", st.p.conn_id,
                      st.p.protocol == protocol_kind::y_websocket ? st.p.room.c_str() : "-", st.p.remote,
                      st.p.protocol == protocol_kind::y_websocket ? "y-websocket" : "seed");
  if (st.p.protocol == protocol_kind::y_websocket) {
    if (auto why = room_name_error(st.p.room, st.p.limits.max_room_name_bytes)) {
      auto reason = "invalid room name: " + *why;
      log::client().warn("conn={} room=- {}", st.p.conn_id, reason);
      st.p.metrics->reject(reject_reason::invalid_room);
      close_connection(self, 1008, reason);
    } else {
      start_join(self, st.p.room);
    }
  }
  return {
      [self](frame_atom, bytes& frame) { on_inbound_frame(self, frame); },
      [self](text_atom, const std::string& text) { on_text(self, text); },
      [self](closed_atom) {
        log::client().debug("conn={} room={} connection closed", self->state.p.conn_id,
                            self->state.room_label());
        leave_current(self);
        self->state.phase = client_phase::closed;
        self->quit();
      },
      [self](push_atom, bytes& frame) {
        auto& st = self->state;
        if (st.phase != client_phase::joined || !from_current_room(self)) return;  // stale room
        st.p.sink->send_binary(std::move(frame));
      },
      [self](moved_atom, caf::actor& new_room, bytes& state_vector) {
        auto& st = self->state;
        if (st.phase != client_phase::joined || !from_current_room(self)) return;  // stale room
        log::client().info("conn={} room={} room moved: re-joining", st.p.conn_id, st.room_label());
        self->demonitor(st.room);
        st.room = nullptr;
        st.phase = client_phase::joining;
        st.rejoin = rejoin_kind::moved;
        st.retries = 0;
        st.known_sv = std::move(state_vector);
        auto gen = ++st.generation;
        if (new_room)
          send_join(self, std::move(new_room), gen);
        else
          start_join(self, st.room_name);
      },
      [self](retry_atom, std::uint64_t gen) {
        auto& st = self->state;
        if (gen != st.generation || st.phase != client_phase::joining) return;  // left, switched or closed
        start_join(self, st.room_name);
      },
      [self](close_atom, std::uint16_t code, std::string& reason) {
        auto& st = self->state;
        if (!from_current_room(self)) return;
        if (code == 1002 || code == 1007) st.p.metrics->reject(reject_reason::malformed);
        log::client().warn("conn={} room={} closed by the room: {} {}", st.p.conn_id, st.room_label(), code,
                           reason);
        close_connection(self, code, reason);
      },
  };
}

}  // namespace

caf::actor spawn_client_actor(caf::actor_system& sys, client_params params) {
  return sys.spawn(client_actor_fun, std::move(params));
}

}  // namespace zeal::actors
