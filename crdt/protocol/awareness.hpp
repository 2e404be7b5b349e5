#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crdt/lib0/bytes.hpp"
#include "crdt/lib0/decoder.hpp"
#include "crdt/lib0/encoder.hpp"
#include "crdt/lib0/error.hpp"

namespace zeal::crdt::protocol {

/// Identifies a connection to the server (the caller picks the values).
using connection_id = std::uint64_t;
using awareness_clock = std::chrono::steady_clock;
using awareness_time = awareness_clock::time_point;

/// y-protocols outdatedTimeout.
inline constexpr std::chrono::milliseconds awareness_default_timeout{30000};

/// One entry of an encoded awareness update: clientID, clock, JSON text of the state ("null" = removal).
/// `state_json` borrows from the decoded bytes.
struct awareness_entry {
  std::uint64_t client = 0;
  std::uint64_t clock = 0;
  std::string_view state_json;
};

/// True if `json` is the JSON value null (surrounding JSON whitespace allowed). The only JSON we look into.
bool is_json_null(std::string_view json);

/// Decodes a whole awareness update (varUint n, n × (varUint client, varUint clock, varString JSON)).
/// Nothing is parsed; every string must be valid UTF-8. `max_entries` / `max_state_bytes` bound the input.
/// Throws crdt::decode_error with absolute offsets. Trailing bytes are ignored (as y-protocols does).
std::vector<awareness_entry> read_awareness_update(lib0::decoder& d, std::size_t max_entries,
                                                   std::size_t max_state_bytes);
result<std::vector<awareness_entry>> decode_awareness_update(bytes_view update, std::size_t max_entries,
                                                             std::size_t max_state_bytes,
                                                             std::size_t base_offset = 0);
/// Encodes entries in the order given.
bytes encode_awareness_update(std::span<const awareness_entry> entries);

struct awareness_config {
  /// States not refreshed for this long are removed by expire() (y-protocols: 30 s).
  std::chrono::milliseconds timeout = awareness_default_timeout;
  /// Entries per incoming update; more is an error.
  std::size_t max_entries_per_update = 1000;
  /// Bytes of one state's JSON text; more is an error.
  std::size_t max_state_bytes = 256 * 1024;
  /// Client ids one connection may own at a time; an update that would exceed it is an error.
  std::size_t max_clients_per_connection = 256;
  /// Client ids the table holds (states and removal tombstones, which are dropped first when it is full);
  /// an update that would exceed it is an error.
  std::size_t max_clients = 100000;
  /// Added to the clock when the server itself removes a state (remove_connection, expire, remove).
  /// 0 is what the y-websocket and Hocuspocus servers do (peers accept a null at the clock they hold
  /// while they hold a state, and a client that reconnects with the same clock is accepted again after
  /// its next 15 s renewal); 1 makes the removal win over any state at the old clock.
  std::uint64_t removal_clock_increment = 0;
};

/// What an applied update or a removal changed (y-protocols 'update' / 'change' event payloads).
struct awareness_change {
  /// Client ids that got a state (y-protocols reports a client whose state was removed before as updated).
  std::vector<std::uint64_t> added;
  std::vector<std::uint64_t> updated;  // client ids whose state was refreshed (same or different JSON)
  /// Client ids whose state was removed (also a newer null for a client whose state was removed before:
  /// y-protocols reports those too; a null for an unknown client only records its clock).
  std::vector<std::uint64_t> removed;
  /// The subset of `updated` whose JSON text differs from before (y-protocols 'change' compares deeply;
  /// we compare the text).
  std::vector<std::uint64_t> updated_changed;

  /// Nothing accepted: no 'update' event in y-protocols (nothing to relay).
  bool empty() const { return added.empty() && updated.empty() && removed.empty(); }
  /// y-protocols would emit 'change'.
  bool changed() const { return !added.empty() || !updated_changed.empty() || !removed.empty(); }
  /// added + updated + removed: the client ids the y-websocket server re-broadcasts.
  std::vector<std::uint64_t> all() const;
};

/// The result of a removal done by the server: the client ids removed and the encoded awareness update
/// telling peers about it (null states); `update` is empty when nothing was removed.
struct awareness_removal {
  std::vector<std::uint64_t> clients;
  bytes update;
};

/// Server-side awareness table (y-protocols Awareness without a local client). States are kept as JSON
/// text, never parsed. Remembers which connection sent each client's state so that a closing connection's
/// clients can be removed. Time is passed in by the caller; nothing here reads a clock.
class awareness {
 public:
  explicit awareness(awareness_config config = {});

