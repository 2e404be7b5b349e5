// ctest-labels: unit cluster
#define CAF_SUITE cluster_placement
#include <caf/test/unit_test.hpp>

// Rendezvous placement: fixed weights (a change of hash breaks every cluster that mixes versions), an even
// spread, and the minimal movement that makes joins and leaves cheap.

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "cluster/placement.hpp"

using namespace zeal::cluster;

namespace {

std::vector<std::string> room_names(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng{seed};
  std::vector<std::string> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    out.push_back("room-" + std::to_string(rng()) + "/" + std::to_string(i));
  return out;
}

std::vector<std::string> node_ids(std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 1; i <= n; ++i) out.push_back("127.0.0.1:710" + std::to_string(i));
  return out;
}

constexpr std::size_t none_index = static_cast<std::size_t>(-1);

/// An index or none_index (printable by the check macros).
std::size_t at(std::optional<std::size_t> x) {
  return x.value_or(none_index);
}

std::string owner_id(const std::string& room, const std::vector<std::string>& ids) {
  auto i = owner_of(room, ids);
  return i ? ids[*i] : std::string{"(none)"};
}

std::string replica_id(const std::string& room, const std::vector<std::string>& ids) {
  auto i = replica_of(room, ids);
  return i ? ids[*i] : std::string{"(none)"};
}

}  // namespace

CAF_TEST(weights are fixed) {
  // Computed independently (FNV-1a-64 over node, 0x00, room; splitmix64 finalizer).
  CAF_CHECK_EQUAL(placement_weight("n1", "room-a"), 0xf0c562ea7dd55bf0ull);
  CAF_CHECK_EQUAL(placement_weight("", ""), 0x25fc6dd36ce04b20ull);
  CAF_CHECK_EQUAL(placement_weight("127.0.0.1:7101", "notes/2024"), 0x2695713ff8f953eeull);
  // The separator matters: ("ab", "c") and ("a", "bc") are different inputs.
  CAF_CHECK_NOT_EQUAL(placement_weight("ab", "c"), placement_weight("a", "bc"));
}

CAF_TEST(rankings are fixed) {
  const std::vector<std::string> three{"n1", "n2", "n3"};
  CAF_CHECK_EQUAL(rank_nodes("room-a", three), (std::vector<std::size_t>{2, 0, 1}));
  CAF_CHECK_EQUAL(rank_nodes("room-b", three), (std::vector<std::size_t>{0, 2, 1}));
  CAF_CHECK_EQUAL(rank_nodes("\xc3\xbc"
                             "ber",
                             three),
                  (std::vector<std::size_t>{1, 2, 0}));
  const std::vector<std::string> five{"a", "b", "c", "d", "e"};
  CAF_CHECK_EQUAL(rank_nodes("room-a", five), (std::vector<std::size_t>{1, 4, 3, 0, 2}));
  CAF_CHECK_EQUAL(rank_nodes("doc/42", five), (std::vector<std::size_t>{0, 2, 1, 3, 4}));
  CAF_CHECK_EQUAL(at(owner_of("room-a", three)), std::size_t{2});
  CAF_CHECK_EQUAL(at(replica_of("room-a", three)), std::size_t{0});
  CAF_CHECK_EQUAL(at(owner_of("", five)), std::size_t{3});
  CAF_CHECK_EQUAL(at(replica_of("", five)), std::size_t{4});
}

CAF_TEST(the order of the member list does not matter) {
  const std::vector<std::string> a{"n1", "n2", "n3", "n4"};
  const std::vector<std::string> b{"n3", "n1", "n4", "n2"};
  for (const auto& room : room_names(500, 7)) {
    CAF_CHECK_EQUAL(owner_id(room, a), owner_id(room, b));
    CAF_CHECK_EQUAL(replica_id(room, a), replica_id(room, b));
  }
}

CAF_TEST(owner and replica agree with the ranking) {
  const auto ids = node_ids(5);
  for (const auto& room : room_names(300, 11)) {
    auto ranked = rank_nodes(room, ids);
    CAF_REQUIRE_EQUAL(ranked.size(), 5u);
    CAF_CHECK_EQUAL(at(owner_of(room, ids)), std::size_t{ranked[0]});
    CAF_CHECK_EQUAL(at(replica_of(room, ids)), std::size_t{ranked[1]});
    for (std::size_t k = 1; k < ranked.size(); ++k) {
      CAF_CHECK_GREATER_OR_EQUAL(placement_weight(ids[ranked[k - 1]], room),
                                 placement_weight(ids[ranked[k]], room));
    }
  }
}

