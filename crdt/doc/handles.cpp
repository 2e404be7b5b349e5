// The shared-type handles (Y.Text, Y.Map, Y.Array, Y.Xml*): thin wrappers over edit.hpp / read.hpp.
#include <algorithm>

#include "crdt/doc/array.hpp"
#include "crdt/doc/edit.hpp"
#include "crdt/doc/map.hpp"
#include "crdt/doc/read.hpp"
#include "crdt/doc/text.hpp"
#include "crdt/doc/xml.hpp"
#include "crdt/lib0/utf.hpp"

namespace zeal::crdt {

namespace {
bool usable(doc_impl* d, const std::shared_ptr<branch>& b) {
  return d != nullptr && b != nullptr && !b->gced;
}

content type_content(type_ref ref, std::string name = {}) {
  content_type ct;
  ct.ref = ref;
  ct.name = std::move(name);
  return content(std::move(ct));
}

/// Content for a map value (typeMapSet): binary → ContentBinary, else ContentAny.
content value_content(const lib0::any& v) {
  if (v.is_bytes()) return content(content_binary{v.as_bytes()});
  return content(content_any{{v}});
}
}  // namespace

std::string type_handle::to_json() const {
  std::string out;
  if (branch_) write_json(out, branch_to_any(branch_.get()));
  return out;
}

lib0::any type_handle::to_any() const {
  return branch_ ? branch_to_any(branch_.get()) : lib0::any();
}

// ---- text ----

std::uint64_t text::length() const {
  return branch_ ? branch_->length : 0;
}

std::string text::to_string() const {
  return branch_ ? text_string(branch_.get()) : std::string();
}

void text::insert(std::uint64_t index, std::string_view utf8, const text_attributes& attrs) {
  if (!usable(doc_, branch_) || utf8.empty() || !lib0::is_valid_utf8(utf8)) return;
  local_txn t(*doc_);
  text_insert(*doc_, t.tr(), branch_.get(), index, content(content_string{lib0::utf8_to_utf16(utf8)}),
              attrs.empty() ? nullptr : &attrs);
}

void text::insert_embed(std::uint64_t index, const lib0::any& embed, const text_attributes& attrs) {
  if (!usable(doc_, branch_)) return;
  local_txn t(*doc_);
  text_insert(*doc_, t.tr(), branch_.get(), index, content(content_embed{embed}),
              attrs.empty() ? nullptr : &attrs);
}

void text::remove(std::uint64_t index, std::uint64_t len) {
  if (!usable(doc_, branch_) || len == 0) return;
  local_txn t(*doc_);
  text_delete(*doc_, t.tr(), branch_.get(), index, len);
}

void text::format(std::uint64_t index, std::uint64_t len, const text_attributes& attrs) {
  if (!usable(doc_, branch_) || len == 0) return;
  local_txn t(*doc_);
  text_format(*doc_, t.tr(), branch_.get(), index, len, attrs);
}

std::vector<delta_op> text::delta() const {
  return branch_ ? text_delta(branch_.get()) : std::vector<delta_op>{};
}

// ---- map ----

void map::set(std::string_view key, const lib0::any& value) {
  if (!usable(doc_, branch_)) return;
  local_txn t(*doc_);
  map_set(*doc_, t.tr(), branch_.get(), key, value_content(value));
}

namespace {
std::shared_ptr<branch> map_set_type(doc_impl* d, branch* b, std::string_view key, type_ref ref) {
  local_txn t(*d);
  map_set(*d, t.tr(), b, key, type_content(ref));
  const std::string* k = d->find_interned(key);
  auto f = b->map.find(k);
  return f == b->map.end() ? nullptr : inner_of(f->second);
}
}  // namespace

text map::set_text(std::string_view key) {
  if (!usable(doc_, branch_)) return {};
  return text(doc_, map_set_type(doc_, branch_.get(), key, type_ref::text));
}
map map::set_map(std::string_view key) {
  if (!usable(doc_, branch_)) return {};
  return map(doc_, map_set_type(doc_, branch_.get(), key, type_ref::map));
}
array map::set_array(std::string_view key) {
  if (!usable(doc_, branch_)) return {};
  return array(doc_, map_set_type(doc_, branch_.get(), key, type_ref::array));
}

void map::remove(std::string_view key) {
  if (!usable(doc_, branch_)) return;
  local_txn t(*doc_);
  map_delete(*doc_, t.tr(), branch_.get(), key);
}

std::optional<lib0::any> map::get(std::string_view key) const {
  if (!branch_) return std::nullopt;
  const item* it = map_get_item(*doc_, branch_.get(), key);
  if (it == nullptr) return std::nullopt;
  return map_value(it, 0);
}

namespace {
std::shared_ptr<branch> nested(const doc_impl* d, const branch* b, std::string_view key, type_ref ref) {
  if (b == nullptr) return nullptr;
  auto inner = inner_of(map_get_item(*d, b, key));
  return inner && inner->ref == ref ? inner : nullptr;
}
}  // namespace

text map::get_text(std::string_view key) const {
  return text(doc_, nested(doc_, branch_.get(), key, type_ref::text));
}
map map::get_map(std::string_view key) const {
  return map(doc_, nested(doc_, branch_.get(), key, type_ref::map));
}
array map::get_array(std::string_view key) const {
  return array(doc_, nested(doc_, branch_.get(), key, type_ref::array));
}

bool map::has(std::string_view key) const {
  return branch_ && map_get_item(*doc_, branch_.get(), key) != nullptr;
}

std::vector<std::string> map::keys() const {
  std::vector<std::string> out;
  if (!branch_) return out;
  for (const auto& [k, it] : branch_->map) {
    if (!it->deleted()) out.push_back(*k);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::size_t map::size() const {
  return keys().size();
}

// ---- array ----

void array::insert(std::uint64_t index, const std::vector<lib0::any>& values) {
  if (!usable(doc_, branch_) || values.empty()) return;
  local_txn t(*doc_);
  list_insert(*doc_, t.tr(), branch_.get(), index, contents_from_values(values));
}

void array::push(const std::vector<lib0::any>& values) {
  if (!usable(doc_, branch_) || values.empty()) return;
  local_txn t(*doc_);
  list_push(*doc_, t.tr(), branch_.get(), contents_from_values(values));
}

namespace {
/// Inserts one nested type at index and returns its branch.
std::shared_ptr<branch> list_insert_type(doc_impl* d, branch* b, std::uint64_t index, type_ref ref,
                                         std::string name = {}) {
  local_txn t(*d);
  std::vector<content> cs;
  cs.push_back(type_content(ref, std::move(name)));
  list_insert(*d, t.tr(), b, index, std::move(cs));
  const item* it = d->clients_.at(d->client_id_).back();
  return inner_of(it);
}
}  // namespace

text array::insert_text(std::uint64_t index) {
  if (!usable(doc_, branch_)) return {};
  return text(doc_, list_insert_type(doc_, branch_.get(), index, type_ref::text));
}
map array::insert_map(std::uint64_t index) {
  if (!usable(doc_, branch_)) return {};
  return map(doc_, list_insert_type(doc_, branch_.get(), index, type_ref::map));
}
array array::insert_array(std::uint64_t index) {
  if (!usable(doc_, branch_)) return {};
  return array(doc_, list_insert_type(doc_, branch_.get(), index, type_ref::array));
}

void array::remove(std::uint64_t index, std::uint64_t len) {
  if (!usable(doc_, branch_) || len == 0) return;
  local_txn t(*doc_);
  list_delete(*doc_, t.tr(), branch_.get(), index, len);
}

std::uint64_t array::length() const {
  return branch_ ? branch_->length : 0;
}

std::vector<lib0::any> array::to_vector() const {
  std::vector<lib0::any> out;
  if (!branch_) return out;
  for (const item* n = branch_->start; n != nullptr; n = n->right) {
    if (n->visible()) content_values(n->content, out, 0);
  }
  return out;
}

lib0::any array::get(std::uint64_t index) const {
  if (!branch_) return {};
  for (const item* n = branch_->start; n != nullptr; n = n->right) {
    if (!n->visible()) continue;
    if (index < n->length) {
      std::vector<lib0::any> vals;
      content_values(n->content, vals, 0);
      return index < vals.size() ? vals[index] : lib0::any();
    }
    index -= n->length;
  }
  return {};
}

// ---- xml ----

xml_element xml_fragment::insert_element(std::uint64_t index, std::string_view node_name) {
  if (!usable(doc_, branch_) || !lib0::is_valid_utf8(node_name)) return {};
  return xml_element(
      doc_, list_insert_type(doc_, branch_.get(), index, type_ref::xml_element, std::string(node_name)));
}

xml_text xml_fragment::insert_text(std::uint64_t index) {
  if (!usable(doc_, branch_)) return {};
  return xml_text(doc_, list_insert_type(doc_, branch_.get(), index, type_ref::xml_text));
}

void xml_fragment::remove(std::uint64_t index, std::uint64_t len) {
  if (!usable(doc_, branch_) || len == 0) return;
  local_txn t(*doc_);
  list_delete(*doc_, t.tr(), branch_.get(), index, len);
}

std::uint64_t xml_fragment::length() const {
  return branch_ ? branch_->length : 0;
}

std::string xml_fragment::to_string() const {
  if (!branch_) return {};
  render_kind k = kind_of(branch_.get());
  if (k == render_kind::none) k = render_kind::xml_fragment;
  return xml_string(branch_.get(), k);
}

std::string xml_element::node_name() const {
  return branch_ ? branch_->name : std::string();
}

void xml_element::set_attribute(std::string_view name, const lib0::any& value) {
  if (!usable(doc_, branch_)) return;
  local_txn t(*doc_);
  map_set(*doc_, t.tr(), branch_.get(), name, value_content(value));
}

void xml_element::remove_attribute(std::string_view name) {
  if (!usable(doc_, branch_)) return;
  local_txn t(*doc_);
  map_delete(*doc_, t.tr(), branch_.get(), name);
}

std::optional<lib0::any> xml_element::get_attribute(std::string_view name) const {
  if (!branch_) return std::nullopt;
  const item* it = map_get_item(*doc_, branch_.get(), name);
  if (it == nullptr) return std::nullopt;
  return map_value(it, 0);
}

std::string xml_text::to_string() const {
  return branch_ ? xml_string(branch_.get(), render_kind::xml_text) : "";
}

}  // namespace zeal::crdt
