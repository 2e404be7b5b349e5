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
caf::actor spawn_room_actor(caf::actor_system& sys, std::string name, caf::actor directory,
                            room_limits limits, std::shared_ptr<server_metrics> metrics);

}  // namespace zeal::actors
