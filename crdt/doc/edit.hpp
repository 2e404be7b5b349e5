#pragma once

// Local editing primitives shared by the handles (Yjs AbstractType.js list/map helpers, search markers,
// YText's ItemTextListPosition algorithms).

#include <cstdint>
#include <string>
#include <vector>

#include "crdt/doc/doc_impl.hpp"

namespace zeal::crdt {

/// A local transaction for one handle call (joins the surrounding doc::transact if any).
class local_txn {
 public:
  explicit local_txn(doc_impl& d) : d_(d), tr_(d.begin(true)) {}
  ~local_txn() { d_.end(); }
  local_txn(const local_txn&) = delete;
  local_txn& operator=(const local_txn&) = delete;
  transaction& tr() { return tr_; }

 private:
  doc_impl& d_;
  transaction& tr_;
};

/// Creates and integrates a local item with id (client_id, state).
item* insert_local(doc_impl& d, transaction& tr, item* left, item* right, branch* parent,
                   const std::string* key, content c);

// ---- search markers ----
search_marker* find_marker(doc_impl& d, branch* b, std::uint64_t index);
void update_marker_changes(branch* b, std::uint64_t index, std::int64_t len);

// ---- lists (YArray / XmlFragment children) ----
/// Inserts contents (each an Any value list element, or a prepared content) after `ref` (null = start).
void list_insert_after(doc_impl& d, transaction& tr, branch* parent, item* ref,
                       std::vector<content> contents);
/// typeListInsertGenerics: `values` are packed into ContentAny runs; binary/type contents stand alone.
void list_insert(doc_impl& d, transaction& tr, branch* parent, std::uint64_t index,
                 std::vector<content> contents);
void list_push(doc_impl& d, transaction& tr, branch* parent, std::vector<content> contents);
void list_delete(doc_impl& d, transaction& tr, branch* parent, std::uint64_t index, std::uint64_t len);
/// Converts Any values into contents as Yjs's insert does (runs of JSON-like values → one ContentAny,
/// binary → ContentBinary).
std::vector<content> contents_from_values(const std::vector<lib0::any>& values);

// ---- maps ----
void map_set(doc_impl& d, transaction& tr, branch* parent, std::string_view key, content c);
void map_delete(doc_impl& d, transaction& tr, branch* parent, std::string_view key);
const item* map_get_item(const doc_impl& d, const branch* parent, std::string_view key);

/// The nested branch created by a type content item.
std::shared_ptr<branch> inner_of(const item* it);

// ---- text ----
void text_insert(doc_impl& d, transaction& tr, branch* parent, std::uint64_t index, content c,
                 const text_attributes* attrs);
void text_delete(doc_impl& d, transaction& tr, branch* parent, std::uint64_t index, std::uint64_t len);
void text_format(doc_impl& d, transaction& tr, branch* parent, std::uint64_t index, std::uint64_t len,
                 const text_attributes& attrs);

}  // namespace zeal::crdt
