#pragma once

#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/limits.hpp"
#include "actors/metrics.hpp"

namespace zeal::actors {

/// The node's room directory: get-or-spawn of room actors by name (max_rooms enforced), unload of idle
/// rooms, HTTP inspection (json_atom / update_atom, forwarded to the room), shutdown. See messages.hpp.
caf::actor spawn_directory(caf::actor_system& sys, room_limits limits,
                           std::shared_ptr<server_metrics> metrics);

/// With a store actor (actors/store_actor.hpp): rooms load from and write to it, and the HTTP lookups of
/// a room that is not loaded load it if the store holds anything for it.
caf::actor spawn_directory(caf::actor_system& sys, room_limits limits,
                           std::shared_ptr<server_metrics> metrics, caf::actor store);

}  // namespace zeal::actors
