#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/connection_sink.hpp"
#include "actors/limits.hpp"
#include "actors/messages.hpp"
#include "actors/metrics.hpp"

namespace zeal::actors {

/// What a client actor is told about its connection when net spawns it.
struct client_params {
  std::uint64_t conn_id = 0;  // unique per process; appears in every log line about the connection
  protocol_kind protocol = protocol_kind::y_websocket;
  std::string room;    // y_websocket: the URL-decoded room name from the path (validated here)
  std::string remote;  // peer address "ip:port", for logs
  caf::actor directory;
  std::shared_ptr<connection_sink> sink;
  std::shared_ptr<server_metrics> metrics;
  room_limits limits;
};

/// One actor per WebSocket connection: joins rooms (from the path, or from the seed protocol's JSON join),
/// forwards the connection's frames to its room and the room's frames to the connection. Quits on
/// (closed_atom) from net; its room sees it leave (leave message, and a monitor).
/// Cluster: when its room moves ((moved_atom, new_room, state_vector) from the room) or goes down, the client
/// re-joins (the new room, or the room resolved again through `directory`, i.e. the router) with the state
/// vector it knew, without closing the connection; the socket's frames are buffered meanwhile. Retryable
/// answers (1012, unloading or unreachable rooms) are retried after 50 ms · attempt (at most 500 ms), up to
/// 40 times, then the connection closes with 1011 "room unavailable".
caf::actor spawn_client_actor(caf::actor_system& sys, client_params params);

}  // namespace zeal::actors
