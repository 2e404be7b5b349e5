#pragma once

#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/limits.hpp"
#include "actors/metrics.hpp"

namespace zeal::actors {

/// One actor per loaded room: holds the crdt::doc and the awareness table, answers the sync handshake,
/// applies and relays updates and awareness, enforces max_clients_per_room, and asks `directory` to unload
/// it after room_timeout without members. See messages.hpp for its messages.
///
/// With a `store` (the store actor, actors/store_actor.hpp; null = in memory only) the room first loads its
/// stored snapshot and log (nothing else is handled until then; a record that does not decode makes every
/// join fail with 1011), appends every accepted update to its log and sends nothing that depends on it
/// (relays, SyncStep2 answers, later frames) before the store confirmed the write, and writes a snapshot
/// when idle (limits.snapshot_idle), when the log passes the compaction limits, at unload and shutdown.
///
/// Cluster: with a `replica_store` (another node's store actor) every append also goes there and relays
/// wait for its answer too (2 s; a failure drops the replica until the next (replica_atom, store)); a new
/// replica first gets the full state as a snapshot with covered == persistence::covers_all, and every
/// snapshot the room writes is also sent to it. (handoff_atom, target_router) moves the room to another
/// node (messages.hpp).
struct room_params {
  std::string name;
  caf::actor directory;
  room_limits limits;
  std::shared_ptr<server_metrics> metrics;
  caf::actor store;          // null: in memory only
  caf::actor replica_store;  // null: no replica
};

caf::actor spawn_room_actor(caf::actor_system& sys, room_params params);
caf::actor spawn_room_actor(caf::actor_system& sys, std::string name, caf::actor directory,
                            room_limits limits, std::shared_ptr<server_metrics> metrics);
caf::actor spawn_room_actor(caf::actor_system& sys, std::string name, caf::actor directory,
                            room_limits limits, std::shared_ptr<server_metrics> metrics, caf::actor store);

}  // namespace zeal::actors
