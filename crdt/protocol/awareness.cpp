#include "crdt/protocol/awareness.hpp"

#include <algorithm>
#include <utility>

namespace zeal::crdt::protocol {

namespace {

constexpr std::string_view null_json = "null";

bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

bool is_json_null(std::string_view json) {
  while (!json.empty() && is_json_space(json.front())) json.remove_prefix(1);
  while (!json.empty() && is_json_space(json.back())) json.remove_suffix(1);
  return json == null_json;
}

std::vector<awareness_entry> read_awareness_update(lib0::decoder& d, std::size_t max_entries,
                                                   std::size_t max_state_bytes) {
  const std::size_t count_offset = d.offset();
  const std::uint64_t n = d.read_var_uint();
  if (n > max_entries) {
    throw decode_error(
        "awareness update has " + std::to_string(n) + " entries (limit " + std::to_string(max_entries) + ")",
        count_offset);
  }
  std::vector<awareness_entry> out;
  // Every entry takes at least 3 bytes: never reserve more than the input can hold.
  out.reserve(std::min<std::size_t>(static_cast<std::size_t>(n), d.remaining() / 3));
  for (std::uint64_t i = 0; i < n; ++i) {
    awareness_entry e;
    e.client = d.read_var_uint();
    e.clock = d.read_var_uint();
    const std::size_t state_offset = d.offset();
    e.state_json = d.read_var_string_view();
    if (e.state_json.size() > max_state_bytes) {
      throw decode_error("awareness state of " + std::to_string(e.state_json.size()) + " bytes (limit " +
                             std::to_string(max_state_bytes) + ")",
                         state_offset);
    }
    out.push_back(e);
  }
  return out;
}

result<std::vector<awareness_entry>> decode_awareness_update(bytes_view update, std::size_t max_entries,
                                                             std::size_t max_state_bytes,
                                                             std::size_t base_offset) {
  try {
    lib0::decoder d(update, base_offset);
    return read_awareness_update(d, max_entries, max_state_bytes);
  } catch (const decode_error& e) {
    return e.err();
  }
}

bytes encode_awareness_update(std::span<const awareness_entry> entries) {
  lib0::encoder e;
  e.write_var_uint(entries.size());
  for (const auto& entry : entries) {
    e.write_var_uint(entry.client);
    e.write_var_uint(entry.clock);
    e.write_var_string(entry.state_json);
  }
  return e.take();
}

std::vector<std::uint64_t> awareness_change::all() const {
  std::vector<std::uint64_t> out;
  out.reserve(added.size() + updated.size() + removed.size());
  out.insert(out.end(), added.begin(), added.end());
  out.insert(out.end(), updated.begin(), updated.end());
  out.insert(out.end(), removed.begin(), removed.end());
  return out;
}

awareness::awareness(awareness_config config) : config_(config) {}

void awareness::set_owner(std::uint64_t client, entry& e, connection_id conn) {
  if (e.has_owner && e.owner == conn) return;
  clear_owner(client, e);
  e.has_owner = true;
  e.owner = conn;
  by_connection_[conn].insert(client);
}

void awareness::clear_owner(std::uint64_t client, entry& e) {
  if (!e.has_owner) return;
  auto it = by_connection_.find(e.owner);
  if (it != by_connection_.end()) {
    it->second.erase(client);
    if (it->second.empty()) by_connection_.erase(it);
  }
  e.has_owner = false;
  e.owner = 0;
}

void awareness::check_limits(std::span<const awareness_entry> entries, connection_id conn,
                             std::size_t base_offset) {
  std::unordered_set<std::uint64_t> new_owned;
  std::unordered_set<std::uint64_t> new_entries;
  auto count = [&] {
    new_owned.clear();
    new_entries.clear();
    for (const auto& in : entries) {
      auto it = entries_.find(in.client);
      if (it == entries_.end()) new_entries.insert(in.client);
      const bool owned = it != entries_.end() && it->second.has_owner && it->second.owner == conn;
      if (!owned && !is_json_null(in.state_json)) new_owned.insert(in.client);
    }
  };
  count();
  if (entries_.size() + new_entries.size() > config_.max_clients) {
    // Removal tombstones only guard against stale states: drop them before refusing.
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.has_state) {
        ++it;
      } else {
        it = entries_.erase(it);
      }
    }
    count();
  }
  if (entries_.size() + new_entries.size() > config_.max_clients) {
    throw decode_error("awareness table full (limit " + std::to_string(config_.max_clients) + " clients)",
                       base_offset);
  }
  auto conn_it = by_connection_.find(conn);
  const std::size_t owned_now = conn_it == by_connection_.end() ? 0 : conn_it->second.size();
  if (owned_now + new_owned.size() > config_.max_clients_per_connection) {
    throw decode_error("too many awareness clients on one connection (limit " +
                           std::to_string(config_.max_clients_per_connection) + ")",
                       base_offset);
  }
}