CAF_TEST(equal ids tie by position and never break the ranking) {
  const std::vector<std::string> dup{"n1", "n1"};
  CAF_CHECK_EQUAL(rank_nodes("r", dup), (std::vector<std::size_t>{0, 1}));
  CAF_CHECK_EQUAL(at(owner_of("r", dup)), std::size_t{0});
  CAF_CHECK_EQUAL(at(replica_of("r", dup)), std::size_t{1});
}

CAF_TEST(rooms spread evenly and the replica is another node) {
  const auto rooms = room_names(10000, 42);
  for (std::size_t n : {3u, 5u}) {
    const auto ids = node_ids(n);
    std::map<std::string, std::size_t> owned;
    std::map<std::string, std::size_t> replicas;
    for (const auto& room : rooms) {
      auto owner = owner_id(room, ids);
      auto replica = replica_id(room, ids);
      CAF_CHECK_NOT_EQUAL(owner, replica);
      ++owned[owner];
      ++replicas[replica];
    }
    const double fair = static_cast<double>(rooms.size()) / static_cast<double>(n);
    CAF_CHECK_EQUAL(owned.size(), n);
    CAF_CHECK_EQUAL(replicas.size(), n);
    for (const auto& [id, count] : owned) {
      CAF_MESSAGE(n << " nodes: " << id << " owns " << count << " (fair " << fair << ")");
      CAF_CHECK_GREATER_OR_EQUAL(static_cast<double>(count), fair * 0.9);
      CAF_CHECK_LESS_OR_EQUAL(static_cast<double>(count), fair * 1.1);
    }
    for (const auto& [id, count] : replicas) {
      CAF_CHECK_GREATER_OR_EQUAL(static_cast<double>(count), fair * 0.9);
      CAF_CHECK_LESS_OR_EQUAL(static_cast<double>(count), fair * 1.1);
    }
  }
}

CAF_TEST(a joining node takes only the rooms it wins) {
  const auto rooms = room_names(10000, 99);
  const auto before = node_ids(3);
  const auto after = node_ids(4);
  const std::string& newcomer = after.back();
  std::size_t moved = 0;
  for (const auto& room : rooms) {
    auto old_owner = owner_id(room, before);
    auto new_owner = owner_id(room, after);
    if (old_owner != new_owner) {
      ++moved;
      CAF_CHECK_EQUAL(new_owner, newcomer);
    }
  }
  CAF_MESSAGE(moved << " of " << rooms.size() << " rooms moved to the 4th node");
  CAF_CHECK_GREATER_OR_EQUAL(moved, 2250u);
  CAF_CHECK_LESS_OR_EQUAL(moved, 2750u);
}

CAF_TEST(a leaving node hands its rooms to their replicas and nothing else moves) {
  const auto rooms = room_names(10000, 1234);
  const auto before = node_ids(4);
  const std::string gone = before[1];
  std::vector<std::string> after;
  for (const auto& id : before) {
    if (id != gone) after.push_back(id);
  }
  std::size_t moved = 0;
  for (const auto& room : rooms) {
    auto old_owner = owner_id(room, before);
    auto new_owner = owner_id(room, after);
    if (old_owner == gone) {
      ++moved;
      CAF_CHECK_EQUAL(new_owner, replica_id(room, before));
    } else {
      CAF_CHECK_EQUAL(new_owner, old_owner);
    }
  }
  CAF_MESSAGE(moved << " of " << rooms.size() << " rooms moved off the leaving node");
  CAF_CHECK_GREATER_OR_EQUAL(moved, 2250u);
  CAF_CHECK_LESS_OR_EQUAL(moved, 2750u);
}

CAF_TEST(no nodes and one node) {
  const std::vector<std::string> none;
  CAF_CHECK(rank_nodes("r", none).empty());
  CAF_CHECK(!owner_of("r", none));
  CAF_CHECK(!replica_of("r", none));
  const std::vector<std::string> one{"solo"};
  CAF_CHECK_EQUAL(rank_nodes("r", one), (std::vector<std::size_t>{0}));
  CAF_CHECK_EQUAL(at(owner_of("r", one)), std::size_t{0});
  CAF_CHECK(!replica_of("r", one));
  CAF_CHECK_EQUAL(at(owner_of("", one)), std::size_t{0});
}
