#pragma once

// The store actor's messages (actors/store_actor.hpp), registered with CAF so that they can cross
// nodes. The type-id block `zeal_persistence` follows the actors' block `zeal`; register both:
//   cfg.add_message_types<caf::id_block::zeal>();
//   cfg.add_message_types<caf::id_block::zeal_persistence>();
//
// Conversation (every request gets exactly one reply; errors are caf::sec::runtime_error whose context
// holds the store's message as a std::string):
//   any → store (append_atom, std::string room, bytes update)       → uint64 seq (group-committed)
//   any → store (load_atom, std::string room)                       → room_record
//   any → store (snapshot_atom, std::string room, bytes state, uint64 covered) → ok_atom
//                                    covered == covers_all: the snapshot covers every log entry stored so far
//                                    for the room (a replica's snapshot: the owner's seq numbers are not
//                                    ours)
//   any → store (remove_atom, std::string room)                     → ok_atom
//   any → store (exists_atom, std::string room)                     → bool (anything stored; reads no record)
//   any → store (stats_atom)                                        → store_statistics
// Internal:
//   store → store (flush_atom, uint64 batch)   write the open group-commit batch `batch`

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/type_id.hpp>

#include "actors/messages.hpp"
#include "persistence/store.hpp"

namespace zeal::persistence {

/// `covered` of a snapshot that covers every entry the store holds for the room when it handles it.
inline constexpr std::uint64_t covers_all = ~std::uint64_t{0};

/// Binary payloads (the same type as zeal::actors::bytes and crdt::bytes).
using message_bytes = std::vector<std::uint8_t>;

/// A room's stored data as the store actor replies to a load: the snapshot (if any) covering the log up
/// to and including `covered`, then the log entries after it in order; `last_seq` is the sequence number
/// of the last stored update (0 when nothing was ever stored), i.e. the `covered` value to use for a
/// snapshot of the whole room.
struct room_record {
  bool has_snapshot = false;
  message_bytes snapshot;
  std::uint64_t covered = 0;
  std::vector<log_entry> log;
  std::uint64_t last_seq = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, log_entry& x) {
  return f(caf::meta::type_name("zeal.log_entry"), x.seq, x.update);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, room_record& x) {
  return f(caf::meta::type_name("zeal.room_record"), x.has_snapshot, x.snapshot, x.covered, x.log,
           x.last_seq);
}

/// Storage figures for /stats: the store's own statistics type, made serializable.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, store_statistics& x) {
  return f(caf::meta::type_name("zeal.store_statistics"), x.rooms, x.log_entries, x.log_bytes,
           x.snapshot_bytes, x.approximate_db_bytes);
}

}  // namespace zeal::persistence

CAF_BEGIN_TYPE_ID_BLOCK(zeal_persistence, caf::id_block::zeal::end)
CAF_ADD_TYPE_ID(zeal_persistence, (zeal::persistence::room_record))
CAF_ADD_TYPE_ID(zeal_persistence, (zeal::persistence::store_statistics))
CAF_END_TYPE_ID_BLOCK(zeal_persistence)

namespace zeal::persistence {

// None of these texts is used by actors/messages.hpp. "flush" is also caf::flush_atom (same meaning).
using append_atom = caf::atom_constant<caf::atom("append")>;
using load_atom = caf::atom_constant<caf::atom("load")>;
using snapshot_atom = caf::atom_constant<caf::atom("snapshot")>;
using remove_atom = caf::atom_constant<caf::atom("remove")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using exists_atom = caf::atom_constant<caf::atom("exists")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;

}  // namespace zeal::persistence
