// Y.Text editing (Yjs YText.js: ItemTextListPosition, insertText, formatText, deleteText, the formatting
// gap cleanups and cleanupYTextAfterTransaction).
#include <algorithm>

#include "crdt/doc/edit.hpp"

namespace zeal::crdt {

namespace {

/// An attribute value; `src` identifies the format item it came from (JS reference identity).
struct attr_val {
  lib0::any value;
  const item* src = nullptr;
};

/// A JS Map<string, value> (insertion order).
class attr_map {
 public:
  const attr_val* get(const std::string& key) const {
    for (const auto& kv : entries_) {
      if (kv.first == key) return &kv.second;
    }
    return nullptr;
  }
  void set(const std::string& key, attr_val v) {
    for (auto& kv : entries_) {
      if (kv.first == key) {
        kv.second = std::move(v);
        return;
      }
    }
    entries_.emplace_back(key, std::move(v));
  }
  void erase(const std::string& key) {
    entries_.erase(
        std::remove_if(entries_.begin(), entries_.end(), [&](const auto& kv) { return kv.first == key; }),
        entries_.end());
  }
  bool empty() const { return entries_.empty(); }
  const std::vector<std::pair<std::string, attr_val>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, attr_val>> entries_;
};

bool is_primitive(const lib0::any& v) {
  return !v.is_object() && !v.is_array() && !v.is_bytes();
}

/// JS ===.
bool strict_eq(const attr_val& a, const attr_val& b) {
  if (a.src != nullptr && a.src == b.src) return true;
  return is_primitive(a.value) && is_primitive(b.value) && a.value == b.value;
}

/// Yjs equalAttrs: a === b, or both objects with flat-equal entries.
bool equal_attrs(const attr_val& a, const attr_val& b) {
  if (strict_eq(a, b)) return true;
  if (a.value.is_object() && b.value.is_object()) {
    const auto& x = a.value.as_object();
    const auto& y = b.value.as_object();
    if (x.size() != y.size()) return false;
    for (const auto& [k, v] : x) {
      const auto* w = b.value.find(k);
      if (w == nullptr || !strict_eq({v, nullptr}, {*w, nullptr})) return false;
    }
    return true;
  }
  return false;
}

const attr_val null_val{lib0::any(lib0::null_t{}), nullptr};

attr_val format_val(const item* it) {
  return {it->content.get_if<content_format>()->value, it};
}
const std::string& format_key(const item* it) {
  return it->content.get_if<content_format>()->key;
}
bool is_format(const item* it) {
  return !it->is_gc() && it->content.ref() == content_ref::format;
}

void update_current(attr_map& attrs, const item* fmt) {
  attr_val v = format_val(fmt);
  if (v.value.is_null()) {
    attrs.erase(format_key(fmt));
  } else {
    attrs.set(format_key(fmt), std::move(v));
  }
}

struct text_pos {
  item* left = nullptr;
  item* right = nullptr;
  std::uint64_t index = 0;
  attr_map current;

