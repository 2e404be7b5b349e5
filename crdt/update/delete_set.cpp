#include "crdt/update/delete_set.hpp"

#include <algorithm>
#include <string>

#include "crdt/lib0/decoder.hpp"
#include "crdt/lib0/error.hpp"
#include "crdt/update/update_decoder.hpp"
#include "crdt/update/update_encoder.hpp"

namespace zeal::crdt {

void delete_set::add(std::uint64_t client, std::uint64_t clock, std::uint64_t length) {
  clients_[client].push_back({clock, length});
}

void delete_set::sort_and_merge() {
  // sortAndMergeDeleteSet: stable sort by clock, then merge overlapping or adjacent ranges in place.
  for (auto& [client, dels] : clients_) {
    std::stable_sort(dels.begin(), dels.end(),
                     [](const delete_range& a, const delete_range& b) { return a.clock < b.clock; });
    std::size_t j = 1;
    for (std::size_t i = 1; i < dels.size(); ++i) {
      auto& left = dels[j - 1];
      const auto& right = dels[i];
      if (left.clock + left.length >= right.clock) {
        left.length = std::max(left.length, right.clock + right.length - left.clock);
      } else {
        if (j < i) dels[j] = right;
        ++j;
      }
    }
    if (!dels.empty()) dels.resize(j);
  }
}

void delete_set::merge(const delete_set& other) {
  for (const auto& [client, dels] : other.clients_) {
    auto& mine = clients_[client];
    mine.insert(mine.end(), dels.begin(), dels.end());
  }
  sort_and_merge();
}

bool delete_set::contains(id v) const {
  auto it = clients_.find(v.client);
  if (it == clients_.end()) return false;
  const auto& dels = it->second;
  // findIndexDS: the last range starting at or before the clock.
  auto pos = std::upper_bound(dels.begin(), dels.end(), v.clock,
                              [](std::uint64_t clock, const delete_range& r) { return clock < r.clock; });
  if (pos == dels.begin()) return false;
  --pos;
  return v.clock < pos->clock + pos->length;
}

bool delete_set::empty() const {
  return std::all_of(clients_.begin(), clients_.end(), [](const auto& e) { return e.second.empty(); });
}

namespace {

/// v2 writes each range relative to the end of the previous one, so ranges must be ascending, disjoint
/// and non-empty. Yjs always writes such sets; a v1 input may carry others (then Yjs writes garbage).
bool writable_as_v2(const std::map<std::uint64_t, std::vector<delete_range>>& clients) {
  for (const auto& [client, dels] : clients) {
    std::uint64_t end = 0;
    for (const auto& r : dels) {
      if (r.length == 0 || r.clock < end) return false;
      end = r.clock + r.length;
    }
  }
  return true;
}

}  // namespace

void delete_set::write(update_encoder& enc) const {
  if (enc.format() == update_format::v2 && !writable_as_v2(clients_)) {
    delete_set normalized = *this;
    normalized.sort_and_merge();
    for (auto& [client, dels] : normalized.clients_) {
      std::erase_if(dels, [](const delete_range& r) { return r.length == 0; });
    }
    normalized.write(enc);
    return;
  }
  std::uint64_t n = 0;
  for (const auto& e : clients_) n += e.second.empty() ? 0 : 1;
  enc.rest().write_var_uint(n);
  for (auto it = clients_.rbegin(); it != clients_.rend(); ++it) {
    const auto& [client, dels] = *it;
    if (dels.empty()) continue;
    enc.reset_ds_cur_val();
    enc.rest().write_var_uint(client);
    enc.rest().write_var_uint(dels.size());
    for (const auto& r : dels) {
      enc.write_ds_clock(r.clock);
      enc.write_ds_len(r.length);
    }
  }
}

delete_set delete_set::read(update_decoder& dec) {
  // readDeleteSet: ranges are kept in wire order (not sorted); repeated clients are appended.
  delete_set ds;
  auto& rest = dec.rest();
  const auto at = rest.offset();
  const auto num_clients = rest.read_var_uint();
  // Each client takes at least two bytes (client, #ranges).
  if (num_clients > rest.remaining() / 2) {
    throw decode_error("delete set client count " + std::to_string(num_clients) + " exceeds the input", at);
  }
  for (std::uint64_t i = 0; i < num_clients; ++i) {
    dec.reset_ds_cur_val();
    const auto client = rest.read_var_uint();
    const auto count_at = rest.offset();
    const auto num_ranges = rest.read_var_uint();
    if (num_ranges == 0) continue;
    // Each range takes at least two bytes (clock, length) in v1 and v2 alike.
    if (num_ranges > rest.remaining() / 2) {
      throw decode_error("delete set range count " + std::to_string(num_ranges) + " exceeds the input",
                         count_at);
    }
    auto& dels = ds.clients_[client];
    dels.reserve(dels.size() + num_ranges);
    for (std::uint64_t j = 0; j < num_ranges; ++j) {
      const auto range_at = rest.offset();
      const auto clock = dec.read_ds_clock();
      const auto len = dec.read_ds_len();
      if (len == 0) throw decode_error("delete range of length 0", range_at);
      if (clock > lib0::max_safe_integer || len > lib0::max_safe_integer - clock) {
        throw decode_error("delete range beyond 2^53", range_at);
      }
      dels.push_back({clock, len});
    }
  }
  return ds;
}

}  // namespace zeal::crdt
