#pragma once

// The router of one node: the actor clients and the HTTP bridge ask for rooms. It keeps the cluster view
// (from membership), places each room by rendezvous hashing (cluster/placement.hpp), serves rooms it owns
// through the local directory (actors/directory.hpp, which it spawns and owns) with the replica's store,
// and asks the owner's router for the others (caching and monitoring remote room handles). On a view
// change it hands off the rooms it no longer owns and tells the others their new replica. See
// cluster/messages.hpp for its messages.

#include <chrono>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/limits.hpp"
#include "actors/metrics.hpp"

namespace zeal::cluster {

struct router_config {
  std::string node_id = "standalone";
  actors::room_limits limits;
  std::shared_ptr<actors::server_metrics> metrics;
  caf::actor store;  // null: rooms live in memory only (and nothing is replicated to or from this node)
  /// A room handoff that is not confirmed within this time fails; the room keeps serving here.
  std::chrono::milliseconds handoff_timeout{10000};
};

/// Spawns the router (and its local directory). Until membership sends a view, the node is alone.
caf::actor spawn_router(caf::actor_system& sys, router_config config);

}  // namespace zeal::cluster