  void forward() {
    if (right == nullptr) return;
    if (is_format(right)) {
      if (!right->deleted()) update_current(current, right);
    } else if (!right->deleted()) {
      index += right->length;
    }
    left = right;
    right = right->right;
  }
};

void find_next_position(doc_impl& d, transaction& tr, text_pos& pos, std::uint64_t count) {
  while (pos.right != nullptr && count > 0) {
    if (is_format(pos.right)) {
      if (!pos.right->deleted()) update_current(pos.current, pos.right);
    } else if (!pos.right->deleted()) {
      if (count < pos.right->length)
        d.get_item_clean_start(tr, {pos.right->id.client, pos.right->id.clock + count});
      pos.index += pos.right->length;
      count -= std::min(count, pos.right->length);
    }
    pos.left = pos.right;
    pos.right = pos.right->right;
  }
}

text_pos find_position(doc_impl& d, transaction& tr, branch* parent, std::uint64_t index, bool use_marker) {
  text_pos pos;
  search_marker* marker = use_marker ? find_marker(d, parent, index) : nullptr;
  if (marker != nullptr) {
    pos.left = marker->p->left;
    pos.right = marker->p;
    pos.index = marker->index;
    find_next_position(d, tr, pos, index - marker->index);
  } else {
    pos.right = parent->start;
    find_next_position(d, tr, pos, index);
  }
  return pos;
}

item* insert_format(doc_impl& d, transaction& tr, branch* parent, text_pos& pos, const std::string& key,
                    const lib0::any& value) {
  return insert_local(d, tr, pos.left, pos.right, parent, nullptr, content_format{key, value});
}

void insert_negated_attributes(doc_impl& d, transaction& tr, branch* parent, text_pos& pos,
                               attr_map& negated) {
  while (
      pos.right != nullptr &&
      (pos.right->deleted() || (is_format(pos.right) && negated.get(format_key(pos.right)) != nullptr &&
                                equal_attrs(*negated.get(format_key(pos.right)), format_val(pos.right))))) {
    if (!pos.right->deleted()) negated.erase(format_key(pos.right));
    pos.forward();
  }
  for (const auto& [key, val] : negated.entries()) {
    pos.right = insert_format(d, tr, parent, pos, key, val.value);
    pos.forward();
  }
}

/// `attrs` in JS object order; values are user values (no identity).
using attr_list = std::vector<std::pair<std::string, lib0::any>>;

const lib0::any* find_attr(const attr_list& attrs, const std::string& key) {
  for (const auto& kv : attrs) {
    if (kv.first == key) return &kv.second;
  }
  return nullptr;
}

void minimize_attribute_changes(text_pos& pos, const attr_list& attrs) {
  while (pos.right != nullptr) {
    if (pos.right->deleted()) {
      pos.forward();
      continue;
    }
    if (is_format(pos.right)) {
      const lib0::any* a = find_attr(attrs, format_key(pos.right));
      attr_val av = a != nullptr ? attr_val{*a, nullptr} : null_val;
      if (equal_attrs(av, format_val(pos.right))) {
        pos.forward();
        continue;
      }
    }
    break;
  }
}

attr_map insert_attributes(doc_impl& d, transaction& tr, branch* parent, text_pos& pos,
                           const attr_list& attrs) {
  attr_map negated;
  for (const auto& [key, val] : attrs) {
    const attr_val* cur = pos.current.get(key);
    attr_val current_val = cur != nullptr ? *cur : null_val;
    if (!equal_attrs(current_val, {val, nullptr})) {
      negated.set(key, current_val);
      pos.right = insert_format(d, tr, parent, pos, key, val);
      pos.forward();
    }
  }
  return negated;
}

std::size_t cleanup_formatting_gap(doc_impl& d, transaction& tr, item* start, item* curr,
                                   const attr_map& start_attrs, attr_map& curr_attrs) {
  item* end = start;
  std::vector<std::pair<std::string, const item*>> end_formats;
  while (end != nullptr && (!end->countable() || end->deleted())) {
    if (!end->deleted() && is_format(end)) {
      auto f = std::find_if(end_formats.begin(), end_formats.end(),
                            [&](const auto& kv) { return kv.first == format_key(end); });
      if (f != end_formats.end()) {
        f->second = end;
      } else {
        end_formats.emplace_back(format_key(end), end);
      }
    }
    end = end->right;
  }
  std::size_t cleanups = 0;
  bool reached_curr = false;
  while (start != end) {
    if (curr == start) reached_curr = true;
    if (!start->deleted() && is_format(start)) {
      const std::string& key = format_key(start);
      attr_val value = format_val(start);
      const attr_val* sav = start_attrs.get(key);
      attr_val start_val = sav != nullptr ? *sav : null_val;
      auto f = std::find_if(end_formats.begin(), end_formats.end(),
                            [&](const auto& kv) { return kv.first == key; });
      const item* end_fmt = f != end_formats.end() ? f->second : nullptr;
      if (end_fmt != start || strict_eq(start_val, value)) {
        d.delete_item(tr, start);
        ++cleanups;
        const attr_val* cav = curr_attrs.get(key);
        attr_val curr_val = cav != nullptr ? *cav : null_val;
        if (!reached_curr && strict_eq(curr_val, value) && !strict_eq(start_val, value)) {
          if (start_val.value.is_null()) {
            curr_attrs.erase(key);
          } else {
            curr_attrs.set(key, start_val);
          }
        }
      }
      if (!reached_curr && !start->deleted()) update_current(curr_attrs, start);
    }
    start = start->right;
  }
  return cleanups;
}

void cleanup_contextless_formatting_gap(doc_impl& d, transaction& tr, item* it) {
  while (it != nullptr && it->right != nullptr && (it->right->deleted() || !it->right->countable()))
    it = it->right;
  std::vector<std::string> seen;
  while (it != nullptr && (it->deleted() || !it->countable())) {
    if (!it->deleted() && is_format(it)) {
      const std::string& key = format_key(it);
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
        d.delete_item(tr, it);
      } else {
        seen.push_back(key);
      }
    }
    it = it->left;
  }
}

std::size_t cleanup_text_formatting(doc_impl& d, transaction& tr, branch* type) {
  std::size_t res = 0;
  item* start = type->start;
  item* end = type->start;
  attr_map start_attrs;
  attr_map current;
  while (end != nullptr) {
    if (!end->deleted()) {
      if (is_format(end)) {
        update_current(current, end);
      } else {
        res += cleanup_formatting_gap(d, tr, start, end, start_attrs, current);
        start_attrs = current;
        start = end;
      }
    }
    end = end->right;
  }
  return res;
}

void delete_text(doc_impl& d, transaction& tr, text_pos& pos, std::uint64_t length) {
  const std::uint64_t start_length = length;
  attr_map start_attrs = pos.current;
  item* start = pos.right;
  while (length > 0 && pos.right != nullptr) {
    if (!pos.right->deleted()) {
      content_ref r = pos.right->content.ref();
      if (r == content_ref::type || r == content_ref::embed || r == content_ref::string) {
        if (length < pos.right->length)
          d.get_item_clean_start(tr, {pos.right->id.client, pos.right->id.clock + length});
        length -= std::min(length, pos.right->length);
        d.delete_item(tr, pos.right);
      }
    }
    pos.forward();
  }
  if (start != nullptr) cleanup_formatting_gap(d, tr, start, pos.right, start_attrs, pos.current);
  item* ref = pos.left != nullptr ? pos.left : pos.right;
  branch* parent = ref != nullptr ? ref->parent : nullptr;
  if (parent != nullptr && !parent->markers.empty()) {
    update_marker_changes(parent, pos.index,
                          -static_cast<std::int64_t>(start_length) + static_cast<std::int64_t>(length));
  }
}

}  // namespace

