// Transactions: begin/end, cleanup (sort delete set, GC, merges) and the emitted update
// (Yjs Transaction.js cleanupTransactions, tryGcDeleteSet, tryMergeDeleteSet, writeUpdateMessage...).
#include <algorithm>
#include <optional>

#include "crdt/doc/doc_impl.hpp"
#include "crdt/update/update_encoder.hpp"

namespace zeal::crdt {

void format_cleanup_after_remote(doc_impl& d, transaction& tr, transaction& fmt);  // text_ops.cpp

transaction& doc_impl::begin(bool local) {
  if (txn_depth_++ == 0) {
    txn_.local = local;
    txn_.before.clear();
    txn_.ds.clear();
    txn_.merge_structs.clear();
    txn_.changed.clear();
    txn_.format_parents.clear();
    txn_.need_formatting_cleanup = false;
  }
  return txn_;
}

namespace {

void sort_and_merge(std::vector<ds_entry>& ds) {
  if (ds.size() < 2) return;
  std::sort(ds.begin(), ds.end(), [](const ds_entry& a, const ds_entry& b) {
    return a.client != b.client ? a.client < b.client : a.clock < b.clock;
  });
  std::size_t j = 1;
  for (std::size_t i = 1; i < ds.size(); ++i) {
    ds_entry& left = ds[j - 1];
    const ds_entry& right = ds[i];
    if (left.client == right.client && left.clock + left.length >= right.clock) {
      left.length = std::max(left.length, right.clock + right.length - left.clock);
    } else {
      ds[j++] = right;
    }
  }
  ds.resize(j);
}

}  // namespace

void doc_impl::end() {
  if (--txn_depth_ > 0) return;
  finish(txn_);
}

void doc_impl::finish(transaction& tr) {
  sort_and_merge(tr.ds);

  // Yjs: YText._callObserver of a changed, existing, formatted text in a remote transaction requests
  // cleanupYTextAfterTransaction, which runs in a new local transaction before this one's GC.
  bool want_format_cleanup = false;
  if (!tr.local && opts_.format_cleanup) {
    for (branch* b : tr.changed) {
      if (b->typed && (b->ref == type_ref::text || b->ref == type_ref::xml_text) && b->has_formatting &&
          (b->owner == nullptr || !b->owner->deleted())) {
        want_format_cleanup = true;
        break;
      }
    }
  }
  std::optional<transaction> fmt;
  if (want_format_cleanup) {
    fmt.emplace();
    fmt->local = true;
    ++txn_depth_;  // edits of the cleanup must not end a transaction
    format_cleanup_after_remote(*this, tr, *fmt);
    --txn_depth_;
    sort_and_merge(fmt->ds);
  }

  // GC: replace deleted items with Deleted content / GC structs.
  if (opts_.gc) {
    for (const ds_entry& d : tr.ds) {
      struct_list& structs = clients_.at(d.client);
      const std::uint64_t end_clock = d.clock + d.length;
      for (std::size_t si = find_index(structs, d.clock); si < structs.size(); ++si) {
        item* s = structs[si];
        if (s->id.clock >= end_clock) break;
        if (!s->is_gc() && s->deleted() && !s->keep()) gc_item(s, false);
      }
    }
  }
  // Merge deleted / gc'd structs, right to left.
  for (auto di = tr.ds.rbegin(); di != tr.ds.rend(); ++di) {
    struct_list& structs = clients_.at(di->client);
    std::ptrdiff_t si = std::min<std::ptrdiff_t>(
        static_cast<std::ptrdiff_t>(structs.size()) - 1,
        1 + static_cast<std::ptrdiff_t>(find_index(structs, di->clock + di->length - 1)));
    while (si > 0 && structs[static_cast<std::size_t>(si)]->id.clock >= di->clock) {
      si -= 1 + static_cast<std::ptrdiff_t>(try_to_merge_with_lefts(structs, static_cast<std::size_t>(si)));
    }
  }
  // Merge the structs added in this transaction.
  for (const auto& [client, before] : tr.before) {
    struct_list& structs = clients_.at(client);
    if (structs.empty() || structs.back()->end_clock() == before) continue;
    std::ptrdiff_t first =
        std::max<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(find_index(structs, before)), 1);
    for (std::ptrdiff_t i = static_cast<std::ptrdiff_t>(structs.size()) - 1; i >= first;) {
      i -= 1 + static_cast<std::ptrdiff_t>(try_to_merge_with_lefts(structs, static_cast<std::size_t>(i)));
    }
  }
  // Merge split structs.
  for (auto mi = tr.merge_structs.rbegin(); mi != tr.merge_structs.rend(); ++mi) {
    struct_list& structs = clients_.at(mi->client);
    std::size_t pos = find_index(structs, mi->clock);
    if (pos + 1 < structs.size()) {
      if (try_to_merge_with_lefts(structs, pos + 1) > 1) continue;
    }
    if (pos > 0) try_to_merge_with_lefts(structs, pos);
  }
  bool changed_structs = false;
  bool own_changed = false;
  for (const auto& [client, before] : tr.before) {
    if (get_state(client) != before) {
      changed_structs = true;
      if (client == client_id_) own_changed = true;
    }
  }
  if (!tr.local && own_changed) client_id_ = random_client_id();

  if (on_update_ && (!tr.ds.empty() || changed_structs)) {
    auto enc = make_update_encoder(update_format::v1);
    std::vector<std::pair<std::uint64_t, std::uint64_t>> sm;
    for (const auto& [client, before] : tr.before) {
      if (get_state(client) > before) sm.emplace_back(client, before);
    }
    std::sort(sm.begin(), sm.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    enc->rest().write_var_uint(sm.size());
    for (const auto& [client, clock] : sm) write_structs(*enc, clients_.at(client), client, clock);
    // delete set, clients descending
    std::size_t nclients = 0;
    for (std::size_t i = 0; i < tr.ds.size(); ++i) {
      if (i == 0 || tr.ds[i].client != tr.ds[i - 1].client) ++nclients;
    }
    enc->rest().write_var_uint(nclients);
    std::size_t i = tr.ds.size();
    while (i > 0) {
      std::size_t j = i;
      while (j > 0 && tr.ds[j - 1].client == tr.ds[i - 1].client) --j;
      enc->reset_ds_cur_val();
      enc->rest().write_var_uint(tr.ds[i - 1].client);
      enc->rest().write_var_uint(i - j);
      for (std::size_t k = j; k < i; ++k) {
        enc->write_ds_clock(tr.ds[k].clock);
        enc->write_ds_len(tr.ds[k].length);
      }
      i = j;
    }
    bytes out = enc->to_bytes();
    auto cb = on_update_;
    cb(out);
  }
  if (fmt) finish(*fmt);
}

}  // namespace zeal::crdt
