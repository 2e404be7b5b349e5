#include "app/server/option_table.hpp"

#include <array>
#include <charconv>
#include <chrono>

#include "app/server/logging.hpp"
#include "cluster/seeds.hpp"

namespace zeal::app {

namespace {

constexpr std::uint64_t kib = 1024;
constexpr std::uint64_t mib = 1024 * kib;
constexpr std::uint64_t gib = 1024 * mib;

constexpr option_spec specs[] = {
    {"server", "host", "host", 0, option_kind::text, 0, 0, "HOST", "address to listen on"},
    {"server", "port", "port", 'p', option_kind::integer, 0, 65535, "N",
     "port to listen on (0: any free port)"},
    {"server", "max-rooms", "max-rooms", 0, option_kind::integer, 1, 10'000'000, "N", "rooms loaded at once"},
    {"server", "max-clients-per-room", "max-clients-per-room", 0, option_kind::integer, 1, 1'000'000, "N",
     "connections in one room"},
    {"server", "room-timeout-minutes", "room-timeout-minutes", 0, option_kind::integer, 1, 525'600, "N",
     "an empty room is unloaded after this many minutes"},
    {"server", "max-message-size", "max-message-size", 0, option_kind::integer, 1, 256 * mib, "N",
     "bytes of one WebSocket message (larger: close 1009)"},
    {"server", "ping-interval-seconds", "ping-interval-seconds", 0, option_kind::integer, 1, 3600, "N",
     "WebSocket ping period; a peer that misses a pong is dropped"},
    {"server", "client-timeout-seconds", "client-timeout-seconds", 0, option_kind::integer, 1, 86'400, "N",
     "a connection without incoming messages for this long is closed"},
    {"server", "max-send-queue-bytes", "max-send-queue-bytes", 0, option_kind::integer, 1, 4 * gib, "N",
     "outgoing bytes queued per connection (more: slow consumer, closed)"},
    {"server", "max-http-body", "max-http-body", 0, option_kind::integer, 1, 64 * mib, "N",
     "bytes of an HTTP request body (larger: 413)"},
    {"server", "io-threads", "io-threads", 0, option_kind::integer, 1, 256, "N", "network I/O threads"},
    {"server", "actor-threads", "actor-threads", 0, option_kind::integer, 0, 256, "N",
     "actor scheduler threads (0: actors run on the one I/O thread; for a server given one core)"},
    {"storage", "data-dir", "data-dir", 0, option_kind::text, 0, 0, "DIR",
     "RocksDB data directory (created if missing)"},
    {"storage", "in-memory", "in-memory", 0, option_kind::boolean, 0, 0, "",
     "store nothing (rooms live in memory only; data-dir unused)"},
    {"storage", "sync", "sync", 0, option_kind::boolean, 0, 0, "",
     "fsync every write (survives power loss; off survives process crashes)"},
    {"storage", "snapshot-idle-seconds", "snapshot-idle-seconds", 0, option_kind::integer, 1, 86'400, "N",
     "snapshot a room after this many seconds without updates"},
    {"storage", "compact-log-entries", "compact-log-entries", 0, option_kind::integer, 1, 10'000'000, "N",
     "snapshot a room when its update log holds this many entries"},
    {"storage", "compact-log-bytes", "compact-log-bytes", 0, option_kind::integer, kib, gib, "N",
     "... or this many bytes"},
    {"log", "level", "log-level", 0, option_kind::log_level, 0, 0, "LEVEL",
     "trace, debug, info, warn, error, critical or off"},
    {"cluster", "node-id", "node-id", 0, option_kind::text_or_empty, 0, 0, "ID",
     "this node's id, unique in the cluster (empty: cluster HOST:PORT, or standalone)"},
    {"cluster", "host", "cluster-host", 0, option_kind::text, 0, 0, "HOST",
     "address of the cluster listener (what the other nodes connect to)"},
    {"cluster", "port", "cluster-port", 0, option_kind::integer, 0, 65535, "N",
     "cluster port (0: no cluster, a single node)"},
    {"cluster", "seeds", "seeds", 0, option_kind::text_or_empty, 0, 0, "HOST:PORT,...",
     "cluster nodes to join (needs --cluster-port; this node's own address is skipped)"},
    {"cluster", "heartbeat-interval-ms", "cluster-heartbeat-ms", 0, option_kind::integer, 10, 60'000, "N",
     "heartbeat between the nodes (the same on every node)"},
    {"cluster", "connection-timeout-ms", "cluster-timeout-ms", 0, option_kind::integer, 100, 600'000, "N",
     "a node silent for this long is down (more than the heartbeat)"},
};

constexpr std::array<std::string_view, 4> sections{"server", "storage", "log", "cluster"};

std::optional<std::string> no_spaces(std::string_view value) {
  for (char c : value) {
    if (c == ' ') return std::string("must not contain spaces");
  }
  return std::nullopt;
}

std::optional<std::string> parse_integer(const option_spec& spec, std::string_view value, bool quoted,
                                         std::uint64_t& out) {
  std::string range = " (allowed: " + std::to_string(spec.min) + ".." + std::to_string(spec.max) + ")";
  if (quoted) return "expected an unquoted integer, got the string \"" + std::string(value) + "\"";
  std::string_view digits = value;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  bool negative = !digits.empty() && digits.front() == '-';
  if (negative) digits.remove_prefix(1);
  bool all_digits = !digits.empty();
  for (char c : digits) all_digits = all_digits && c >= '0' && c <= '9';
  if (!all_digits) return "expected an integer, got \"" + std::string(value) + "\"";
  if (negative) return "value " + std::string(value) + " is out of range" + range;
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc{} || ptr != digits.data() + digits.size() || v < spec.min || v > spec.max) {
    return "value " + std::string(value) + " is out of range" + range;
  }
  out = v;
  return std::nullopt;
}

std::optional<std::string> check_text(std::string_view value) {
  if (value.empty()) return std::string("must not be empty");
  if (value.size() > 4096) return std::string("is too long (over 4096 bytes)");
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) return std::string("must not contain control characters");
  }
  return std::nullopt;
}

}  // namespace

