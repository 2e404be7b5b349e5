#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace zeal::actors {

/// Why a connection was refused or closed by the server (the `reason` label of
/// zeal_rejected_connections_total).
enum class reject_reason : std::uint8_t {
  room_full = 0,      // max-clients-per-room reached (1013)
  max_rooms = 1,      // max-rooms reached (1013)
  too_big = 2,        // frame over max-message-size (1009)
  malformed = 3,      // undecodable frame, update or awareness (1002/1007)
  invalid_room = 4,   // bad room name (1008)
  slow_consumer = 5,  // outgoing queue over its bound
  timeout = 6,        // missed pong / idle
  count_ = 7,
};

const char* to_string(reject_reason r);

/// Process-wide counters, shared by net/ and the actors of one node (lock-free, relaxed atomics). Read by
/// /stats and /metrics. Local to the process: never sent between actors.
class server_metrics {
 public:
  server_metrics();

  // Connections (net)
  std::atomic<std::int64_t> connections{0};         // open WebSocket connections
  std::atomic<std::uint64_t> connections_total{0};  // accepted WebSocket connections
  std::atomic<std::uint64_t> http_requests_total{0};
  // Rooms (directory / rooms)
  std::atomic<std::int64_t> rooms{0};         // loaded rooms
  std::atomic<std::int64_t> room_clients{0};  // members over all rooms (total_clients in /stats)
  std::atomic<std::uint64_t> rooms_loaded_total{0};
  std::atomic<std::uint64_t> rooms_unloaded_total{0};
  // Traffic (net counts frames and bytes on the socket)
  std::atomic<std::uint64_t> messages_in{0};
  std::atomic<std::uint64_t> messages_out{0};
  std::atomic<std::uint64_t> bytes_in{0};
  std::atomic<std::uint64_t> bytes_out{0};
  std::atomic<std::uint64_t> updates_applied{0};      // updates applied by rooms
  std::atomic<std::uint64_t> relays_merged_total{0};  // updates relayed merged with others (a room's backlog)
  // Storage (set once by app/ before any actor runs; gauges published by the store actor)
  bool storage_enabled = false;
  bool storage_sync = false;
  std::atomic<std::uint64_t> storage_rooms{0};        // rooms with stored data
  std::atomic<std::uint64_t> storage_log_entries{0};  // update log entries over all rooms
  std::atomic<std::uint64_t> storage_log_bytes{0};
  std::atomic<std::uint64_t> storage_snapshot_bytes{0};  // snapshot bytes over all rooms
  std::atomic<std::uint64_t> storage_db_bytes{0};        // RocksDB's estimate (SST files + memtables)
  std::atomic<std::uint64_t> storage_appends_total{0};   // updates written
  std::atomic<std::uint64_t> storage_snapshots_total{0};
  std::atomic<std::uint64_t> storage_load_failures_total{0};  // rooms that refused to load
  std::atomic<std::uint64_t> storage_write_errors_total{0};
  // Cluster (node_id / cluster_enabled set once by app/ before any actor runs)
  bool cluster_enabled = false;
  std::string node_id = "standalone";
  std::atomic<std::int64_t> cluster_members{1};                      // live members, this node included
  std::atomic<std::uint64_t> cluster_member_changes_total{0};        // views published by membership
  std::atomic<std::uint64_t> cluster_remote_lookups_total{0};        // lookups sent to another node's router
  std::atomic<std::uint64_t> cluster_handoffs_out_total{0};          // rooms handed off to another node
  std::atomic<std::uint64_t> cluster_handoffs_in_total{0};           // rooms received from another node
  std::atomic<std::uint64_t> cluster_rejoins_total{0};               // client re-joins (room moved or down)
  std::atomic<std::uint64_t> cluster_replication_appends_total{0};   // updates confirmed by a replica
  std::atomic<std::uint64_t> cluster_replication_failures_total{0};  // replica writes that failed/timed out

  void reject(reject_reason r) {
    rejected_[static_cast<std::size_t>(r)].fetch_add(1, std::memory_order_relaxed);
  }
  std::uint64_t rejected(reject_reason r) const {
    return rejected_[static_cast<std::size_t>(r)].load(std::memory_order_relaxed);
  }

  /// Records the time one update took to apply (histogram zeal_update_apply_seconds).
  void observe_apply(std::chrono::nanoseconds d);

  /// Seconds since construction.
  double uptime_seconds() const;

  /// The /stats JSON: {"rooms", "total_clients", "max_rooms", "max_clients_per_room", "uptime_seconds",
  /// "connections", "messages_in", "messages_out", "bytes_in", "bytes_out", "updates_applied", "storage":
  /// {"enabled", "sync", "rooms", "log_entries", "log_bytes", "snapshot_bytes", "db_bytes", "appends_total",
  /// "snapshots_total", "load_failures_total", "write_errors_total"} (only "enabled":false without storage),
  /// "cluster": {"enabled", "node_id", "members", "remote_lookups_total", "handoffs_out_total",
  /// "handoffs_in_total", "rejoins_total", "replication_appends_total", "replication_failures_total",
  /// "member_changes_total"}}.
  std::string stats_json(std::uint64_t max_rooms, std::uint64_t max_clients_per_room) const;
  /// Prometheus text exposition format (version 0.0.4).
  std::string prometheus() const;

  /// Upper bounds (seconds) of the apply histogram buckets (+Inf implied).
  static constexpr std::array<double, 12> apply_buckets{0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005,
                                                        0.001,   0.0025,   0.005,   0.01,   0.05,    0.25};

 private:
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(reject_reason::count_)> rejected_{};
  std::array<std::atomic<std::uint64_t>, apply_buckets.size() + 1> apply_counts_{};
  std::atomic<std::uint64_t> apply_sum_ns_{0};
  std::chrono::steady_clock::time_point start_;
};

}  // namespace zeal::actors
