// Struct store: per-client sorted struct arrays, lookup, clean splits and merges (Yjs StructStore.js,
// splitItem, Item.mergeWith, tryToMergeWithLefts).
#include <cassert>
#include <random>

#include "crdt/doc/doc_impl.hpp"

namespace zeal::crdt {

std::uint64_t random_client_id() {
  static thread_local std::mt19937 rng{std::random_device{}()};
  return rng() & 0xffffffffu;
}

doc_impl::doc_impl(doc_options opts) : opts_(opts) {
  client_id_ = opts.client_id != 0 ? opts.client_id : random_client_id();
}

doc_impl::~doc_impl() = default;

std::uint64_t doc_impl::get_state(std::uint64_t client) const {
  auto it = clients_.find(client);
  if (it == clients_.end() || it->second.empty()) return 0;
  const item* last = it->second.back();
  return last->id.clock + last->length;
}

struct_list* doc_impl::structs_of(std::uint64_t client) {
  auto it = clients_.find(client);
  return it == clients_.end() ? nullptr : &it->second;
}

const struct_list* doc_impl::structs_of(std::uint64_t client) const {
  auto it = clients_.find(client);
  return it == clients_.end() ? nullptr : &it->second;
}

std::size_t doc_impl::find_index(const struct_list& structs, std::uint64_t clock) {
  return structs.find(clock);
}

item* doc_impl::get_item(crdt::id at) {
  struct_list& structs = clients_.at(at.client);
  return structs[find_index(structs, at.clock)];
}

item* doc_impl::split_item(transaction& tr, item* left, std::uint64_t diff) {
  item* right = pool_.make();
  right->id = {left->id.client, left->id.clock + diff};
  right->length = left->length - diff;
  right->origin = {left->id.client, left->id.clock + diff - 1};
  right->info =
      static_cast<std::uint8_t>((left->info & (item::f_keep | item::f_countable | item::f_deleted)) |
                                item::f_origin | (left->info & item::f_right_origin));
  right->right_origin = left->right_origin;
  right->parent = left->parent;
  right->parent_sub = left->parent_sub;
  right->content = left->content.split(diff);
  right->left = left;
  right->right = left->right;
  left->right = right;
  if (right->right != nullptr) right->right->left = right;
  tr.merge_structs.push_back(right->id);
  if (right->parent_sub != nullptr && right->right == nullptr && right->parent != nullptr) {
    right->parent->map[right->parent_sub] = right;
  }
  left->length = diff;
  return right;
}

item* doc_impl::get_item_clean_start(transaction& tr, crdt::id at) {
  struct_list& structs = clients_.at(at.client);
  std::size_t index = find_index(structs, at.clock);
  item* s = structs[index];
  if (s->id.clock < at.clock && !s->is_gc()) {
    item* r = split_item(tr, s, at.clock - s->id.clock);
    structs.insert(index + 1, r);
    return r;
  }
  return s;
}

item* doc_impl::get_item_clean_end(transaction& tr, crdt::id at) {
  struct_list& structs = clients_.at(at.client);
  std::size_t index = find_index(structs, at.clock);
  item* s = structs[index];
  if (at.clock != s->id.clock + s->length - 1 && !s->is_gc()) {
    item* r = split_item(tr, s, at.clock - s->id.clock + 1);
    structs.insert(index + 1, r);
  }
  return s;
}

void doc_impl::add_struct(transaction& tr, item* s) {
  std::uint64_t client = s->id.client;
  bool found = false;
  for (auto& [c, clock] : tr.before) {
    if (c == client) {
      found = true;
      break;
    }
  }
  struct_list& structs = clients_[client];
  if (!found) {
    std::uint64_t state = structs.empty() ? 0 : structs.back()->end_clock();
    tr.before.emplace_back(client, state);
  }
  assert(structs.empty() || structs.back()->end_clock() == s->id.clock);
  structs.push_back(s);
}

std::uint64_t doc_impl::before_state(const transaction& tr, std::uint64_t client) const {
  for (const auto& [c, clock] : tr.before) {
    if (c == client) return clock;
  }
  return get_state(client);
}

bool doc_impl::merge_with(item* left, item* right) {
  if (left->is_gc() != right->is_gc()) return false;
  if (left->is_gc()) {
    left->length += right->length;
    return true;
  }
  if (!right->has_origin() || right->origin != left->last_id()) return false;
  if (left->right != right) return false;
  if (left->has_right_origin() != right->has_right_origin()) return false;
  if (left->has_right_origin() && left->right_origin != right->right_origin) return false;
  if (left->id.client != right->id.client || left->id.clock + left->length != right->id.clock) return false;
  if (left->deleted() != right->deleted()) return false;
  if (left->content.ref() != right->content.ref()) return false;
  if (!left->content.try_merge(right->content)) return false;
  if (branch* p = left->parent; p != nullptr && !p->markers.empty()) {
    for (auto& m : p->markers) {
      if (m.p == right) {
        m.p = left;
        if (!left->deleted() && left->countable()) m.index -= left->length;
      }
    }
  }
  if (right->keep()) left->info |= item::f_keep;
  left->right = right->right;
  if (left->right != nullptr) left->right->left = left;
  left->length += right->length;
  return true;
}

std::size_t doc_impl::try_to_merge_with_lefts(struct_list& structs, std::size_t pos) {
  item* right = structs[pos];
  std::size_t i = pos;
  for (; i > 0; --i) {
    item* left = structs[i - 1];
    if (left->deleted() == right->deleted() && left->is_gc() == right->is_gc() && merge_with(left, right)) {
      if (!right->is_gc() && right->parent_sub != nullptr && right->parent != nullptr) {
        auto it = right->parent->map.find(right->parent_sub);
        if (it != right->parent->map.end() && it->second == right) it->second = left;
      }
      pool_.release(right);
      right = left;
      continue;
    }
    break;
  }
  std::size_t merged = pos - i;
  if (merged > 0) {
    structs.erase(pos + 1 - merged, pos + 1);
  }
  return merged;
}

const std::string* doc_impl::intern(std::string_view key) {
  auto it = keys_.find(std::string(key));
  if (it != keys_.end()) return &*it;
  return &*keys_.insert(std::string(key)).first;
}

const std::string* doc_impl::find_interned(std::string_view key) const {
  auto it = keys_.find(std::string(key));
  return it == keys_.end() ? nullptr : &*it;
}

std::shared_ptr<branch> doc_impl::root_ptr(std::string_view name) {
  auto it = roots_.find(name);
  if (it != roots_.end()) return it->second;
  auto b = std::make_shared<branch>();
  auto [pos, inserted] = roots_.emplace(std::string(name), b);
  b->root_name = &pos->first;
  return b;
}

branch* doc_impl::root(std::string_view name) {
  return root_ptr(name).get();
}

}  // namespace zeal::crdt
