#pragma once

// Messages between the nodes of a cluster (membership actors, routers), registered with CAF. The type-id
// block `zeal_cluster` follows `zeal_persistence`; register all three:
//   cfg.add_message_types<caf::id_block::zeal>();
//   cfg.add_message_types<caf::id_block::zeal_persistence>();
//   cfg.add_message_types<caf::id_block::zeal_cluster>();
//
// Membership (one membership actor per node, published on the cluster port with the middleman):
//   membership A → membership B (hello_atom, node_info a)  → reply std::vector<node_info> (B's live
//                                 members, B included), or an error (duplicate node id)
//   membership A → membership B (bye_atom, std::string a_id)   A leaves gracefully (shutdown)
//   app          → membership   (leave_atom)                   → ok_atom once the byes are sent and the
//                                 router got a view without this node
//   membership   → router       (members_atom, cluster_view)   after every change (and once at start)
// Routing (one router per node; clients and the HTTP bridge talk to their node's router):
//   client/bridge → router (get_atom, std::string room)        → caf::actor room | error (actors/errors.hpp)
//   router A → router owner (lookup_atom, std::string room)    → caf::actor room | error; 1012 (retry)
//                             when the owner does not see itself as the owner
//   room     → router target (handoff_atom, std::string room, bytes state)  → caf::actor new room
//   bridge   → router (cluster_atom)                            → std::string (GET /cluster JSON)
//   bridge   → router (json_atom | update_atom, room), (update_atom, room, bytes)  as actors/directory,
//                             forwarded to the owner's router when the room is owned elsewhere
//   app      → router (shutdown_atom)   hand every room off (if other members are alive), then stop the
//                             local directory; the router quits when the directory is down

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/type_id.hpp>

#include "actors/store_messages.hpp"

namespace zeal::cluster {

/// One node as the others know it.
struct node_info {
  std::string id;    // [cluster] node-id (unique in the cluster)
  std::string host;  // its cluster address (what peers connect to)
  std::uint16_t port = 0;
  caf::actor membership;  // its membership actor (the one published on the cluster port)
  caf::actor router;      // its router (room lookups, handoffs)
  caf::actor store;       // its store actor (replication target); null: the node stores nothing
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_info& x) {
  return f(caf::meta::type_name("zeal.node_info"), x.id, x.host, x.port, x.membership, x.router, x.store);
}

/// A cluster address that is not (or no longer) a live member, for GET /cluster.
struct peer_status {
  std::string id;       // empty when never met
  std::string address;  // "host:port"
  std::string state;    // "connecting" (a seed not reached yet), "down" (died), "left" (said bye)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, peer_status& x) {
  return f(caf::meta::type_name("zeal.peer_status"), x.id, x.address, x.state);
}

/// What membership tells the router after every change.
struct cluster_view {
  std::string self;                // this node's id
  std::uint64_t epoch = 0;         // +1 per change
  std::vector<node_info> members;  // live members, this node included, sorted by id
  std::vector<peer_status> peers;  // known addresses that are not live members
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_view& x) {
  return f(caf::meta::type_name("zeal.cluster_view"), x.self, x.epoch, x.members, x.peers);
}

}  // namespace zeal::cluster

CAF_BEGIN_TYPE_ID_BLOCK(zeal_cluster, caf::id_block::zeal_persistence::end)
CAF_ADD_TYPE_ID(zeal_cluster, (zeal::cluster::node_info))
CAF_ADD_TYPE_ID(zeal_cluster, (std::vector<zeal::cluster::node_info>))
CAF_ADD_TYPE_ID(zeal_cluster, (zeal::cluster::peer_status))
CAF_ADD_TYPE_ID(zeal_cluster, (zeal::cluster::cluster_view))
CAF_END_TYPE_ID_BLOCK(zeal_cluster)

namespace zeal::cluster {

using hello_atom = caf::atom_constant<caf::atom("hello")>;
using bye_atom = caf::atom_constant<caf::atom("bye")>;
using members_atom = caf::atom_constant<caf::atom("members")>;
using lookup_atom = caf::atom_constant<caf::atom("lookup")>;
using cluster_atom = caf::atom_constant<caf::atom("cluster")>;
// leave_atom, get_atom, handoff_atom, json_atom, update_atom, shutdown_atom, rooms_atom: actors/messages.hpp.

}  // namespace zeal::cluster