std::span<const option_spec> option_specs() {
  return specs;
}

std::span<const std::string_view> known_sections() {
  return {sections.data(), sections.size()};
}

const option_spec* find_option(std::string_view section, std::string_view key) {
  for (const auto& s : specs) {
    if (s.section == section && s.key == key) return &s;
  }
  return nullptr;
}

const option_spec* find_option_by_flag(std::string_view long_flag) {
  for (const auto& s : specs) {
    if (s.flag == long_flag) return &s;
  }
  return nullptr;
}

const option_spec* find_option_by_short_flag(char c) {
  if (c == 0) return nullptr;
  for (const auto& s : specs) {
    if (s.short_flag == c) return &s;
  }
  return nullptr;
}

std::optional<std::string> apply_option(server_options& opts, const option_spec& spec, std::string_view value,
                                        bool quoted) {
  const std::string_view f = spec.flag;
  if (spec.kind == option_kind::text || spec.kind == option_kind::text_or_empty) {
    if (spec.kind == option_kind::text || !value.empty()) {
      if (auto e = check_text(value)) return e;
    }
    if (f == "host" || f == "cluster-host" || f == "node-id") {
      if (auto e = no_spaces(value)) return e;
    }
    if (f == "host") {
      opts.host = std::string(value);
    } else if (f == "data-dir") {
      opts.data_dir = std::string(value);
    } else if (f == "node-id") {
      if (value.size() > 255) return std::string("is too long (over 255 bytes)");
      opts.node_id = std::string(value);
    } else if (f == "cluster-host") {
      opts.cluster_host = std::string(value);
    } else if (f == "seeds") {
      std::string error;
      if (!cluster::parse_seeds(value, error)) return error;
      opts.seeds = std::string(value);
    }
    return std::nullopt;
  }
  if (spec.kind == option_kind::boolean) {
    bool v = false;
    if (quoted) return "expected true or false (unquoted), got the string \"" + std::string(value) + "\"";
    if (value == "true")
      v = true;
    else if (value != "false")
      return "expected true or false, got \"" + std::string(value) + "\"";
    if (f == "in-memory") opts.in_memory = v;
    if (f == "sync") opts.sync = v;
    return std::nullopt;
  }
  if (spec.kind == option_kind::log_level) {
    auto level = parse_log_level(value);
    if (!level) {
      return "unknown log level \"" + std::string(value) +
             "\" (allowed: trace, debug, info, warn, error, critical, off)";
    }
    opts.log_level = log_level_name(*level);
    return std::nullopt;
  }
  std::uint64_t v = 0;
  if (auto e = parse_integer(spec, value, quoted, v)) return e;
  const std::string_view k = f;
  if (k == "port") {
    opts.port = static_cast<std::uint16_t>(v);
  } else if (k == "max-rooms") {
    opts.max_rooms = static_cast<std::size_t>(v);
  } else if (k == "max-clients-per-room") {
    opts.max_clients_per_room = static_cast<std::size_t>(v);
  } else if (k == "room-timeout-minutes") {
    opts.room_timeout_minutes = v;
  } else if (k == "max-message-size") {
    opts.max_message_size = static_cast<std::size_t>(v);
  } else if (k == "ping-interval-seconds") {
    opts.ping_interval = std::chrono::seconds{static_cast<std::int64_t>(v)};
  } else if (k == "client-timeout-seconds") {
    opts.client_timeout = std::chrono::seconds{static_cast<std::int64_t>(v)};
  } else if (k == "max-send-queue-bytes") {
    opts.max_send_queue_bytes = static_cast<std::size_t>(v);
  } else if (k == "max-http-body") {
    opts.max_http_body = static_cast<std::size_t>(v);
  } else if (k == "io-threads") {
    opts.io_threads = static_cast<unsigned>(v);
  } else if (k == "actor-threads") {
    opts.actor_threads = static_cast<unsigned>(v);
  } else if (k == "snapshot-idle-seconds") {
    opts.snapshot_idle = std::chrono::seconds{static_cast<std::int64_t>(v)};
  } else if (k == "compact-log-entries") {
    opts.compact_log_entries = v;
  } else if (k == "compact-log-bytes") {
    opts.compact_log_bytes = v;
  } else if (k == "cluster-port") {
    opts.cluster_port = static_cast<std::uint16_t>(v);
  } else if (k == "cluster-heartbeat-ms") {
    opts.cluster_heartbeat = std::chrono::milliseconds{static_cast<std::int64_t>(v)};
  } else if (k == "cluster-timeout-ms") {
    opts.cluster_timeout = std::chrono::milliseconds{static_cast<std::int64_t>(v)};
  }
  return std::nullopt;
}

