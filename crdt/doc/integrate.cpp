// Item integration (Yjs Item.integrate / getMissing / delete / gc) and the transaction's bookkeeping.
#include <algorithm>
#include <unordered_set>

#include "crdt/doc/doc_impl.hpp"

namespace zeal::crdt {

void doc_impl::add_to_ds(transaction& tr, std::uint64_t client, std::uint64_t clock, std::uint64_t len) {
  if (!tr.ds.empty()) {
    ds_entry& last = tr.ds.back();
    if (last.client == client && last.clock + last.length == clock) {
      last.length += len;
      return;
    }
  }
  tr.ds.push_back({client, clock, len});
}

void doc_impl::add_changed(transaction& tr, branch* type) {
  if (type == nullptr) return;
  if (!tr.local && !type->markers.empty()) {
    for (auto& m : type->markers) {
      if (m.p != nullptr) m.p->info &= static_cast<std::uint8_t>(~item::f_marker);
    }
    type->markers.clear();
  }
  // Yjs addChangedTypeToTransaction: roots, or existing undeleted types.
  if (type->owner != nullptr &&
      !(type->owner->id.clock < before_state(tr, type->owner->id.client) && !type->owner->deleted())) {
    return;
  }
  if (!tr.changed.empty() && tr.changed.back() == type) return;
  if (std::find(tr.changed.begin(), tr.changed.end(), type) == tr.changed.end()) tr.changed.push_back(type);
}

namespace {

// Deletes one item's own state (no recursion into a nested type's children).
bool delete_shallow(doc_impl& d, transaction& tr, item* it) {
  if (it->deleted()) return false;
  branch* parent = it->parent;
  if (parent != nullptr && it->countable() && it->parent_sub == nullptr) parent->length -= it->length;
  it->mark_deleted();
  d.add_to_ds(tr, it->id.client, it->id.clock, it->length);
  d.add_changed(tr, parent);
  return true;
}

}  // namespace

void doc_impl::delete_item(transaction& tr, item* it) {
  if (!delete_shallow(*this, tr, it)) return;
  auto* ct = it->content.get_if<content_type>();
  if (ct == nullptr || !ct->inner) return;
  // ContentType.delete, iteratively (nested types may be arbitrarily deep).
  std::vector<branch*> work{ct->inner.get()};
  auto visit = [&](item* child) {
    if (!child->deleted()) {
      delete_shallow(*this, tr, child);
      if (auto* cct = child->content.get_if<content_type>(); cct != nullptr && cct->inner) {
        work.push_back(cct->inner.get());
      }
    } else if (child->id.clock < before_state(tr, child->id.client)) {
      tr.merge_structs.push_back(child->id);
    }
  };
  while (!work.empty()) {
    branch* b = work.back();
    work.pop_back();
    for (item* n = b->start; n != nullptr; n = n->right) visit(n);
    for (auto& [key, n] : b->map) visit(n);
  }
}

void doc_impl::gc_item(item* it, bool parent_gcd) {
  // Item.gc + ContentType.gc, iteratively.
  std::vector<item*> work;
  auto collect = [&](item* x) {
    auto* ct = x->content.get_if<content_type>();
    if (ct == nullptr || !ct->inner) return;
    branch* b = ct->inner.get();
    for (item* n = b->start; n != nullptr; n = n->right) work.push_back(n);
    for (auto& [key, n] : b->map) {
      for (item* m = n; m != nullptr; m = m->left) work.push_back(m);
    }
    b->start = nullptr;
    b->map.clear();
    b->markers.clear();
    b->owner = nullptr;
    b->gced = true;
  };
  auto to_gc = [&](item* x) {
    x->content = content{};
    x->info = item::f_gc | item::f_deleted;
    x->left = nullptr;
    x->right = nullptr;
    x->parent = nullptr;
    x->parent_sub = nullptr;
  };
  collect(it);
  if (parent_gcd) {
    to_gc(it);
  } else {
    it->content = content_deleted{it->length};
  }
  while (!work.empty()) {
    item* x = work.back();
    work.pop_back();
    if (x->is_gc()) continue;
    collect(x);
    to_gc(x);
  }
}

void doc_impl::integrate_item(transaction& tr, item* it, std::uint64_t offset) {
  if (offset > 0) {
    it->id.clock += offset;
    it->left = get_item_clean_end(tr, {it->id.client, it->id.clock - 1});
    it->origin = it->left->last_id();
    it->info |= item::f_origin;
    content rest = it->content.split(offset);
    it->content = std::move(rest);
    it->length -= offset;
    if (it->left->is_gc()) it->parent = nullptr;  // Yjs would crash here; integrate as GC instead
  }
  branch* parent = it->parent;
  if (parent == nullptr) {
    // Integrate a GC struct instead.
    it->content = content{};
    it->info = item::f_gc | item::f_deleted;
    it->left = it->right = nullptr;
    it->parent_sub = nullptr;
    add_struct(tr, it);
    return;
  }
  auto same = [](bool ha, const id& a, bool hb, const id& b) { return ha == hb && (!ha || a == b); };
  item* left = it->left;
  if ((left == nullptr && (it->right == nullptr || it->right->left != nullptr)) ||
      (left != nullptr && left->right != it->right)) {
    item* o = nullptr;
    if (left != nullptr) {
      o = left->right;
    } else if (it->parent_sub != nullptr) {
      auto f = parent->map.find(it->parent_sub);
      o = f == parent->map.end() ? nullptr : f->second;
      while (o != nullptr && o->left != nullptr) o = o->left;
    } else {
      o = parent->start;
    }
    std::unordered_set<item*> conflicting;
    std::unordered_set<item*> before_origin;
    while (o != nullptr && o != it->right) {
      before_origin.insert(o);
      conflicting.insert(o);
      if (same(it->has_origin(), it->origin, o->has_origin(), o->origin)) {
        if (o->id.client < it->id.client) {
          left = o;
          conflicting.clear();
        } else if (same(it->has_right_origin(), it->right_origin, o->has_right_origin(), o->right_origin)) {
          break;
        }
      } else if (o->has_origin() && before_origin.count(get_item(o->origin)) > 0) {
        if (conflicting.count(get_item(o->origin)) == 0) {
          left = o;
          conflicting.clear();
        }
      } else {
        break;
      }
      o = o->right;
    }
    it->left = left;
  }
  if (it->left != nullptr) {
    it->right = it->left->right;
    it->left->right = it;
  } else {
    item* r = nullptr;
    if (it->parent_sub != nullptr) {
      auto f = parent->map.find(it->parent_sub);
      r = f == parent->map.end() ? nullptr : f->second;
      while (r != nullptr && r->left != nullptr) r = r->left;
    } else {
      r = parent->start;
      parent->start = it;
    }
    it->right = r;
  }
  if (it->right != nullptr) {
    it->right->left = it;
  } else if (it->parent_sub != nullptr) {
    parent->map[it->parent_sub] = it;
    if (it->left != nullptr) delete_item(tr, it->left);
  }
  if (it->parent_sub == nullptr && it->countable() && !it->deleted()) parent->length += it->length;
  add_struct(tr, it);
  // content.integrate
  switch (it->content.ref()) {
    case content_ref::string: {
      auto& str = it->content.get_if<content_string>()->text;
      if (str.capacity() > str.size() + 8) str.shrink_to_fit();  // decoded strings may be over-allocated
      break;
    }
    case content_ref::deleted:
      add_to_ds(tr, it->id.client, it->id.clock, it->length);
      it->mark_deleted();
      break;
    case content_ref::type: {
      auto* ct = it->content.get_if<content_type>();
      auto b = std::make_shared<branch>();
      b->owner = it;
      b->typed = true;
      b->ref = ct->ref;
      b->name = ct->name;
      b->markers_enabled =
          ct->ref == type_ref::array || ct->ref == type_ref::text || ct->ref == type_ref::xml_text;
      ct->inner = std::move(b);
      break;
    }
    case content_ref::format:
      parent->has_formatting = true;
      parent->markers_enabled = false;
      for (auto& m : parent->markers) {
        if (m.p != nullptr) m.p->info &= static_cast<std::uint8_t>(~item::f_marker);
      }
      parent->markers.clear();
      if (!it->deleted()) tr.format_parents.push_back(parent);
      break;
    default:
      break;
  }
  add_changed(tr, parent);
  if ((parent->owner != nullptr && parent->owner->deleted()) ||
      (it->parent_sub != nullptr && it->right != nullptr)) {
    delete_item(tr, it);
  }
}

}  // namespace zeal::crdt