void text_insert(doc_impl& d, transaction& tr, branch* parent, std::uint64_t index, content c,
                 const text_attributes* attrs_in) {
  if (c.length() == 0) return;
  const bool is_embed = c.ref() != content_ref::string;
  // Yjs: insert(index, text) without attributes uses a search marker and inherits the current format;
  // insertEmbed without attributes uses a marker and gets {}.
  text_pos pos = find_position(d, tr, parent, index, attrs_in == nullptr);
  attr_list attrs;
  if (attrs_in != nullptr) {
    lib0::any obj = lib0::any::make_object(*attrs_in);
    attrs = obj.as_object();
  } else if (!is_embed) {
    for (const auto& [k, v] : pos.current.entries()) attrs.emplace_back(k, v.value);
  }
  for (const auto& [k, v] : pos.current.entries()) {
    if (find_attr(attrs, k) == nullptr) attrs.emplace_back(k, lib0::any(lib0::null_t{}));
  }
  minimize_attribute_changes(pos, attrs);
  attr_map negated = insert_attributes(d, tr, parent, pos, attrs);
  if (!parent->markers.empty())
    update_marker_changes(parent, pos.index, static_cast<std::int64_t>(c.length()));
  const std::uint64_t index_before = pos.index;
  item* right = insert_local(d, tr, pos.left, pos.right, parent, nullptr, std::move(c));
  pos.right = right;
  pos.index = index_before;
  pos.forward();
  insert_negated_attributes(d, tr, parent, pos, negated);
}

