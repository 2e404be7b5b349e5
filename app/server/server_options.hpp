#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace zeal::app {

/// Everything the server is configured with, after defaults < config.ini < env (HOST, PORT,
/// RUST_LOG/LOG_LEVEL) < CLI. Produced and validated by load_server_options (options_loader.hpp).
struct server_options {
  // [server]
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: pick a free port (tests); the log line "listening on" names it
  std::size_t max_rooms = 1000;
  std::size_t max_clients_per_room = 100;
  std::uint64_t room_timeout_minutes = 30;
  std::size_t max_message_size = 1048576;    // bytes of one WebSocket message
  std::chrono::seconds ping_interval{30};    // WebSocket ping period; a pong missing at the next ping drops
  std::chrono::seconds client_timeout{120};  // a connection with no incoming frame for this long is closed
  std::size_t max_send_queue_bytes = 16 * 1024 * 1024;  // per connection; over it = slow consumer, closed
  std::size_t max_http_body = 64 * 1024;                // bytes of an HTTP request body
  unsigned io_threads = 1;                              // Asio threads
  unsigned actor_threads = 2;                           // CAF scheduler threads
  // [storage]
  std::string data_dir = "./data";
  bool in_memory = false;                             // nothing stored (tests, benchmarks)
  bool sync = false;                                  // fsync every write
  std::chrono::seconds snapshot_idle{5};              // snapshot after this long without updates
  std::uint64_t compact_log_entries = 1000;           // snapshot when the log holds this many entries
  std::uint64_t compact_log_bytes = 4 * 1024 * 1024;  // ... or this many bytes
  // [log]
  std::string log_level = "info";  // trace, debug, info, warn, error, critical, off
  // [cluster]
  std::string node_id;                     // empty: effective_node_id() derives it
  std::string cluster_host = "127.0.0.1";  // the cluster listener's address (also what peers dial)
  std::uint16_t cluster_port = 0;          // 0: no cluster (single node, nothing published)
  std::string seeds;                       // "host:port,host:port" (checked by cluster::parse_seeds), may be empty
  std::chrono::milliseconds cluster_heartbeat{500};  // CAF middleman heartbeat between nodes
  std::chrono::milliseconds cluster_timeout{3000};   // a peer silent this long is dropped (> heartbeat)
  // Where the values came from (for the start-up log line).
  std::string config_file;  // empty: none was read
};

/// The node id in use: [cluster] node-id if set, else "HOST:PORT" of the cluster listener, or "standalone"
/// without one (cluster port 0).
inline std::string effective_node_id(const server_options& opts) {
  if (!opts.node_id.empty()) return opts.node_id;
  if (opts.cluster_port == 0) return "standalone";
  return opts.cluster_host + ":" + std::to_string(opts.cluster_port);
}

}  // namespace zeal::app
