#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crdt/update/update.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace zeal::fuzz {

/// Shape of a decoded update that survives re-encoding: clients in order, their block counts, and the
/// delete set (compared sorted and merged: decoding keeps the ranges as written, which may overlap).
inline bool same_shape(const crdt::decoded_update& a, const crdt::decoded_update& b) {
  if (a.clients.size() != b.clients.size()) return false;
  for (std::size_t i = 0; i < a.clients.size(); ++i) {
    if (a.clients[i].client != b.clients[i].client) return false;
    if (a.clients[i].blocks.size() != b.clients[i].blocks.size()) return false;
  }
  crdt::delete_set da = a.delete_set;
  crdt::delete_set db = b.delete_set;
  da.sort_and_merge();
  db.sort_and_merge();
  return da == db;
}

/// Decode → encode → decode gives the same shape and encoding is a fixpoint; the doc-less operations accept
/// what decodes.
inline void check_update(const std::uint8_t* data, std::size_t size, crdt::update_format format) {
  const crdt::bytes_view input(data, size);
  auto decoded = crdt::decode_update(input, format);
  // Doc-less operations must never crash, whatever the input.
  auto sv = crdt::state_vector_from_update(input, format);
  const std::uint8_t empty_sv[] = {0};
  auto diff = crdt::diff_update(input, empty_sv, format);
  const crdt::bytes_view one[] = {input};
  auto merged = crdt::merge_updates(one, format);
  const auto other = format == crdt::update_format::v1 ? crdt::update_format::v2 : crdt::update_format::v1;
  auto converted = crdt::convert_update(input, format, other);
  if (!decoded.ok()) return;

  const crdt::bytes encoded = crdt::encode_update(*decoded, format);
  auto again = crdt::decode_update(encoded, format);
  ZEAL_FUZZ_CHECK(again.ok());
  ZEAL_FUZZ_CHECK(same_shape(*decoded, *again));
  ZEAL_FUZZ_CHECK(crdt::encode_update(*again, format) == encoded);

  ZEAL_FUZZ_CHECK(sv.ok());
  auto sv_decoded = crdt::state_vector::decode(*sv);
  ZEAL_FUZZ_CHECK(sv_decoded.ok());
  ZEAL_FUZZ_CHECK(diff.ok());
  // Yjs mergeUpdates of a single update returns it unchanged.
  ZEAL_FUZZ_CHECK(merged.ok());
  ZEAL_FUZZ_CHECK(crdt::bytes(input.begin(), input.end()) == *merged);
  ZEAL_FUZZ_CHECK(converted.ok());
  auto back = crdt::convert_update(*converted, other, format);
  ZEAL_FUZZ_CHECK(back.ok());
  // Merging with itself and with the empty update is accepted too.
  const crdt::bytes empty = crdt::empty_update(format);
  const crdt::bytes_view two[] = {input, empty, input};
  auto merged2 = crdt::merge_updates(two, format);
  ZEAL_FUZZ_CHECK(merged2.ok());
  ZEAL_FUZZ_CHECK(crdt::decode_update(*merged2, format).ok());
}

}  // namespace zeal::fuzz
