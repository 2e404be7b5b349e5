#pragma once

// Every message type exchanged between actors (client, room, directory, HTTP bridge), registered with CAF
// so that any of them can cross nodes (cluster). Register with
// `cfg.add_message_types<caf::id_block::zeal>()`.
//
// Conversation (all sends are asynchronous; nothing here blocks an I/O thread):
//   bridge  → client    (frame_atom, bytes)            a binary WebSocket frame from the socket
//   bridge  → client    (text_atom, std::string)       a text WebSocket frame from the socket
//   bridge  → client    (closed_atom)                  the socket is gone (client actor quits)
//   client  → directory (get_atom, std::string room)   → reply (caf::actor room) or caf::error (reason;
//                                                      see actors/errors.hpp: close code + reason)
//   client  → room      (join_atom, uint64 conn, uint8 protocol, caf::actor client)
//                                                      → reply (join_result)
//   client  → room      (join_atom, uint64 conn, uint8 protocol, caf::actor client, bytes known_sv)
//                                                      a re-join after the room moved or went down →
//                                                      join_result; after the welcome frames the room also
//                                                      sends that client SyncStep2 = diff(doc, known_sv)
//                                                      (known_sv: state vector v1, as encoded by crdt)
//   client  → room      (frame_atom, uint64 conn, bytes)   a y-websocket message for the room
//   client  → room      (leave_atom, uint64 conn)
//   room    → client    (push_atom, bytes)             push to the socket as one binary frame (a different
//                                                      atom than the inbound frame_atom, so that a client
//                                                      can never mistake a room's frame for its socket's)
//   room    → client    (close_atom, uint16 code, std::string reason)  close the socket
//   bridge  → directory (json_atom, std::string room)  → reply std::string (document JSON) or error
//   bridge  → directory (update_atom, std::string room) → reply bytes (full state, v1) or error
//                                                      (error_reason(err) == "room not found" if not loaded
//                                                      and nothing is stored for it)
//   bridge  → directory (update_atom, std::string room, bytes update)  POST: apply like a client's update
//                                                      → reply caf::ok_atom once stored, or error (1007
//                                                      malformed update, 1011 storage, 1013 server full)
//   app     → directory (shutdown_atom)                stop every room, then quit
// Cluster (sent by cluster/; handled by the local directory, rooms and clients):
//   router  → directory (get_atom, std::string room, caf::actor replica_store)
//                                                      get-or-spawn with that replica store (null: none);
//                                                      a loaded room gets (replica_atom, ...) if it changed
//   router  → directory (rooms_atom)                   → std::vector<std::string> loaded room names
//   router  → directory (handoff_atom, std::string room, caf::actor target_router)
//                                                      hand the room off; until it is gone, get/lookups of
//                                                      it answer error 1012 (retry)
//   directory → room    (replica_atom, caf::actor replica_store)   the replica changed (null: none); the
//                                                      room ships its full state to the new replica store
//   directory → room    (handoff_atom, caf::actor target_router)   stop accepting, finish appends, ship
//                                                      state, move the members, quit
//   room    → target router (handoff_atom, std::string room, bytes state)  → reply caf::actor (the new room,
//                                                      after the state is stored there) or error
//   room    → client    (moved_atom, caf::actor new_room, bytes state_vector)  re-join new_room with
//                                                      known_sv = state_vector (no disconnect)
// Internal (directory ↔ room, timers):
//   directory → room    (json_atom) → std::string; (update_atom) → bytes   (HTTP, delegated)
//   directory → room    (update_atom, bytes) → caf::ok_atom                 (HTTP POST, delegated)
//   directory → room    (shutdown_atom)                quit now
//   room    → directory (unload_atom, std::string name)  empty for room_timeout: please unload me
//   directory → room    (unload_atom)                  you are removed from the directory: quit
//   room    → room      (idle_atom, uint64 generation) the room_timeout timer
//   room    → room      (tick_atom)                    expire outdated awareness states

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/type_id.hpp>

namespace zeal::actors {

/// Binary payloads between actors.
using bytes = std::vector<std::uint8_t>;

/// The wire protocol spoken on a connection (chosen by net from the URL).
enum class protocol_kind : std::uint8_t {
  y_websocket = 0,  // ws://host/<room>: room from the path, binary y-websocket frames
  seed = 1,         // ws://host/ws: JSON text frames {"action":"join"|"leave"} + binary frames + custom 4
};

/// The room's answer to a join.
/// Retryable refusals carry close_code 0 (the room is unloading) or 1012 (the room is moving between nodes,
/// or this node is not its owner in the current view): the client resolves the room again after a backoff.
struct join_result {
  bool accepted = false;
  std::uint16_t close_code = 0;  // when rejected: the WebSocket close code to use (1013 = room full)
  std::string reason;            // when rejected: human-readable reason
  /// When accepted: the room's state vector (v1) at the join. The client keeps it as known_sv for a later
  /// re-join (the room then sends it what it missed since).
  std::vector<std::uint8_t> state_vector;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, join_result& x) {
  return f(caf::meta::type_name("zeal.join_result"), x.accepted, x.close_code, x.reason, x.state_vector);
}

/// Close code of retryable cluster errors (WebSocket 1012 "service restart"): never sent to a socket by
/// the client actor while retries remain.
inline constexpr std::uint16_t retry_close_code = 1012;

}  // namespace zeal::actors

CAF_BEGIN_TYPE_ID_BLOCK(zeal, caf::first_custom_type_id)
CAF_ADD_TYPE_ID(zeal, (std::vector<std::uint8_t>))
CAF_ADD_TYPE_ID(zeal, (zeal::actors::join_result))
CAF_ADD_TYPE_ID(zeal, (std::vector<std::string>))
CAF_END_TYPE_ID_BLOCK(zeal)

namespace zeal::actors {

using frame_atom = caf::atom_constant<caf::atom("frame")>;
using text_atom = caf::atom_constant<caf::atom("text")>;
using closed_atom = caf::atom_constant<caf::atom("closed")>;
using close_atom = caf::atom_constant<caf::atom("close")>;
using join_atom = caf::atom_constant<caf::atom("join")>;
using leave_atom = caf::atom_constant<caf::atom("leave")>;
using json_atom = caf::atom_constant<caf::atom("json")>;
using update_atom = caf::atom_constant<caf::atom("update")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
// Timers and bookkeeping (sent by actors to themselves or to the directory).
using idle_atom = caf::atom_constant<caf::atom("idle")>;
using unload_atom = caf::atom_constant<caf::atom("unload")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using relay_flush_atom = caf::atom_constant<caf::atom("rflush")>;
// Room → client: one binary frame to push to the socket.
using push_atom = caf::atom_constant<caf::atom("push")>;
// The directory's get-or-spawn request (the same atom as caf::get_atom).
using get_atom = caf::atom_constant<caf::atom("get")>;
// Cluster: rooms moving between nodes, replication targets, the local directory's room list.
using moved_atom = caf::atom_constant<caf::atom("moved")>;
using handoff_atom = caf::atom_constant<caf::atom("handoff")>;
using replica_atom = caf::atom_constant<caf::atom("replica")>;
using rooms_atom = caf::atom_constant<caf::atom("rooms")>;

}  // namespace zeal::actors
