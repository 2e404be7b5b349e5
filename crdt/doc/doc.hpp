#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/lib0/bytes.hpp"
#include "crdt/lib0/error.hpp"
#include "crdt/update/delete_set.hpp"
#include "crdt/update/state_vector.hpp"
#include "crdt/update/update_format.hpp"

namespace zeal::crdt {

class text;
class map;
class array;
class xml_fragment;
class doc_impl;

struct doc_options {
  std::uint64_t client_id = 0;  // 0 → a random 32-bit id (as Yjs); local edits use this id
  bool gc = true;               // Yjs doc.gc
  /// Yjs's cleanupYTextAfterTransaction: after a remote transaction that touched formatted text, delete
  /// redundant formatting items (a local change of this doc). A server that relays its clients' updates
  /// verbatim turns it off: its document must hold nothing that no client sent.
  bool format_cleanup = true;
};

struct pending_info {
  std::map<std::uint64_t, std::uint64_t> missing;  // Yjs doc.store.pendingStructs.missing
  bool pending_deletes = false;                    // doc.store.pendingDs != null
};

/// A Yjs document (Y.Doc): struct store, YATA integration, transactions, GC, pending structs, encoding,
/// reading as JSON and a local editing API. Not thread-safe; handles must not outlive the doc.
class doc {
 public:
  explicit doc(doc_options opts = {});
  ~doc();
  doc(const doc&) = delete;
  doc& operator=(const doc&) = delete;
  doc(doc&&) noexcept;
  doc& operator=(doc&&) noexcept;

  std::uint64_t client_id() const;

  /// Applies one update as one transaction (Y.applyUpdate / applyUpdateV2). Atomic: on any error the
  /// document is unchanged and the error says what and at which byte offset.
  status apply_update(bytes_view update, update_format format = update_format::v1);

  /// Y.encodeStateAsUpdate(doc, sv) / V2; includes pending structs and deletes exactly as Yjs.
  bytes encode_state_as_update(update_format format = update_format::v1,
                               const crdt::state_vector& sv = {}) const;
  result<bytes> encode_state_as_update(bytes_view encoded_state_vector, update_format format) const;
  crdt::state_vector state_vector() const;  // Y.encodeStateVector → .encode()
  crdt::delete_set delete_set() const;      // createDeleteSetFromStructStore
  pending_info pending() const;

  // Reading
  std::vector<std::string> root_names() const;  // sorted
  /// {root name: value} as `zeal-ydoc json` prints it, keys sorted at every level.
  std::string to_json() const;

  // Editing (local transactions; each call is one transaction unless inside transact()).
  text get_text(std::string_view root);
  map get_map(std::string_view root);
  array get_array(std::string_view root);
  xml_fragment get_xml_fragment(std::string_view root);

  /// Groups several edits into one transaction (one emitted update).
  void transact(const std::function<void()>& fn);

  /// Called after every transaction that changed something (local or remote) with its update in v1
  /// (exactly the bytes Yjs's doc.on('update') would give). One observer; an empty function removes it.
  void on_update(std::function<void(bytes_view update_v1)> fn);

  /// Number of structs (items + GC) in the store (diagnostics, benchmarks).
  std::size_t struct_count() const;

  doc_impl& impl() { return *impl_; }
  const doc_impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<doc_impl> impl_;
};

}  // namespace zeal::crdt

#include "crdt/doc/array.hpp"
#include "crdt/doc/map.hpp"
#include "crdt/doc/text.hpp"
#include "crdt/doc/xml.hpp"
