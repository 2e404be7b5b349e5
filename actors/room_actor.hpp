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
caf::actor spawn_room_actor(caf::actor_system& sys, std::string name, caf::actor directory,
                            room_limits limits, std::shared_ptr<server_metrics> metrics);
caf::actor spawn_room_actor(caf::actor_system& sys, std::string name, caf::actor directory,
                            room_limits limits, std::shared_ptr<server_metrics> metrics, caf::actor store);

}  // namespace zeal::actors