std::optional<combination_error> check_option_combination(const server_options& o) {
  std::string error;
  auto seeds = cluster::parse_seeds(o.seeds, error);
  if (!seeds) return combination_error{"seeds", "", error};
  if (!seeds->empty() && o.cluster_port == 0) {
    return combination_error{"seeds", "",
                             "seeds need [cluster] port (--cluster-port): a node without a cluster "
                             "port is a single node"};
  }
  if (o.cluster_timeout <= o.cluster_heartbeat) {
    return combination_error{"cluster-timeout-ms", "cluster-heartbeat-ms",
                             "connection-timeout-ms (" + std::to_string(o.cluster_timeout.count()) +
                                 ") must be greater than heartbeat-interval-ms (" +
                                 std::to_string(o.cluster_heartbeat.count()) + ")"};
  }
  if (o.actor_threads == 0 && o.io_threads != 1) {
    std::string why = "actor-threads 0 runs the actors on the I/O thread and needs io-threads 1 (not ";
    why += std::to_string(o.io_threads);
    why += ')';
    return combination_error{"actor-threads", "io-threads", std::move(why)};
  }
  if (o.cluster_port != 0 && o.cluster_port == o.port && o.cluster_host == o.host) {
    return combination_error{
        "cluster-port", "port",
        "[cluster] port " + std::to_string(o.cluster_port) + " is also the [server] port on " + o.host};
  }
  return std::nullopt;
}

std::string option_value(const server_options& o, const option_spec& spec) {
  const std::string_view k = spec.flag;
  if (k == "host") return o.host;
  if (k == "port") return std::to_string(o.port);
  if (k == "max-rooms") return std::to_string(o.max_rooms);
  if (k == "max-clients-per-room") return std::to_string(o.max_clients_per_room);
  if (k == "room-timeout-minutes") return std::to_string(o.room_timeout_minutes);
  if (k == "max-message-size") return std::to_string(o.max_message_size);
  if (k == "ping-interval-seconds") return std::to_string(o.ping_interval.count());
  if (k == "client-timeout-seconds") return std::to_string(o.client_timeout.count());
  if (k == "max-send-queue-bytes") return std::to_string(o.max_send_queue_bytes);
  if (k == "max-http-body") return std::to_string(o.max_http_body);
  if (k == "io-threads") return std::to_string(o.io_threads);
  if (k == "actor-threads") return std::to_string(o.actor_threads);
  if (k == "data-dir") return o.data_dir;
  if (k == "in-memory") return o.in_memory ? "true" : "false";
  if (k == "sync") return o.sync ? "true" : "false";
  if (k == "snapshot-idle-seconds") return std::to_string(o.snapshot_idle.count());
  if (k == "compact-log-entries") return std::to_string(o.compact_log_entries);
  if (k == "compact-log-bytes") return std::to_string(o.compact_log_bytes);
  if (k == "log-level") return o.log_level;
  if (k == "node-id") return o.node_id;
  if (k == "cluster-host") return o.cluster_host;
  if (k == "cluster-port") return std::to_string(o.cluster_port);
  if (k == "seeds") return o.seeds;
  if (k == "cluster-heartbeat-ms") return std::to_string(o.cluster_heartbeat.count());
  if (k == "cluster-timeout-ms") return std::to_string(o.cluster_timeout.count());
  return {};
}

}  // namespace zeal::app
