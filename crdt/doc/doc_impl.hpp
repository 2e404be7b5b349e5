#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crdt/doc/branch.hpp"
#include "crdt/doc/doc.hpp"
#include "crdt/doc/item.hpp"
#include "crdt/doc/struct_list.hpp"
#include "crdt/update/block.hpp"
#include "crdt/update/delete_set.hpp"
#include "crdt/update/state_vector.hpp"
#include "crdt/update/update.hpp"

namespace zeal::crdt {

class update_encoder;

struct apply_target {
  std::uint64_t client = 0;
  std::vector<block>* refs = nullptr;
  std::size_t i = 0;
  bool removed = false;
};
struct apply_entry {
  std::uint64_t client;
  block* b;
};

struct ds_entry {
  std::uint64_t client;
  std::uint64_t clock;
  std::uint64_t length;
};

/// Yjs Transaction (only what the port needs). beforeState is recorded lazily: a client's state is
/// captured the first time a struct is added for it.
struct transaction {
  bool local = true;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> before;  // client → state at start (touched)
  std::vector<ds_entry> ds;                                     // deletions of this transaction
  std::vector<crdt::id> merge_structs;                          // Yjs _mergeStructs (by id)
  std::vector<branch*> changed;                                 // types changed (for format cleanup)
  std::vector<branch*> format_parents;  // parents that received non-deleted format items
  bool need_formatting_cleanup = false;
};

class doc_impl {
 public:
  explicit doc_impl(doc_options opts);
  ~doc_impl();

  // ---- store ----
  std::uint64_t get_state(std::uint64_t client) const;
  struct_list* structs_of(std::uint64_t client);
  const struct_list* structs_of(std::uint64_t client) const;
  static std::size_t find_index(const struct_list& structs, std::uint64_t clock);
  item* get_item(crdt::id at);  // precondition: at.clock < state
  item* get_item_clean_start(transaction& tr, crdt::id at);
  item* get_item_clean_end(transaction& tr, crdt::id at);
  item* split_item(transaction& tr, item* left, std::uint64_t diff);  // caller inserts into structs
  void add_struct(transaction& tr, item* s);
  bool merge_with(item* left, item* right);
  std::size_t try_to_merge_with_lefts(struct_list& structs, std::size_t pos);
  const std::string* intern(std::string_view key);
  const std::string* find_interned(std::string_view key) const;
  branch* root(std::string_view name);
  std::shared_ptr<branch> root_ptr(std::string_view name);

  // ---- transactions ----
  transaction& begin(bool local);
  void end();  // cleanup + emit when the outermost transaction ends
  void finish(transaction& tr);
  std::uint64_t before_state(const transaction& tr, std::uint64_t client) const;
  void add_to_ds(transaction& tr, std::uint64_t client, std::uint64_t clock, std::uint64_t len);
  void add_changed(transaction& tr, branch* type);

  // ---- items ----
  void delete_item(transaction& tr, item* it);
  void integrate_item(transaction& tr, item* it, std::uint64_t offset);
  void gc_item(item* it, bool parent_gcd);

  // ---- remote updates ----
  status apply(bytes_view update, update_format format);
  void apply_decoded(transaction& tr, decoded_update&& u);
  void apply_delete_set(transaction& tr, const crdt::delete_set& ds, crdt::delete_set* unapplied);

  // ---- encoding ----
  void write_item(update_encoder& enc, const item* it, std::uint64_t offset) const;
  void write_structs(update_encoder& enc, const struct_list& structs, std::uint64_t client,
                     std::uint64_t clock) const;
  void write_clients_structs(update_encoder& enc, const crdt::state_vector& sv) const;
  bytes encode_state(update_format format, const crdt::state_vector& sv) const;
  crdt::state_vector state_vector() const;
  crdt::delete_set store_delete_set() const;
  bytes pending_ds_update() const;  // v2 update holding only the pending deletes

  // ---- reading ----
  std::string to_json() const;

  // ---- data ----
  doc_options opts_;
  std::uint64_t client_id_ = 0;
  item_pool pool_;
  std::map<std::uint64_t, struct_list> clients_;
  std::map<std::string, std::shared_ptr<branch>, std::less<>> roots_;
  std::unordered_set<std::string> keys_;
  std::function<void(bytes_view)> on_update_;
  transaction txn_;
  int txn_depth_ = 0;
  // pending structs (Yjs store.pendingStructs) and deletes (store.pendingDs)
  bool has_pending_structs_ = false;
  bytes pending_update_;  // v2
  std::map<std::uint64_t, std::uint64_t> pending_missing_;
  bool has_pending_ds_ = false;
  crdt::delete_set pending_ds_;
  std::uint64_t marker_clock_ = 0;
  // scratch buffers reused across updates
  std::vector<std::size_t> scratch_ids_;
  std::vector<apply_target> scratch_targets_;
  std::vector<apply_entry> scratch_stack_;
};

/// Random 32-bit client id (as Yjs generateNewClientId).
std::uint64_t random_client_id();

}  // namespace zeal::crdt
