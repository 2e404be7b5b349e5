// The public Y.Doc facade.
#include "crdt/doc/doc.hpp"

#include "crdt/doc/doc_impl.hpp"

namespace zeal::crdt {

doc::doc(doc_options opts) : impl_(std::make_unique<doc_impl>(opts)) {}
doc::~doc() = default;
doc::doc(doc&&) noexcept = default;
doc& doc::operator=(doc&&) noexcept = default;

std::uint64_t doc::client_id() const {
  return impl_->client_id_;
}

status doc::apply_update(bytes_view update, update_format format) {
  return impl_->apply(update, format);
}

bytes doc::encode_state_as_update(update_format format, const crdt::state_vector& sv) const {
  return impl_->encode_state(format, sv);
}

result<bytes> doc::encode_state_as_update(bytes_view encoded_state_vector, update_format format) const {
  auto sv = crdt::state_vector::decode(encoded_state_vector);
  if (!sv) return sv.err();
  return impl_->encode_state(format, *sv);
}

crdt::state_vector doc::state_vector() const {
  return impl_->state_vector();
}

crdt::delete_set doc::delete_set() const {
  return impl_->store_delete_set();
}

pending_info doc::pending() const {
  pending_info p;
  if (impl_->has_pending_structs_) p.missing = impl_->pending_missing_;
  p.pending_deletes = impl_->has_pending_ds_;
  return p;
}

std::vector<std::string> doc::root_names() const {
  std::vector<std::string> names;
  for (const auto& [name, b] : impl_->roots_) names.push_back(name);
  return names;
}

std::string doc::to_json() const {
  return impl_->to_json();
}

namespace {
std::shared_ptr<branch> typed_root(doc_impl& d, std::string_view name, type_ref ref) {
  auto b = d.root_ptr(name);
  if (!b->typed) {
    b->typed = true;
    b->ref = ref;
    b->markers_enabled = (ref == type_ref::array || ref == type_ref::text) && !b->has_formatting;
  }
  return b;
}
}  // namespace

text doc::get_text(std::string_view root) {
  return text(impl_.get(), typed_root(*impl_, root, type_ref::text));
}
map doc::get_map(std::string_view root) {
  return map(impl_.get(), typed_root(*impl_, root, type_ref::map));
}
array doc::get_array(std::string_view root) {
  return array(impl_.get(), typed_root(*impl_, root, type_ref::array));
}
xml_fragment doc::get_xml_fragment(std::string_view root) {
  return xml_fragment(impl_.get(), typed_root(*impl_, root, type_ref::xml_fragment));
}

void doc::transact(const std::function<void()>& fn) {
  impl_->begin(true);
  try {
    fn();
  } catch (...) {
    impl_->end();
    throw;
  }
  impl_->end();
}

void doc::on_update(std::function<void(bytes_view update_v1)> fn) {
  impl_->on_update_ = std::move(fn);
}

std::size_t doc::struct_count() const {
  std::size_t n = 0;
  for (const auto& [client, structs] : impl_->clients_) n += structs.size();
  return n;
}

}  // namespace zeal::crdt
