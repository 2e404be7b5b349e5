// Applying remote updates: Yjs readUpdateV2 / integrateStructs / readAndApplyDeleteSet, pending structs
// and pending deletes.
#include <algorithm>
#include <string>

#include "crdt/doc/doc_impl.hpp"
#include "crdt/lib0/decoder.hpp"

namespace zeal::crdt {

namespace {

std::string id_str(const crdt::id& v) {
  std::string s = "(";
  s += std::to_string(v.client);
  s += ',';
  s += std::to_string(v.clock);
  s += ')';
  return s;
}

// Semantic checks done before anything changes (Yjs would throw halfway through, §8.11).
status validate(const decoded_update& u) {
  for (const auto& group : u.clients) {
    for (const auto& b : group.blocks) {
      const crdt::id& at = block_id(b);
      std::uint64_t len = block_length(b);
      if (len == 0) return crdt::error{"struct " + id_str(at) + " has length 0", 0};
      if (at.clock > lib0::max_safe_integer || len > lib0::max_safe_integer - at.clock) {
        return crdt::error{"struct " + id_str(at) + " exceeds the clock range", 0};
      }
      const auto* ib = std::get_if<item_block>(&b);
      if (ib == nullptr) continue;
      if (ib->origin && ib->origin->client == at.client && ib->origin->clock >= at.clock) {
        return crdt::error{"item " + id_str(at) + " has its origin in its own future", 0};
      }
      if (ib->right_origin && ib->right_origin->client == at.client && ib->right_origin->clock >= at.clock) {
        return crdt::error{"item " + id_str(at) + " has its right origin in its own future", 0};
      }
      if (const auto* pid = std::get_if<crdt::id>(&ib->parent);
          pid && pid->client == at.client && pid->clock >= at.clock) {
        return crdt::error{"item " + id_str(at) + " has its parent in its own future", 0};
      }
    }
  }
  return ok_status();
}

}  // namespace

namespace {
using target = apply_target;
}  // namespace

status doc_impl::apply(bytes_view update, update_format format) {
  auto decoded = decode_update(update, format);
  if (!decoded) return decoded.err();
  if (auto st = validate(*decoded); !st) return st;
  // Yjs's readClientsStructRefs calls doc.get(name) for every root-parented struct it reads, pending ones
  // included: the roots exist (untyped) from now on.
  for (const auto& g : decoded->clients) {
    for (const auto& b : g.blocks) {
      if (const auto* ib = std::get_if<item_block>(&b)) {
        if (const auto* name = std::get_if<std::string>(&ib->parent)) root(*name);
      }
    }
  }
  transaction& tr = begin(false);
  tr.local = false;  // Yjs readUpdate forces a remote transaction, even inside transact()
  apply_decoded(tr, std::move(*decoded));
  end();
  return ok_status();
}

void doc_impl::apply_decoded(transaction& tr, decoded_update&& u) {
  // ---- integrateStructs ----
  std::vector<target>& targets = scratch_targets_;
  targets.clear();
  for (auto& g : u.clients) {
    // A client may appear twice in a malformed update; Yjs's Map keeps the last group.
    auto f =
        std::find_if(targets.begin(), targets.end(), [&](const target& t) { return t.client == g.client; });
    if (f != targets.end()) {
      f->refs = &g.blocks;
    } else {
      targets.push_back({g.client, &g.blocks, 0, false});
    }
  }
  std::sort(targets.begin(), targets.end(),
            [](const target& a, const target& b) { return a.client < b.client; });
  auto find_target = [&](std::uint64_t client) -> target* {
    auto f = std::lower_bound(targets.begin(), targets.end(), client,
                              [](const target& t, std::uint64_t c) { return t.client < c; });
    return (f != targets.end() && f->client == client && !f->removed) ? &*f : nullptr;
  };
  std::vector<std::size_t>& ids = scratch_ids_;  // indexes into targets, ascending; taken from the back
  ids.clear();
  for (std::size_t k = 0; k < targets.size(); ++k) ids.push_back(k);

  std::map<std::uint64_t, std::vector<block>> rest;
  std::map<std::uint64_t, std::uint64_t> missing_sv;
  auto update_missing = [&](std::uint64_t client, std::uint64_t clock) {
    auto f = missing_sv.find(client);
    if (f == missing_sv.end() || f->second > clock) missing_sv[client] = clock;
  };

  auto next_target = [&]() -> target* {
    while (!ids.empty()) {
      target& t = targets[ids.back()];
      if (!t.removed && t.i < t.refs->size()) return &t;
      ids.pop_back();
    }
    return nullptr;
  };

  using entry = apply_entry;
  std::vector<entry>& stack = scratch_stack_;
  stack.clear();
  auto add_stack_to_rest = [&]() {
    for (const entry& e : stack) {
      target* t = find_target(e.client);
      if (t != nullptr) {
        t->i--;
        auto& dst = rest[e.client];
        dst.clear();
        for (std::size_t k = t->i; k < t->refs->size(); ++k) dst.push_back(std::move((*t->refs)[k]));
        t->removed = true;
        t->i = 0;
      } else {
        // The client's structs were moved to `rest` already (only reachable with cyclic dependencies,
        // which no real update has); Yjs then keeps just this struct, which heads that list.
        auto& dst = rest[e.client];
        if (dst.size() > 1) dst.resize(1);
      }
      ids.erase(std::remove_if(ids.begin(), ids.end(),
                               [&](std::size_t k) { return targets[k].client == e.client; }),
                ids.end());
    }
    stack.clear();
  };

  target* cur = next_target();
  if (cur != nullptr) {
    entry head{cur->client, &(*cur->refs)[cur->i++]};
    while (true) {
      block& b = *head.b;
      if (!std::holds_alternative<skip_block>(b)) {
        const crdt::id at = block_id(b);
        const std::uint64_t local = get_state(at.client);
        if (local < at.clock) {
          stack.push_back(head);
          update_missing(at.client, at.clock - 1);
          add_stack_to_rest();
        } else {
          const std::uint64_t offset = local - at.clock;
          const std::uint64_t len = block_length(b);
          // getMissing
          std::optional<std::uint64_t> missing;
          auto* ib = std::get_if<item_block>(&b);
          if (ib != nullptr) {
            if (ib->origin && ib->origin->client != at.client &&
                ib->origin->clock >= get_state(ib->origin->client)) {
              missing = ib->origin->client;
            } else if (ib->right_origin && ib->right_origin->client != at.client &&
                       ib->right_origin->clock >= get_state(ib->right_origin->client)) {
              missing = ib->right_origin->client;
            } else if (const auto* pid = std::get_if<crdt::id>(&ib->parent);
                       pid && pid->client != at.client && pid->clock >= get_state(pid->client)) {
              missing = pid->client;
            }
          }
          if (missing) {
            stack.push_back(head);
            target* t = find_target(*missing);
            if (t == nullptr || t->i == t->refs->size()) {
              update_missing(*missing, get_state(*missing));
              add_stack_to_rest();
            } else {
              head = entry{t->client, &(*t->refs)[t->i++]};
              continue;
            }
          } else if (ib != nullptr) {
            // Resolve neighbours and parent (the second half of getMissing; it splits even for
            // already-known structs, as Yjs does).
            item* left = nullptr;
            item* right = nullptr;
            if (ib->origin) left = get_item_clean_end(tr, *ib->origin);
            if (ib->right_origin) right = get_item_clean_start(tr, *ib->right_origin);
            if (offset == 0 || offset < len) {
              item* it = pool_.make();
              it->id = at;
              it->length = len;
              it->left = left;
              it->right = right;
              if (left != nullptr) {
                it->origin = left->last_id();
                it->info |= item::f_origin;
              }
              if (right != nullptr) {
                it->right_origin = right->id;
                it->info |= item::f_right_origin;
              }
              if (ib->content.countable()) it->info |= item::f_countable;
              it->content = std::move(ib->content);
              branch* parent = nullptr;
              const std::string* parent_sub = ib->parent_sub ? intern(*ib->parent_sub) : nullptr;
              if ((left != nullptr && left->is_gc()) || (right != nullptr && right->is_gc())) {
                parent = nullptr;
              } else if (std::holds_alternative<std::monostate>(ib->parent)) {
                if (left != nullptr) {
                  parent = left->parent;
                  parent_sub = left->parent_sub;
                } else if (right != nullptr) {
                  parent = right->parent;
                  parent_sub = right->parent_sub;
                }
              } else if (const auto* pid = std::get_if<crdt::id>(&ib->parent)) {
                item* pitem = get_item(*pid);
                auto* ct = pitem->is_gc() ? nullptr : pitem->content.get_if<content_type>();
                parent = ct != nullptr ? ct->inner.get() : nullptr;
              } else {
                parent = root(std::get<std::string>(ib->parent));
              }
              it->parent = parent;
              it->parent_sub = parent_sub;
              integrate_item(tr, it, offset);
            }
          } else if (offset == 0 || offset < len) {
            // GC struct
            item* it = pool_.make();
            it->id = {at.client, at.clock + offset};
            it->length = len - offset;
            it->info = item::f_gc | item::f_deleted;
            add_struct(tr, it);
          }
        }
      }
      if (!stack.empty()) {
        head = stack.back();
        stack.pop_back();
      } else if (cur != nullptr && !cur->removed && cur->i < cur->refs->size()) {
        head = entry{cur->client, &(*cur->refs)[cur->i++]};
      } else {
        cur = next_target();
        if (cur == nullptr) break;
        head = entry{cur->client, &(*cur->refs)[cur->i++]};
      }
    }
  }

  bytes rest_update;
  if (!rest.empty()) {
    decoded_update ru;
    for (auto it = rest.rbegin(); it != rest.rend(); ++it)
      ru.clients.push_back({it->first, std::move(it->second)});
    rest_update = encode_update(ru, update_format::v2);
  }

  bool retry = false;
  if (has_pending_structs_) {
    for (const auto& [client, clock] : pending_missing_) {
      if (clock < get_state(client)) {
        retry = true;
        break;
      }
    }
    if (!rest.empty()) {
      for (const auto& [client, clock] : missing_sv) {
        auto f = pending_missing_.find(client);
        if (f == pending_missing_.end() || f->second > clock) pending_missing_[client] = clock;
      }
      bytes_view parts[2] = {pending_update_, rest_update};
      auto merged = merge_updates(parts, update_format::v2);
      if (merged) pending_update_ = std::move(*merged);
    }
  } else if (!rest.empty()) {
    has_pending_structs_ = true;
    pending_update_ = std::move(rest_update);
    pending_missing_ = std::move(missing_sv);
  }

  // ---- delete set ----
  crdt::delete_set unapplied;
  apply_delete_set(tr, u.delete_set, &unapplied);
  if (has_pending_ds_) {
    crdt::delete_set unapplied2;
    crdt::delete_set old = std::move(pending_ds_);
    apply_delete_set(tr, old, &unapplied2);
    if (!unapplied.empty() && !unapplied2.empty()) {
      unapplied.merge(unapplied2);
      pending_ds_ = std::move(unapplied);
    } else if (!unapplied.empty()) {
      pending_ds_ = std::move(unapplied);
    } else {
      pending_ds_ = std::move(unapplied2);
    }
  } else {
    pending_ds_ = std::move(unapplied);
  }
  pending_ds_.sort_and_merge();
  has_pending_ds_ = !pending_ds_.empty();

  if (retry) {
    bytes upd = std::move(pending_update_);
    pending_update_.clear();
    has_pending_structs_ = false;
    pending_missing_.clear();
    auto decoded = decode_update(upd, update_format::v2);
    if (decoded) apply_decoded(tr, std::move(*decoded));
  }
}

void doc_impl::apply_delete_set(transaction& tr, const crdt::delete_set& ds, crdt::delete_set* unapplied) {
  for (const auto& [client, ranges] : ds.clients()) {
    struct_list* structs = structs_of(client);
    for (const auto& r : ranges) {
      const std::uint64_t state = get_state(client);
      const std::uint64_t clock = r.clock;
      const std::uint64_t clock_end = r.clock + r.length;
      if (clock < state) {
        if (state < clock_end) unapplied->add(client, state, clock_end - state);
        std::size_t index = find_index(*structs, clock);
        item* s = (*structs)[index];
        if (!s->deleted() && s->id.clock < clock) {
          item* right = split_item(tr, s, clock - s->id.clock);
          structs->insert(index + 1, right);
          index++;
        }
        while (index < structs->size()) {
          s = (*structs)[index++];
          if (s->id.clock < clock_end) {
            if (!s->deleted()) {
              if (clock_end < s->id.clock + s->length) {
                item* right = split_item(tr, s, clock_end - s->id.clock);
                structs->insert(index, right);
              }
              delete_item(tr, s);
            }
          } else {
            break;
          }
        }
      } else {
        unapplied->add(client, clock, clock_end - clock);
      }
    }
  }
}

}  // namespace zeal::crdt
