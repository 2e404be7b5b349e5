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

}  // namespace zeal::actors
