#pragma once

// How a room's stored records become its document: shared by the server's rooms (actors/room_state) and
// the offline room tools (app/server/room_tools), so both read stored data exactly the same way.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/doc/doc.hpp"
#include "persistence/store.hpp"

namespace zeal::persistence {

/// The options of a room's document: random client id, GC on, no format cleanup (a room relays its
/// clients' bytes and must never change the document itself; see actors/room_state.hpp).
crdt::doc_options room_doc_options();

/// Applies a room's stored data to `d` in order: the snapshot (if any; it covers the log up to
/// `snapshot_seq`), then every log entry. nullopt on success; otherwise which record failed to decode,
/// with its key and column family (`d` then holds the records before it and must not be used as the room).
std::optional<std::string> apply_stored(crdt::doc& d, std::string_view room, const bytes* snapshot,
                                        seq_t snapshot_seq, const std::vector<log_entry>& log);

}  // namespace zeal::persistence
