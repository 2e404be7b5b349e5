#include "cluster/placement.hpp"

#include <algorithm>
#include <numeric>

namespace zeal::cluster {

namespace {

constexpr std::uint64_t fnv_offset = 14695981039346656037ull;
constexpr std::uint64_t fnv_prime = 1099511628211ull;

std::uint64_t fnv1a(std::uint64_t h, std::string_view bytes) {
  for (char c : bytes) {
    h ^= static_cast<std::uint8_t>(c);
    h *= fnv_prime;
  }
  return h;
}

/// The splitmix64 finalizer (its output mix, without the increment): spreads FNV's weak low bits.
std::uint64_t splitmix64_mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

std::uint64_t placement_weight(std::string_view node_id, std::string_view room) {
  std::uint64_t h = fnv1a(fnv_offset, node_id);
  h ^= 0x00;  // the separator byte
  h *= fnv_prime;
  h = fnv1a(h, room);
  return splitmix64_mix(h);
}

std::vector<std::size_t> rank_nodes(std::string_view room, std::span<const std::string> node_ids) {
  std::vector<std::uint64_t> weights;
  weights.reserve(node_ids.size());
  for (const auto& id : node_ids) weights.push_back(placement_weight(id, room));
  std::vector<std::size_t> order(node_ids.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (weights[a] != weights[b]) return weights[a] > weights[b];
    if (node_ids[a] != node_ids[b]) return node_ids[a] < node_ids[b];
    return a < b;
  });
  return order;
}

namespace {

/// The index of rank `k` (0-based) without sorting everything.
std::optional<std::size_t> nth_ranked(std::string_view room, std::span<const std::string> node_ids,
                                      std::size_t k) {
  if (node_ids.size() <= k) return std::nullopt;
  if (k == 0) {
    std::size_t best = 0;
    std::uint64_t best_w = placement_weight(node_ids[0], room);
    for (std::size_t i = 1; i < node_ids.size(); ++i) {
      auto w = placement_weight(node_ids[i], room);
      if (w > best_w || (w == best_w && node_ids[i] < node_ids[best])) {
        best = i;
        best_w = w;
      }
    }
    return best;
  }
  return rank_nodes(room, node_ids)[k];
}

}  // namespace

std::optional<std::size_t> owner_of(std::string_view room, std::span<const std::string> node_ids) {
  return nth_ranked(room, node_ids, 0);
}

std::optional<std::size_t> replica_of(std::string_view room, std::span<const std::string> node_ids) {
  return nth_ranked(room, node_ids, 1);
}

}  // namespace zeal::cluster
