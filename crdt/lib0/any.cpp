#include "crdt/lib0/any.hpp"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <unordered_map>

namespace zeal::crdt::lib0 {

bool is_array_index_key(std::string_view key, std::uint32_t* index) {
  if (key.empty() || key.size() > 10) return false;
  if (key.size() > 1 && key[0] == '0') return false;
  std::uint64_t v = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > 4294967294ULL) return false;
  if (index) *index = static_cast<std::uint32_t>(v);
  return true;
}

namespace {

/// Sorts the array-index keys of `entries` (all distinct) in front, ascending; others keep their order.
void order_keys(any::object& entries) {
  auto mid = std::stable_partition(entries.begin(), entries.end(),
                                   [](const auto& e) { return is_array_index_key(e.first); });
  std::sort(entries.begin(), mid, [](const auto& a, const auto& b) {
    // Canonical decimal without leading zeros: shorter means smaller.
    if (a.first.size() != b.first.size()) return a.first.size() < b.first.size();
    return a.first < b.first;
  });
}

}  // namespace

any any::make_object(object entries) {
  object out;
  out.reserve(entries.size());
  if (entries.size() <= 8) {
    for (auto& e : entries) {
      auto it = std::find_if(out.begin(), out.end(), [&](const auto& o) { return o.first == e.first; });
      if (it != out.end()) {
        it->second = std::move(e.second);
      } else {
        out.push_back(std::move(e));
      }
    }
  } else {
    // Hash-based dedup so that huge untrusted objects stay linear. Keys are moved into `out` only after
    // all lookups reference `entries`, so the string_views stay valid.
    std::unordered_map<std::string_view, std::size_t> seen;
    seen.reserve(entries.size());
    std::vector<std::size_t> slot(entries.size());
    std::size_t distinct = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      auto [it, inserted] = seen.emplace(entries[i].first, distinct);
      if (inserted) ++distinct;
      slot[i] = it->second;
    }
    std::vector<std::size_t> first(distinct, SIZE_MAX);
    std::vector<std::size_t> last(distinct, 0);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (first[slot[i]] == SIZE_MAX) first[slot[i]] = i;
      last[slot[i]] = i;
    }
    seen.clear();
    for (std::size_t s = 0; s < distinct; ++s) {
      out.emplace_back(std::move(entries[first[s]].first), std::move(entries[last[s]].second));
    }
  }
  order_keys(out);
  any result;
  result.v_ = std::move(out);
  return result;
}

const any* any::find(std::string_view key) const {
  const auto* obj = std::get_if<object>(&v_);
  if (!obj) return nullptr;
  for (const auto& [k, v] : *obj) {
    if (k == key) return &v;
  }
  return nullptr;
}

void any::set(std::string key, any value) {
  if (!is_object()) v_ = object{};
  auto& obj = std::get<object>(v_);
  for (auto& [k, v] : obj) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  std::uint32_t idx = 0;
  if (is_array_index_key(key, &idx)) {
    auto pos = obj.begin();
    while (pos != obj.end()) {
      std::uint32_t other = 0;
      if (!is_array_index_key(pos->first, &other) || other > idx) break;
      ++pos;
    }
    obj.emplace(pos, std::move(key), std::move(value));
  } else {
    obj.emplace_back(std::move(key), std::move(value));
  }
}

}  // namespace zeal::crdt::lib0
