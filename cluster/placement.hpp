#pragma once

// Rendezvous (highest-random-weight) placement of rooms on nodes: every node computes the same ranking from
// the same member ids, with no coordination. Owner = rank 1, replica = rank 2. When a node joins or leaves,
// only the rooms it wins or held move (≈ 1/n of them).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace zeal::cluster {

/// The weight of `node_id` for `room`: a fixed 64-bit hash of both (the same on every platform and build).
std::uint64_t placement_weight(std::string_view node_id, std::string_view room);

/// Indices into `node_ids`, highest weight first (equal weights: smaller id first).
std::vector<std::size_t> rank_nodes(std::string_view room, std::span<const std::string> node_ids);

/// Index of the owner (rank 1); nullopt when `node_ids` is empty.
std::optional<std::size_t> owner_of(std::string_view room, std::span<const std::string> node_ids);

/// Index of the replica (rank 2); nullopt with fewer than two nodes.
std::optional<std::size_t> replica_of(std::string_view room, std::span<const std::string> node_ids);

}  // namespace zeal::cluster
