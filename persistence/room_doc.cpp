#include "persistence/room_doc.hpp"

#include "persistence/keys.hpp"
#include "persistence/rocksdb_store.hpp"

namespace zeal::persistence {

crdt::doc_options room_doc_options() {
  return crdt::doc_options{0, true, false};
}

std::optional<std::string> apply_stored(crdt::doc& d, std::string_view room, const bytes* snapshot,
                                        seq_t snapshot_seq, const std::vector<log_entry>& log) {
  const std::string prefix = keys::room_prefix(room);
  if (snapshot) {
    if (auto st = d.apply_update(*snapshot); !st)
      return "the snapshot (key " + keys::printable(prefix) + " in column family \"" +
             rocksdb_store::snapshot_cf + "\", covers seq " + std::to_string(snapshot_seq) +
             ") does not decode: " + st.err().to_string();
  }
  for (const auto& entry : log) {
    if (auto st = d.apply_update(entry.update); !st)
      return "log entry seq " + std::to_string(entry.seq) + " (key " +
             keys::printable(keys::log_key(prefix, entry.seq)) + " in column family \"" +
             rocksdb_store::log_cf + "\") does not decode: " + st.err().to_string();
  }
  return std::nullopt;
}

}  // namespace zeal::persistence