  const awareness_config& config() const { return config_; }

  /// Applies an encoded awareness update received on `conn` with y-protocols' rules: an entry is accepted
  /// if its clock is greater than the known one (0 for an unknown client), or equal while the new state
  /// is null and we hold a state. Malformed input or exceeded limits give an error and change no state
  /// (removal tombstones may be dropped to make room).
  /// `base_offset` is added to error offsets (the update's position in its frame).
  result<awareness_change> apply_update(bytes_view update, connection_id conn, awareness_time now,
                                        std::size_t base_offset = 0);
  result<awareness_change> apply_update(bytes_view update, connection_id conn, std::chrono::milliseconds now,
                                        std::size_t base_offset = 0) {
    return apply_update(update, conn, to_time(now), base_offset);
  }

  /// All current states, in the order their states appeared (JS Map order): the answer to a query or the
  /// awareness sent to a new connection. An update with 0 entries (`00`) when there are none.
  bytes encode_all() const;
  /// The given clients: their state, or null for removed ones (with the clock we know); unknown ids skipped.
  bytes encode_clients(std::span<const std::uint64_t> clients) const;
  /// Null states for the given clients with their known clock + config().removal_clock_increment (without
  /// changing the table); unknown ids skipped.
  bytes encode_removal(std::span<const std::uint64_t> clients) const;

  /// Removes the states owned by `conn` (the connection closed) and forgets the connection.
  awareness_removal remove_connection(connection_id conn, awareness_time now);
  awareness_removal remove_connection(connection_id conn, std::chrono::milliseconds now) {
    return remove_connection(conn, to_time(now));
  }
  /// Removes the given clients' states (unknown or already removed ids are ignored).
  awareness_removal remove(std::span<const std::uint64_t> clients, awareness_time now);
  /// Removes states not refreshed for config().timeout (now − last update ≥ timeout), and forgets removal
  /// tombstones older than the timeout.
  awareness_removal expire(awareness_time now);
  awareness_removal expire(std::chrono::milliseconds now) { return expire(to_time(now)); }

  /// Number of clients that have a state.
  std::size_t size() const { return states_; }
  /// Client ids with a state, in encode_all() order.
  std::vector<std::uint64_t> clients() const;
  /// The JSON text of a client's state (nullopt: unknown or removed).
  std::optional<std::string_view> state(std::uint64_t client) const;
  /// The clock we know for a client (also for removed ones while their tombstone lives).
  std::optional<std::uint64_t> clock(std::uint64_t client) const;
  /// The connection that owns a client's state.
  std::optional<connection_id> owner(std::uint64_t client) const;
  /// Client ids whose states `conn` owns (unordered).
  std::vector<std::uint64_t> connection_clients(connection_id conn) const;
  /// Entries held, tombstones included.
  std::size_t entry_count() const { return entries_.size(); }

  static awareness_time to_time(std::chrono::milliseconds ms) { return awareness_time{} + ms; }

 private:
  struct entry {
    std::uint64_t clock = 0;
    bool has_state = false;
    std::string state;
    awareness_time last_updated{};
    std::uint64_t order = 0;  // when the state (re)appeared: JS Map insertion order
    bool has_owner = false;
    connection_id owner = 0;
  };

  void set_owner(std::uint64_t client, entry& e, connection_id conn);
  void clear_owner(std::uint64_t client, entry& e);
  void check_limits(std::span<const awareness_entry> entries, connection_id conn, std::size_t base_offset);

  awareness_config config_;
  std::unordered_map<std::uint64_t, entry> entries_;
  std::unordered_map<connection_id, std::unordered_set<std::uint64_t>> by_connection_;
  std::size_t states_ = 0;
  std::uint64_t next_order_ = 0;
};

}  // namespace zeal::crdt::protocol