result<awareness_change> awareness::apply_update(bytes_view update, connection_id conn, awareness_time now,
                                                 std::size_t base_offset) {
  std::vector<awareness_entry> entries;
  try {
    lib0::decoder d(update, base_offset);
    entries = read_awareness_update(d, config_.max_entries_per_update, config_.max_state_bytes);
    check_limits(entries, conn, base_offset);
  } catch (const decode_error& e) {
    return e.err();
  }
  awareness_change change;
  for (const auto& in : entries) {
    auto it = entries_.find(in.client);
    const bool known = it != entries_.end();
    const std::uint64_t current_clock = known ? it->second.clock : 0;
    const bool had_state = known && it->second.has_state;
    const bool is_null = is_json_null(in.state_json);
    if (!(current_clock < in.clock || (current_clock == in.clock && is_null && had_state))) continue;
    entry& e = known ? it->second : entries_[in.client];
    if (is_null) {
      if (had_state) {
        e.has_state = false;
        e.state.clear();
        e.state.shrink_to_fit();
        --states_;
      }
      clear_owner(in.client, e);
    } else {
      bool text_changed = true;
      if (had_state) {
        text_changed = e.state != in.state_json;
      } else {
        e.has_state = true;
        e.order = next_order_++;
        ++states_;
      }
      if (text_changed) e.state.assign(in.state_json);
      set_owner(in.client, e, conn);
      if (had_state) {
        change.updated.push_back(in.client);
        if (text_changed) change.updated_changed.push_back(in.client);
      } else {
        change.added.push_back(in.client);
      }
    }
    e.clock = in.clock;
    e.last_updated = now;
    // y-protocols reports a newer null for a known client as removed even if it held no state; a null for
    // an unknown client only records its clock (a tombstone).
    if (is_null && known) change.removed.push_back(in.client);
  }
  return change;
}

bytes awareness::encode_all() const {
  std::vector<awareness_entry> out;
  for (auto client : clients()) {
    const entry& e = entries_.at(client);
    out.push_back({client, e.clock, e.state});
  }
  return encode_awareness_update(out);
}

bytes awareness::encode_clients(std::span<const std::uint64_t> clients) const {
  std::vector<awareness_entry> out;
  out.reserve(clients.size());
  for (auto client : clients) {
    auto it = entries_.find(client);
    if (it == entries_.end()) continue;
    const entry& e = it->second;
    out.push_back({client, e.clock, e.has_state ? std::string_view(e.state) : null_json});
  }
  return encode_awareness_update(out);
}

bytes awareness::encode_removal(std::span<const std::uint64_t> clients) const {
  std::vector<awareness_entry> out;
  out.reserve(clients.size());
  for (auto client : clients) {
    auto it = entries_.find(client);
    if (it == entries_.end()) continue;
    std::uint64_t clock = it->second.clock;
    if (clock <= lib0::max_safe_integer - config_.removal_clock_increment) {
      clock += config_.removal_clock_increment;
    }
    out.push_back({client, clock, null_json});
  }
  return encode_awareness_update(out);
}

awareness_removal awareness::remove(std::span<const std::uint64_t> clients, awareness_time now) {
  awareness_removal out;
  std::vector<awareness_entry> encoded;
  for (auto client : clients) {
    auto it = entries_.find(client);
    if (it == entries_.end() || !it->second.has_state) continue;
    entry& e = it->second;
    e.has_state = false;
    e.state.clear();
    e.state.shrink_to_fit();
    --states_;
    if (e.clock <= lib0::max_safe_integer - config_.removal_clock_increment) {
      e.clock += config_.removal_clock_increment;
    }
    e.last_updated = now;
    clear_owner(client, e);
    out.clients.push_back(client);
    encoded.push_back({client, e.clock, null_json});
  }
  if (!encoded.empty()) out.update = encode_awareness_update(encoded);
  return out;
}

awareness_removal awareness::remove_connection(connection_id conn, awareness_time now) {
  auto it = by_connection_.find(conn);
  if (it == by_connection_.end()) return {};
  std::vector<std::pair<std::uint64_t, std::uint64_t>> order;  // (order, client)
  for (auto client : it->second) order.emplace_back(entries_.at(client).order, client);
  std::sort(order.begin(), order.end());
  std::vector<std::uint64_t> clients;
  clients.reserve(order.size());
  for (const auto& [ord, client] : order) clients.push_back(client);
  auto out = remove(clients, now);
  by_connection_.erase(conn);  // normally already empty: remove() cleared every owner
  return out;
}

awareness_removal awareness::expire(awareness_time now) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> outdated;  // (order, client)
  for (auto it = entries_.begin(); it != entries_.end();) {
    const entry& e = it->second;
    const bool old = now - e.last_updated >= config_.timeout;
    if (old && !e.has_state) {
      it = entries_.erase(it);  // a tombstone: it has no owner
      continue;
    }
    if (old) outdated.emplace_back(e.order, it->first);
    ++it;
  }
  std::sort(outdated.begin(), outdated.end());
  std::vector<std::uint64_t> clients;
  clients.reserve(outdated.size());
  for (const auto& [ord, client] : outdated) clients.push_back(client);
  return remove(clients, now);
}

std::vector<std::uint64_t> awareness::clients() const {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> order;
  order.reserve(states_);
  for (const auto& [client, e] : entries_) {
    if (e.has_state) order.emplace_back(e.order, client);
  }
  std::sort(order.begin(), order.end());
  std::vector<std::uint64_t> out;
  out.reserve(order.size());
  for (const auto& [ord, client] : order) out.push_back(client);
  return out;
}

std::optional<std::string_view> awareness::state(std::uint64_t client) const {
  auto it = entries_.find(client);
  if (it == entries_.end() || !it->second.has_state) return std::nullopt;
  return std::string_view(it->second.state);
}

std::optional<std::uint64_t> awareness::clock(std::uint64_t client) const {
  auto it = entries_.find(client);
  if (it == entries_.end()) return std::nullopt;
  return it->second.clock;
}

std::optional<connection_id> awareness::owner(std::uint64_t client) const {
  auto it = entries_.find(client);
  if (it == entries_.end() || !it->second.has_owner) return std::nullopt;
  return it->second.owner;
}

std::vector<std::uint64_t> awareness::connection_clients(connection_id conn) const {
  auto it = by_connection_.find(conn);
  if (it == by_connection_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

}  // namespace zeal::crdt::protocol
