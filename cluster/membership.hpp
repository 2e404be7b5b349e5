#pragma once

// The membership actor of one node: connects to the seeds and to every member it learns of (full mesh,
// through CAF's middleman), says hello, monitors every member's membership actor (down → removed), keeps
// retrying unreachable seeds, and tells the router the live members after every change. It is the actor
// app/ publishes on the cluster port. See cluster/messages.hpp for its messages.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/metrics.hpp"
#include "cluster/seeds.hpp"

namespace zeal::cluster {

struct membership_config {
  std::string node_id;  // unique in the cluster
  /// This node's own cluster address (published port), as peers reach it. Seeds equal to it are skipped,
  /// so every node of a cluster can be given the same seed list.
  cluster_address self;
  std::vector<cluster_address> seeds;
  /// How often unreachable seeds and learned members are tried again.
  std::chrono::milliseconds retry_interval{500};
  caf::actor router;  // told (members_atom, cluster_view)
  caf::actor store;   // advertised to peers (replication target); null: this node stores nothing
  std::shared_ptr<actors::server_metrics> metrics;
};

/// Spawns the membership actor. It sends the router a single-member view at once. Without seeds it stays
/// a single-node cluster until a peer says hello.
caf::actor spawn_membership(caf::actor_system& sys, membership_config config);

}  // namespace zeal::cluster
