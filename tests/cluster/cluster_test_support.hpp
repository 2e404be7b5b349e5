#pragma once

// Shared by the cluster suites: CAF configs with all of Zeal's message types, stand-ins for a peer
// node's router and store actor, views built by hand, and room names placed on a chosen node.
// Include after <caf/test/dsl.hpp> (or io_dsl.hpp).

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>

#include "actors/errors.hpp"
#include "actors/messages.hpp"
#include "actors/store_messages.hpp"
#include "cluster/messages.hpp"
#include "cluster/placement.hpp"
#include "tests/actors/actor_test_support.hpp"

namespace zeal::cluster::test {

using actors::bytes;

struct cluster_test_config : caf::actor_system_config {
  cluster_test_config() {
    add_message_types<caf::id_block::zeal>();
    add_message_types<caf::id_block::zeal_persistence>();
    add_message_types<caf::id_block::zeal_cluster>();
  }
};

/// For two nodes in one process (caf/test/io_dsl.hpp).
struct cluster_node_config : cluster_test_config {
  cluster_node_config() { load<caf::io::middleman>(); }
};

/// What a stand-in store received.
struct store_record {
  std::vector<std::pair<std::string, bytes>> appends;
  std::vector<std::tuple<std::string, bytes, std::uint64_t>> snapshots;
  std::vector<std::string> loads;
  std::uint64_t seq = 0;

  std::size_t appends_for(const std::string& room) const {
    return static_cast<std::size_t>(
        std::count_if(appends.begin(), appends.end(), [&](const auto& a) { return a.first == room; }));
  }
};

/// A stand-in store actor: stores nothing, confirms every write, loads empty rooms.
inline caf::behavior recording_store(caf::event_based_actor*, std::shared_ptr<store_record> rec) {
  return {
      [rec](persistence::append_atom, const std::string& room, const bytes& update) {
        rec->appends.emplace_back(room, update);
        return ++rec->seq;
      },
      [rec](persistence::load_atom, const std::string& room) {
        rec->loads.push_back(room);
        return persistence::room_record{};
      },
      [rec](persistence::snapshot_atom, const std::string& room, const bytes& state, std::uint64_t covered) {
        rec->snapshots.emplace_back(room, state, covered);
        return caf::ok_atom::value;
      },
      [](persistence::exists_atom, const std::string&) { return false; },
      [](persistence::remove_atom, const std::string&) { return caf::ok_atom::value; },
  };
}

/// What a stand-in peer router received, and how it answers.
struct peer_record {
  std::vector<std::string> lookups;
  std::vector<std::pair<std::string, bytes>> handoffs;
  std::vector<std::string> inspections;  // "json ROOM", "update ROOM", "post ROOM"
  caf::actor room;                       // the handle it answers lookups and handoffs with
  std::optional<caf::error> refuse;      // answer lookups with this error instead
  bool silent = false;                   // never answer lookups (the promises are kept here)
  std::vector<caf::response_promise> held;
};

/// A stand-in for another node's router.
inline caf::behavior peer_router(caf::event_based_actor* self, std::shared_ptr<peer_record> rec) {
  return {
      [self, rec](cluster::lookup_atom, const std::string& room) -> caf::result<caf::actor> {
        rec->lookups.push_back(room);
        if (rec->silent) {
          rec->held.push_back(self->make_response_promise());
          return rec->held.back();
        }
        if (rec->refuse) return *rec->refuse;
        return rec->room;
      },
      [rec](actors::handoff_atom, const std::string& room, const bytes& state) {
        rec->handoffs.emplace_back(room, state);
        return rec->room;
      },
      [rec](actors::json_atom, const std::string& room) {
        rec->inspections.push_back("json " + room);
        return std::string{"{\"from\":\"peer\"}"};
      },
      [rec](actors::update_atom, const std::string& room) {
        rec->inspections.push_back("update " + room);
        return bytes{1, 2, 3};
      },
      [rec](actors::update_atom, const std::string& room, const bytes&) {
        rec->inspections.push_back("post " + room);
        return caf::ok_atom::value;
      },
  };
}

inline node_info make_member(std::string id, caf::actor router, caf::actor store = {}, std::string host = {},
                             std::uint16_t port = 0) {
  node_info n;
  n.id = std::move(id);
  n.host = std::move(host);
  n.port = port;
  n.router = std::move(router);
  n.store = std::move(store);
  return n;
}

/// A view as membership sends it (members sorted by id).
inline cluster_view make_view(std::string self, std::uint64_t epoch, std::vector<node_info> members,
                              std::vector<peer_status> peers = {}) {
  std::sort(members.begin(), members.end(),
            [](const node_info& a, const node_info& b) { return a.id < b.id; });
  return cluster_view{std::move(self), epoch, std::move(members), std::move(peers)};
}

/// The first room "PREFIX-N" that `owner` owns among `ids` (and whose replica is `replica`, if given).
inline std::string room_placed(const std::vector<std::string>& ids, const std::string& owner,
                               const std::string& prefix = "room", std::optional<std::string> replica = {}) {
  for (int i = 0; i < 10000; ++i) {
    auto room = prefix + "-" + std::to_string(i);
    auto o = owner_of(room, ids);
    if (!o || ids[*o] != owner) continue;
    if (replica) {
      auto r = replica_of(room, ids);
      if (!r || ids[*r] != *replica) continue;
    }
    return room;
  }
  return {};
}

/// The JSON of the document an encoded state (update v1) holds; "" if it does not decode.
inline std::string json_of_state(const bytes& state) {
  crdt::doc d;
  if (!d.apply_update(state)) return {};
  return d.to_json();
}

}  // namespace zeal::cluster::test
