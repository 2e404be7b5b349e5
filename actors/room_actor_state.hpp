#pragma once

// Internal to the room actor (actors/room_actor.cpp, room_storage.cpp, room_handoff.cpp): its state and the
// functions its translation units share. Not for other modules.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_clock.hpp>
#include <caf/node_id.hpp>
#include <caf/response_promise.hpp>
#include <caf/result.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/connection_sink.hpp"
#include "actors/limits.hpp"
#include "actors/messages.hpp"
#include "actors/metrics.hpp"
#include "actors/room_actor.hpp"
#include "actors/room_state.hpp"
#include "actors/store_messages.hpp"

namespace zeal::actors::room_detail {

constexpr const char* load_failed_reason = "room could not be loaded from storage";
constexpr const char* storage_failure_reason = "storage failure";
constexpr const char* moving_reason = "room is moving";
/// How long a replica store may take to answer one write before the room continues without it.
constexpr auto replica_timeout = std::chrono::seconds{2};
/// How long the target node may take to store a handed-off room.
constexpr auto handoff_timeout = std::chrono::seconds{10};

struct room_member {
  caf::actor handle;
  protocol_kind protocol = protocol_kind::y_websocket;
  std::uint64_t conn = 0;  // the connection id on the client's node (logs)
  /// A local y-websocket member's connection (actors/local_sinks.hpp): the room writes its frames there
  /// directly. Null for remote and seed members, which get (push_atom) messages through their actor.
  std::shared_ptr<connection_sink> sink;
};

/// A member as its client names it: connection ids are unique per node only, so the client actor's node
/// is part of the key.
using member_key = std::pair<caf::node_id, std::uint64_t>;

/// A send that waits until the store confirmed the appends sent before it.
struct outbox_item {
  std::uint64_t after = 0;  // appends_sent when it was queued
  std::function<void()> send;
  caf::response_promise promise;  // a pending HTTP update answer (failed if the room fails), if pending()
};

/// One append in flight: done once the local store confirmed it and the replica (if any) answered.
struct append_slot {
  bool local = false;
  bool replica = false;
};

enum class stop_kind : std::uint8_t { none, unload, shutdown };

struct room_actor_state {
  std::string name;  // also the actor's name (CAF reads `name`)
  caf::actor directory;
  room_limits limits;
  std::shared_ptr<server_metrics> metrics;
  std::unique_ptr<room_state> room;
  // By room-local member id (1, 2, ...; ordered: deterministic relays). The member id is also the
  // connection key of room_state (awareness ownership); 0 is the HTTP POST pseudo-connection.
  std::map<std::uint64_t, room_member> members;
  std::map<member_key, std::uint64_t> member_ids;
  std::uint64_t next_member_id = 1;
  // broadcast(): the local sinks of one lane (kept to reuse its storage).
  std::vector<connection_sink*> batch_scratch;
  // Update frames waiting to be relayed as one merged update (relay_queue.cpp): filled while more
  // messages wait in the mailbox, flushed when it is empty, at relay_flush or when full.
  struct queued_relay {
    bytes frame;
    std::size_t update_offset = 0;
  };
  std::vector<queued_relay> relay_queue;
  std::size_t relay_queue_bytes = 0;
  bool relay_flush_sent = false;
  bool unloading = false;
  std::uint64_t idle_generation = 0;
  bool tick_scheduled = false;

  // Persistence (store == null: in memory only).
  caf::actor store;
  std::optional<std::string> load_error;  // the stored data did not load: every join is refused
  std::uint64_t appends_sent = 0;
  std::uint64_t appends_done = 0;
  std::deque<outbox_item> outbox;
  std::uint64_t last_seq = 0;     // the newest confirmed log entry
  std::uint64_t log_entries = 0;  // confirmed log entries not covered by a snapshot
  std::uint64_t log_bytes = 0;
  bool snapshot_in_flight = false;
  bool snapshot_timer = false;
  caf::actor_clock::time_point last_update{};
  stop_kind stopping = stop_kind::none;
  std::deque<append_slot> in_flight;  // appends appends_done+1 .. appends_sent

  // Replication (replica == null: none).
  caf::actor replica;
  caf::actor initial_replica;            // adopted once the stored state is loaded
  std::uint64_t replica_generation = 0;  // answers of a dropped replica do not drop its successor

  // Handoff to another node.
  bool moving = false;
  bool handoff_shipping = false;
  caf::actor handoff_target;
  caf::response_promise handoff_promise;
  /// Member frames received while moving: forwarded to the new room (its document content) once it
  /// confirmed, or handled here again if the handoff fails.
  struct held_frame {
    std::uint64_t member = 0;
    bytes frame;
  };
  std::deque<held_frame> held;
  std::size_t held_bytes = 0;
  /// Set once handed off: frames that were still on their way here are forwarded there until the room
  /// quits (moved_linger later).
  caf::actor moved_to;
  std::chrono::steady_clock::time_point handoff_start{};

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

inline crdt::protocol::awareness_time now_of(room_self* self) {
  return self->clock().now();
}

// room_actor.cpp
void schedule_idle(room_self* self);
/// Handles one frame of member `member` (a member id of `members`).
void member_frame(room_self* self, std::uint64_t member, bytes& frame);

// room_storage.cpp: the outbox (sends that wait for confirmed appends), appends and replication,
// snapshots, loading.
void emit(room_self* self, std::function<void()> send, caf::response_promise promise = {});
/// Sends one frame to a member: to its connection sink if it has one, else through its actor.
void send_to(room_self* self, const caf::actor& client, const std::shared_ptr<connection_sink>& sink,
             bytes frame);
void broadcast(room_self* self, bytes frame, std::optional<std::uint64_t> except = std::nullopt);
bool write_snapshot(room_self* self, const char* why);
void try_finish(room_self* self);
void set_replica(room_self* self, caf::actor replica);
void schedule_snapshot_timer(room_self* self, caf::timespan after);
void store_update(room_self* self, const frame_effects& fx);
void load(room_self* self);

// relay_queue.cpp: the relay of document updates, merged while the room has a backlog.
/// Relays the stored Update frame of `fx` to every member: at once if nothing else waits in the mailbox,
/// else queued to go out merged with the updates that follow.
void relay_update(room_self* self, frame_effects& fx);
/// Relays what is queued (one merged Update frame); a no-op if nothing is. Call before anything that
/// must come after the relays (a handoff).
void flush_relays(room_self* self);

// room_handoff.cpp
void try_handoff(room_self* self);
/// A member frame while the room is moving (kept for the new room) or after it moved (forwarded).
void hold_or_forward(room_self* self, std::uint64_t member, bytes& frame);
caf::result<caf::ok_atom> start_handoff(room_self* self, caf::actor target);

}  // namespace zeal::actors::room_detail
