// Local editing of lists and maps, and Yjs's array search markers.
#include "crdt/doc/edit.hpp"

#include "crdt/lib0/utf.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace zeal::crdt {

namespace {
constexpr std::size_t max_search_marker = 80;

void set_marker_flag(item* p, bool on) {
  if (on) {
    p->info |= item::f_marker;
  } else {
    p->info &= static_cast<std::uint8_t>(~item::f_marker);
  }
}
bool marker_flag(const item* p) {
  return (p->info & item::f_marker) != 0;
}

void overwrite_marker(doc_impl& d, search_marker& m, item* p, std::uint64_t index) {
  set_marker_flag(m.p, false);
  m.p = p;
  set_marker_flag(p, true);
  m.index = index;
  m.timestamp = d.marker_clock_++;
}

search_marker* mark_position(doc_impl& d, branch* b, item* p, std::uint64_t index) {
  if (b->markers.size() >= max_search_marker) {
    auto oldest = std::min_element(
        b->markers.begin(), b->markers.end(),
        [](const search_marker& x, const search_marker& y) { return x.timestamp < y.timestamp; });
    overwrite_marker(d, *oldest, p, index);
    return &*oldest;
  }
  if (b->markers.capacity() < max_search_marker) b->markers.reserve(max_search_marker);
  set_marker_flag(p, true);
  b->markers.push_back({p, index, d.marker_clock_++});
  return &b->markers.back();
}

std::uint64_t absdiff(std::uint64_t a, std::uint64_t b) {
  return a > b ? a - b : b - a;
}

}  // namespace

item* insert_local(doc_impl& d, transaction& tr, item* left, item* right, branch* parent,
                   const std::string* key, content c) {
  item* it = d.pool_.make();
  it->id = {d.client_id_, d.get_state(d.client_id_)};
  it->length = c.length();
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
  if (c.countable()) it->info |= item::f_countable;
  it->parent = parent;
  it->parent_sub = key;
  it->content = std::move(c);
  d.integrate_item(tr, it, 0);
  return it;
}

search_marker* find_marker(doc_impl& d, branch* b, std::uint64_t index) {
  if (b->start == nullptr || index == 0 || !b->markers_enabled) return nullptr;
  search_marker* marker = nullptr;
  for (auto& m : b->markers) {
    if (marker == nullptr || !(absdiff(index, marker->index) < absdiff(index, m.index))) marker = &m;
  }
  item* p = b->start;
  std::uint64_t pindex = 0;
  if (marker != nullptr) {
    p = marker->p;
    pindex = marker->index;
    marker->timestamp = d.marker_clock_++;
  }
  while (p->right != nullptr && pindex < index) {
    if (p->visible()) {
      if (index < pindex + p->length) break;
      pindex += p->length;
    }
    p = p->right;
  }
  while (p->left != nullptr && pindex > index) {
    p = p->left;
    if (p->visible()) pindex -= p->length;
  }
  while (p->left != nullptr && p->left->id.client == p->id.client &&
         p->left->id.clock + p->left->length == p->id.clock) {
    p = p->left;
    if (p->visible()) pindex -= p->length;
  }
  if (marker != nullptr && static_cast<double>(absdiff(marker->index, pindex)) <
                               static_cast<double>(b->length) / max_search_marker) {
    overwrite_marker(d, *marker, p, pindex);
    return marker;
  }
  return mark_position(d, b, p, pindex);
}

void update_marker_changes(branch* b, std::uint64_t index, std::int64_t len) {
  auto& ms = b->markers;
  for (std::size_t k = ms.size(); k-- > 0;) {
    search_marker& m = ms[k];
    if (len > 0) {
      item* p = m.p;
      set_marker_flag(p, false);
      while (p != nullptr && (p->deleted() || !p->countable())) {
        p = p->left;
        if (p != nullptr && p->visible()) m.index -= p->length;
      }
      if (p == nullptr || marker_flag(p)) {
        ms.erase(ms.begin() + static_cast<std::ptrdiff_t>(k));
        continue;
      }
      m.p = p;
      set_marker_flag(p, true);
    }
    if (index < m.index || (len > 0 && index == m.index)) {
      std::int64_t moved = static_cast<std::int64_t>(m.index) + len;
      m.index = std::max<std::int64_t>(static_cast<std::int64_t>(index), moved);
    }
  }
}

std::vector<content> contents_from_values(const std::vector<lib0::any>& values) {
  std::vector<content> out;
  std::vector<lib0::any> run;
  auto pack = [&]() {
    if (!run.empty()) {
      out.emplace_back(content_any{std::move(run)});
      run.clear();
    }
  };
  for (const auto& v : values) {
    if (v.is_bytes()) {
      pack();
      out.emplace_back(content_binary{v.as_bytes()});
    } else {
      run.push_back(v);
    }
  }
  pack();
  return out;
}

