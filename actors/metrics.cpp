#include "actors/metrics.hpp"

#include <charconv>

namespace zeal::actors {

namespace {

constexpr std::memory_order relaxed = std::memory_order_relaxed;

/// Shortest round-trip text of a double ("1e-05", "0.25", "3"); `fixed` never uses an exponent
/// ("0.00001", as bucket bounds read best).
std::string number(double v, bool fixed = false) {
  char buf[64];
  auto [end, ec] = fixed ? std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed)
                         : std::to_chars(buf, buf + sizeof(buf), v);
  if (ec != std::errc{}) return "0";
  return std::string(buf, end);
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

template <class T>
void metric(std::string& out, const char* name, const char* type, const char* help, T value) {
  header(out, name, type, help);
  out += name;
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

/// A JSON string literal's contents ('"', '\\' and control characters escaped).
std::string json_escape(const std::string& s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += hex[u >> 4];
      out += hex[u & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

const char* to_string(reject_reason r) {
  switch (r) {
    case reject_reason::room_full:
      return "room_full";
    case reject_reason::max_rooms:
      return "max_rooms";
    case reject_reason::too_big:
      return "too_big";
    case reject_reason::malformed:
      return "malformed";
    case reject_reason::invalid_room:
      return "invalid_room";
    case reject_reason::slow_consumer:
      return "slow_consumer";
    case reject_reason::timeout:
      return "timeout";
    case reject_reason::count_:
      break;
  }
  return "unknown";
}

server_metrics::server_metrics() : start_(std::chrono::steady_clock::now()) {}

void server_metrics::observe_apply(std::chrono::nanoseconds d) {
  auto ns = d.count() < 0 ? std::int64_t{0} : static_cast<std::int64_t>(d.count());
  double seconds = static_cast<double>(ns) / 1e9;
  std::size_t i = 0;
  while (i < apply_buckets.size() && seconds > apply_buckets[i]) ++i;
  apply_counts_[i].fetch_add(1, relaxed);  // i == apply_buckets.size(): the +Inf bucket
  apply_sum_ns_.fetch_add(static_cast<std::uint64_t>(ns), relaxed);
}

double server_metrics::uptime_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string server_metrics::stats_json(std::uint64_t max_rooms, std::uint64_t max_clients_per_room) const {
  std::string out = "{";
  auto field = [&out](const char* key, auto value, bool last = false) {
    out += '"';
    out += key;
    out += "\":";
    out += std::to_string(value);
    if (!last) out += ',';
  };
  field("rooms", rooms.load(relaxed));
  field("total_clients", room_clients.load(relaxed));
  field("max_rooms", max_rooms);
  field("max_clients_per_room", max_clients_per_room);
  field("uptime_seconds", static_cast<std::uint64_t>(uptime_seconds()));
  field("connections", connections.load(relaxed));
  field("messages_in", messages_in.load(relaxed));
  field("messages_out", messages_out.load(relaxed));
  field("bytes_in", bytes_in.load(relaxed));
  field("bytes_out", bytes_out.load(relaxed));
  field("updates_applied", updates_applied.load(relaxed));
  if (!storage_enabled) {
    out += "\"storage\":{\"enabled\":false},";
  } else {
    out += "\"storage\":{\"enabled\":true,\"sync\":";
    out += storage_sync ? "true," : "false,";
    field("rooms", storage_rooms.load(relaxed));
    field("log_entries", storage_log_entries.load(relaxed));
    field("log_bytes", storage_log_bytes.load(relaxed));
    field("snapshot_bytes", storage_snapshot_bytes.load(relaxed));
    field("db_bytes", storage_db_bytes.load(relaxed));
    field("appends_total", storage_appends_total.load(relaxed));
    field("snapshots_total", storage_snapshots_total.load(relaxed));
    field("load_failures_total", storage_load_failures_total.load(relaxed));
    field("write_errors_total", storage_write_errors_total.load(relaxed), true);
    out += "},";
  }
  out += "\"cluster\":{\"enabled\":";
  out += cluster_enabled ? "true" : "false";
  out += ",\"node_id\":\"";
  out += json_escape(node_id);
  out += "\",";
  field("members", cluster_members.load(relaxed));
  field("remote_lookups_total", cluster_remote_lookups_total.load(relaxed));
  field("handoffs_out_total", cluster_handoffs_out_total.load(relaxed));
  field("handoffs_in_total", cluster_handoffs_in_total.load(relaxed));
  field("rejoins_total", cluster_rejoins_total.load(relaxed));
  field("replication_appends_total", cluster_replication_appends_total.load(relaxed));
  field("replication_failures_total", cluster_replication_failures_total.load(relaxed));
  field("member_changes_total", cluster_member_changes_total.load(relaxed), true);
  out += "}}";
  return out;
}

std::string server_metrics::prometheus() const {
  std::string out;
  out.reserve(4096);
  metric(out, "zeal_connections", "gauge", "Open WebSocket connections.", connections.load(relaxed));
  metric(out, "zeal_connections_total", "counter", "Accepted WebSocket connections.",
         connections_total.load(relaxed));
  metric(out, "zeal_http_requests_total", "counter", "HTTP requests served.",
         http_requests_total.load(relaxed));
  metric(out, "zeal_rooms", "gauge", "Loaded rooms.", rooms.load(relaxed));
  metric(out, "zeal_room_clients", "gauge", "Members over all rooms.", room_clients.load(relaxed));
  metric(out, "zeal_rooms_loaded_total", "counter", "Rooms loaded.", rooms_loaded_total.load(relaxed));
  metric(out, "zeal_rooms_unloaded_total", "counter", "Rooms unloaded after being empty for room-timeout.",
         rooms_unloaded_total.load(relaxed));
  metric(out, "zeal_messages_in_total", "counter", "WebSocket messages received.", messages_in.load(relaxed));
  metric(out, "zeal_messages_out_total", "counter", "WebSocket messages sent.", messages_out.load(relaxed));
  metric(out, "zeal_bytes_in_total", "counter", "WebSocket payload bytes received.", bytes_in.load(relaxed));
  metric(out, "zeal_bytes_out_total", "counter", "WebSocket payload bytes sent.", bytes_out.load(relaxed));
  metric(out, "zeal_updates_applied_total", "counter", "Document updates applied by rooms.",
         updates_applied.load(relaxed));
  metric(out, "zeal_relays_merged_total", "counter",
         "Document updates a room relayed merged into one message with others (it had a backlog).",
         relays_merged_total.load(relaxed));
  if (storage_enabled) {
    metric(out, "zeal_storage_rooms", "gauge", "Rooms with stored data.", storage_rooms.load(relaxed));
    metric(out, "zeal_storage_log_entries", "gauge", "Stored update log entries (all rooms).",
           storage_log_entries.load(relaxed));
    metric(out, "zeal_storage_log_bytes", "gauge", "Bytes of the stored update logs.",
           storage_log_bytes.load(relaxed));
    metric(out, "zeal_storage_snapshot_bytes", "gauge", "Bytes of the stored snapshots.",
           storage_snapshot_bytes.load(relaxed));
    metric(out, "zeal_storage_db_bytes", "gauge", "RocksDB size estimate (SST files and memtables).",
           storage_db_bytes.load(relaxed));
    metric(out, "zeal_storage_appends_total", "counter", "Updates written to the room logs.",
           storage_appends_total.load(relaxed));
    metric(out, "zeal_storage_snapshots_total", "counter", "Room snapshots written.",
           storage_snapshots_total.load(relaxed));
    metric(out, "zeal_storage_load_failures_total", "counter", "Rooms whose stored data did not load.",
           storage_load_failures_total.load(relaxed));
    metric(out, "zeal_storage_write_errors_total", "counter", "Failed storage writes.",
           storage_write_errors_total.load(relaxed));
  }

  metric(out, "zeal_cluster_members", "gauge", "Live cluster members, this node included.",
         cluster_members.load(relaxed));
  metric(out, "zeal_cluster_member_changes_total", "counter", "Cluster views published by membership.",
         cluster_member_changes_total.load(relaxed));
  metric(out, "zeal_cluster_remote_lookups_total", "counter", "Room lookups sent to another node's router.",
         cluster_remote_lookups_total.load(relaxed));
  header(out, "zeal_cluster_handoffs_total", "counter", "Rooms handed off between nodes, by direction.");
  out += "zeal_cluster_handoffs_total{direction=\"out\"} ";
  out += std::to_string(cluster_handoffs_out_total.load(relaxed));
  out += "\nzeal_cluster_handoffs_total{direction=\"in\"} ";
  out += std::to_string(cluster_handoffs_in_total.load(relaxed));
  out += '\n';
  metric(out, "zeal_cluster_rejoins_total", "counter", "Client re-joins after their room moved or went down.",
         cluster_rejoins_total.load(relaxed));
  metric(out, "zeal_cluster_replication_appends_total", "counter", "Updates confirmed by a replica store.",
         cluster_replication_appends_total.load(relaxed));
  metric(out, "zeal_cluster_replication_failures_total", "counter",
         "Replica writes that failed or timed out (the room continues without a replica).",
         cluster_replication_failures_total.load(relaxed));

  header(out, "zeal_rejected_connections_total", "counter",
         "Connections refused or closed by the server, by reason.");
  for (std::size_t i = 0; i < rejected_.size(); ++i) {
    auto r = static_cast<reject_reason>(i);
    out += "zeal_rejected_connections_total{reason=\"";
    out += to_string(r);
    out += "\"} ";
    out += std::to_string(rejected(r));
    out += '\n';
  }

  header(out, "zeal_update_apply_seconds", "histogram", "Time to apply one document update.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= apply_buckets.size(); ++i) {
    cumulative += apply_counts_[i].load(relaxed);
    out += "zeal_update_apply_seconds_bucket{le=\"";
    out += i < apply_buckets.size() ? number(apply_buckets[i], true) : std::string{"+Inf"};
    out += "\"} ";
    out += std::to_string(cumulative);
    out += '\n';
  }
  out += "zeal_update_apply_seconds_sum ";
  out += number(static_cast<double>(apply_sum_ns_.load(relaxed)) / 1e9);
  out += "\nzeal_update_apply_seconds_count ";
  out += std::to_string(cumulative);
  out += '\n';

  header(out, "zeal_uptime_seconds", "gauge", "Seconds since the server started.");
  out += "zeal_uptime_seconds ";
  out += number(uptime_seconds());
  out += '\n';
  return out;
}

}  // namespace zeal::actors