void text_delete(doc_impl& d, transaction& tr, branch* parent, std::uint64_t index, std::uint64_t len) {
  if (len == 0) return;
  text_pos pos = find_position(d, tr, parent, index, true);
  delete_text(d, tr, pos, len);
}

void text_format(doc_impl& d, transaction& tr, branch* parent, std::uint64_t index, std::uint64_t length,
                 const text_attributes& attrs_in) {
  if (length == 0) return;
  text_pos pos = find_position(d, tr, parent, index, false);
  if (pos.right == nullptr) return;
  lib0::any obj = lib0::any::make_object(attrs_in);
  const attr_list& attrs = obj.as_object();
  minimize_attribute_changes(pos, attrs);
  attr_map negated = insert_attributes(d, tr, parent, pos, attrs);
  while (pos.right != nullptr &&
         (length > 0 || (!negated.empty() && (pos.right->deleted() || is_format(pos.right))))) {
    if (!pos.right->deleted()) {
      if (is_format(pos.right)) {
        const std::string key = format_key(pos.right);
        attr_val value = format_val(pos.right);
        const lib0::any* attr = find_attr(attrs, key);
        if (attr != nullptr) {
          if (equal_attrs({*attr, nullptr}, value)) {
            negated.erase(key);
          } else {
            if (length == 0) break;
            negated.set(key, value);
          }
          d.delete_item(tr, pos.right);
        } else {
          pos.current.set(key, value);
        }
      } else {
        if (length < pos.right->length)
          d.get_item_clean_start(tr, {pos.right->id.client, pos.right->id.clock + length});
        length -= std::min(length, pos.right->length);
      }
    }
    pos.forward();
  }
  if (length > 0) {
    std::u16string newlines(length, u'\n');
    pos.right = insert_local(d, tr, pos.left, pos.right, parent, nullptr, content_string{newlines});
    pos.forward();
  }
  insert_negated_attributes(d, tr, parent, pos, negated);
}

/// cleanupYTextAfterTransaction: `tr` is the finished remote transaction, `fmt` the new local one.
void format_cleanup_after_remote(doc_impl& d, transaction& tr, transaction& fmt) {
  std::vector<branch*> need_full;
  auto add_full = [&](branch* b) {
    if (std::find(need_full.begin(), need_full.end(), b) == need_full.end()) need_full.push_back(b);
  };
  for (const auto& [client, before] : tr.before) {
    const struct_list& structs = d.clients_.at(client);
    if (structs.empty() || structs.back()->end_clock() == before) continue;
    for (std::size_t i = doc_impl::find_index(structs, before); i < structs.size(); ++i) {
      const item* it = structs[i];
      if (!it->deleted() && is_format(it)) add_full(it->parent);
    }
  }
  for (const ds_entry& del : tr.ds) {
    struct_list* structs = d.structs_of(del.client);
    if (structs == nullptr || structs->empty()) continue;
    if (del.clock >= structs->back()->end_clock()) continue;
    std::size_t i = doc_impl::find_index(*structs, del.clock);
    const std::uint64_t end_clock = del.clock + del.length;
    for (; i < structs->size() && (*structs)[i]->id.clock < end_clock; ++i) {
      item* it = (*structs)[i];
      if (it->is_gc() || it->parent == nullptr || !it->parent->has_formatting) continue;
      if (std::find(need_full.begin(), need_full.end(), it->parent) != need_full.end()) continue;
      if (is_format(it)) {
        add_full(it->parent);
      } else {
        cleanup_contextless_formatting_gap(d, fmt, it);
      }
    }
  }
  for (branch* b : need_full) cleanup_text_formatting(d, fmt, b);
}

}  // namespace zeal::crdt