void list_insert_after(doc_impl& d, transaction& tr, branch* parent, item* ref,
                       std::vector<content> contents) {
  item* left = ref;
  item* right = ref == nullptr ? parent->start : ref->right;
  for (auto& c : contents) left = insert_local(d, tr, left, right, parent, nullptr, std::move(c));
}

namespace {
std::uint64_t total_length(const std::vector<content>& contents) {
  std::uint64_t n = 0;
  for (const auto& c : contents) n += c.length();
  return n;
}
}  // namespace

void list_insert(doc_impl& d, transaction& tr, branch* parent, std::uint64_t index,
                 std::vector<content> contents) {
  if (contents.empty()) return;
  index = std::min(index, parent->length);
  const std::int64_t len = static_cast<std::int64_t>(total_length(contents));
  if (index == 0) {
    if (!parent->markers.empty()) update_marker_changes(parent, index, len);
    list_insert_after(d, tr, parent, nullptr, std::move(contents));
    return;
  }
  const std::uint64_t start_index = index;
  search_marker* marker = find_marker(d, parent, index);
  item* n = parent->start;
  if (marker != nullptr) {
    n = marker->p;
    index -= marker->index;
    if (index == 0) {
      n = n->left;  // Yjs: n.prev (the left undeleted item)
      while (n != nullptr && n->deleted()) n = n->left;
      index += (n != nullptr && n->visible()) ? n->length : 0;
    }
  }
  for (; n != nullptr; n = n->right) {
    if (n->visible()) {
      if (index <= n->length) {
        if (index < n->length) d.get_item_clean_start(tr, {n->id.client, n->id.clock + index});
        break;
      }
      index -= n->length;
    }
  }
  if (!parent->markers.empty()) update_marker_changes(parent, start_index, len);
  list_insert_after(d, tr, parent, n, std::move(contents));
}

void list_push(doc_impl& d, transaction& tr, branch* parent, std::vector<content> contents) {
  if (contents.empty()) return;
  item* n = parent->start;
  std::uint64_t best = 0;
  for (const auto& m : parent->markers) {
    if (m.index > best) {
      best = m.index;
      n = m.p;
    }
  }
  if (n != nullptr) {
    while (n->right != nullptr) n = n->right;
  }
  list_insert_after(d, tr, parent, n, std::move(contents));
}

void list_delete(doc_impl& d, transaction& tr, branch* parent, std::uint64_t index, std::uint64_t length) {
  if (length == 0) return;
  const std::uint64_t start_index = index;
  const std::uint64_t start_length = length;
  search_marker* marker = find_marker(d, parent, index);
  item* n = parent->start;
  if (marker != nullptr) {
    n = marker->p;
    index -= marker->index;
  }
  for (; n != nullptr && index > 0; n = n->right) {
    if (n->visible()) {
      if (index < n->length) d.get_item_clean_start(tr, {n->id.client, n->id.clock + index});
      index -= std::min(index, n->length);
    }
  }
  while (length > 0 && n != nullptr) {
    if (!n->deleted()) {
      if (length < n->length) d.get_item_clean_start(tr, {n->id.client, n->id.clock + length});
      d.delete_item(tr, n);
      length -= std::min(length, n->length);
    }
    n = n->right;
  }
  if (!parent->markers.empty()) {
    update_marker_changes(parent, start_index,
                          -static_cast<std::int64_t>(start_length) + static_cast<std::int64_t>(length));
  }
}

void map_set(doc_impl& d, transaction& tr, branch* parent, std::string_view key, content c) {
  if (!lib0::is_valid_utf8(key)) return;  // keys are written as UTF-8 strings
  const std::string* k = d.intern(key);
  auto f = parent->map.find(k);
  item* left = f == parent->map.end() ? nullptr : f->second;
  insert_local(d, tr, left, nullptr, parent, k, std::move(c));
}

void map_delete(doc_impl& d, transaction& tr, branch* parent, std::string_view key) {
  const std::string* k = d.find_interned(key);
  if (k == nullptr) return;
  auto f = parent->map.find(k);
  if (f != parent->map.end()) d.delete_item(tr, f->second);
}

const item* map_get_item(const doc_impl& d, const branch* parent, std::string_view key) {
  const std::string* k = d.find_interned(key);
  if (k == nullptr) return nullptr;
  auto f = parent->map.find(k);
  if (f == parent->map.end() || f->second->deleted()) return nullptr;
  return f->second;
}

std::shared_ptr<branch> inner_of(const item* it) {
  if (it == nullptr || it->is_gc()) return nullptr;
  const auto* ct = it->content.get_if<content_type>();
  return ct != nullptr ? ct->inner : nullptr;
}

}  // namespace zeal::crdt
