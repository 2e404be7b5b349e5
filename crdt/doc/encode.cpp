// Encoding the document: structs (Item.write / GC.write / writeStructs), state vector, delete set from the
// store, encodeStateAsUpdate with pending structs and deletes.
#include <algorithm>

#include "crdt/doc/doc_impl.hpp"
#include "crdt/update/update_encoder.hpp"

namespace zeal::crdt {

void doc_impl::write_item(update_encoder& enc, const item* it, std::uint64_t offset) const {
  if (it->is_gc()) {
    enc.write_info(0);
    enc.write_len(it->length - offset);
    return;
  }
  const bool has_origin = offset > 0 || it->has_origin();
  const crdt::id origin = offset > 0 ? crdt::id{it->id.client, it->id.clock + offset - 1} : it->origin;
  const std::uint8_t info = static_cast<std::uint8_t>(
      (static_cast<std::uint8_t>(it->content.ref()) & 0x1f) | (has_origin ? 0x80 : 0) |
      (it->has_right_origin() ? 0x40 : 0) | (it->parent_sub != nullptr ? 0x20 : 0));
  enc.write_info(info);
  if (has_origin) enc.write_left_id(origin);
  if (it->has_right_origin()) enc.write_right_id(it->right_origin);
  if (!has_origin && !it->has_right_origin()) {
    const branch* parent = it->parent;
    if (parent->owner == nullptr) {
      enc.write_parent_info(true);
      enc.write_string(parent->root_name != nullptr ? std::string_view(*parent->root_name)
                                                    : std::string_view{});
    } else {
      enc.write_parent_info(false);
      enc.write_left_id(parent->owner->id);
    }
    if (it->parent_sub != nullptr) enc.write_string(*it->parent_sub);
  }
  it->content.write(enc, offset);
}

void doc_impl::write_structs(update_encoder& enc, const struct_list& structs, std::uint64_t client,
                             std::uint64_t clock) const {
  clock = std::max(clock, structs[0]->id.clock);
  const std::size_t start = find_index(structs, clock);
  enc.rest().write_var_uint(structs.size() - start);
  enc.write_client(client);
  enc.rest().write_var_uint(clock);
  const item* first = structs[start];
  write_item(enc, first, clock - first->id.clock);
  for (std::size_t i = start + 1; i < structs.size(); ++i) write_item(enc, structs[i], 0);
}

void doc_impl::write_clients_structs(update_encoder& enc, const crdt::state_vector& sv) const {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> sm;
  for (auto it = clients_.rbegin(); it != clients_.rend(); ++it) {
    if (it->second.empty()) continue;
    const std::uint64_t clock = sv.get(it->first);
    if (it->second.back()->end_clock() > clock) sm.emplace_back(it->first, clock);
  }
  enc.rest().write_var_uint(sm.size());
  for (const auto& [client, clock] : sm) write_structs(enc, clients_.at(client), client, clock);
}

namespace {

void write_ds(update_encoder& enc, const crdt::delete_set& ds) {
  std::size_t n = 0;
  for (const auto& [client, ranges] : ds.clients()) {
    if (!ranges.empty()) ++n;
  }
  enc.rest().write_var_uint(n);
  for (auto it = ds.clients().rbegin(); it != ds.clients().rend(); ++it) {
    if (it->second.empty()) continue;
    enc.reset_ds_cur_val();
    enc.rest().write_var_uint(it->first);
    enc.rest().write_var_uint(it->second.size());
    for (const auto& r : it->second) {
      enc.write_ds_clock(r.clock);
      enc.write_ds_len(r.length);
    }
  }
}

}  // namespace

crdt::delete_set doc_impl::store_delete_set() const {
  crdt::delete_set ds;
  for (const auto& [client, structs] : clients_) {
    std::vector<delete_range> ranges;
    for (std::size_t i = 0; i < structs.size(); ++i) {
      const item* s = structs[i];
      if (!s->deleted()) continue;
      std::uint64_t clock = s->id.clock;
      std::uint64_t len = s->length;
      while (i + 1 < structs.size() && structs[i + 1]->deleted()) len += structs[++i]->length;
      ranges.push_back({clock, len});
    }
    if (!ranges.empty()) ds.clients().emplace(client, std::move(ranges));
  }
  return ds;
}

crdt::state_vector doc_impl::state_vector() const {
  crdt::state_vector sv;
  for (const auto& [client, structs] : clients_) {
    if (!structs.empty()) sv.set(client, structs.back()->end_clock());
  }
  return sv;
}

bytes doc_impl::pending_ds_update() const {
  auto enc = make_update_encoder(update_format::v2);
  enc->rest().write_var_uint(0);
  write_ds(*enc, pending_ds_);
  return enc->to_bytes();
}

bytes doc_impl::encode_state(update_format format, const crdt::state_vector& sv) const {
  auto enc = make_update_encoder(format);
  write_clients_structs(*enc, sv);
  write_ds(*enc, store_delete_set());
  bytes main = enc->to_bytes();
  if (!has_pending_ds_ && !has_pending_structs_) return main;
  std::vector<bytes> others;
  if (has_pending_ds_) others.push_back(pending_ds_update());
  if (has_pending_structs_) {
    bytes esv = sv.encode();
    auto diffed = diff_update(pending_update_, esv, update_format::v2);
    if (diffed) others.push_back(std::move(*diffed));
  }
  if (others.empty()) return main;
  if (format == update_format::v1) {
    for (auto& o : others) {
      auto conv = convert_update(o, update_format::v2, update_format::v1);
      if (conv) o = std::move(*conv);
    }
  }
  std::vector<bytes_view> parts;
  parts.emplace_back(main);
  for (const auto& o : others) parts.emplace_back(o);
  auto merged = merge_updates(parts, format);
  return merged ? std::move(*merged) : main;
}

}  // namespace zeal::crdt
