#define CAF_SUITE actors_metrics
#include <caf/test/unit_test.hpp>

#include <chrono>
#include <string>

#include "actors/metrics.hpp"

using namespace zeal::actors;
using namespace std::chrono_literals;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos &&
         (text.rfind(line + "\n", 0) == 0 || text.find("\n" + line + "\n") != std::string::npos);
}

}  // namespace

CAF_TEST(reject reasons have their label names) {
  CAF_CHECK_EQUAL(std::string{to_string(reject_reason::room_full)}, "room_full");
  CAF_CHECK_EQUAL(std::string{to_string(reject_reason::max_rooms)}, "max_rooms");
  CAF_CHECK_EQUAL(std::string{to_string(reject_reason::too_big)}, "too_big");
  CAF_CHECK_EQUAL(std::string{to_string(reject_reason::malformed)}, "malformed");
  CAF_CHECK_EQUAL(std::string{to_string(reject_reason::invalid_room)}, "invalid_room");
  CAF_CHECK_EQUAL(std::string{to_string(reject_reason::slow_consumer)}, "slow_consumer");
  CAF_CHECK_EQUAL(std::string{to_string(reject_reason::timeout)}, "timeout");
}

CAF_TEST(stats json has the seed fields and ours) {
  server_metrics m;
  m.rooms = 3;
  m.room_clients = 7;
  m.connections = 8;
  m.messages_in = 10;
  m.messages_out = 20;
  m.bytes_in = 100;
  m.bytes_out = 200;
  m.updates_applied = 5;
  CAF_CHECK_EQUAL(
      m.stats_json(1000, 100),
      R"({"rooms":3,"total_clients":7,"max_rooms":1000,"max_clients_per_room":100,"uptime_seconds":0,)"
      R"("connections":8,"messages_in":10,"messages_out":20,"bytes_in":100,"bytes_out":200,)"
      R"("updates_applied":5,"storage":{"enabled":false},)"
      R"("cluster":{"enabled":false,"node_id":"standalone","members":1,"remote_lookups_total":0,)"
      R"("handoffs_out_total":0,"handoffs_in_total":0,"rejoins_total":0,"replication_appends_total":0,)"
      R"("replication_failures_total":0,"member_changes_total":0}})");
}

CAF_TEST(stats json has the cluster figures) {
  server_metrics m;
  m.cluster_enabled = true;
  m.node_id = "n\"1\\";  // escaped in the JSON
  m.cluster_members = 3;
  m.cluster_remote_lookups_total = 4;
  m.cluster_handoffs_out_total = 5;
  m.cluster_handoffs_in_total = 6;
  m.cluster_rejoins_total = 7;
  m.cluster_replication_appends_total = 8;
  m.cluster_replication_failures_total = 9;
  m.cluster_member_changes_total = 10;
  auto json = m.stats_json(1000, 100);
  const std::string tail =
      R"("storage":{"enabled":false},"cluster":{"enabled":true,"node_id":"n\"1\\","members":3,)"
      R"("remote_lookups_total":4,"handoffs_out_total":5,"handoffs_in_total":6,"rejoins_total":7,)"
      R"("replication_appends_total":8,"replication_failures_total":9,"member_changes_total":10}})";
  CAF_REQUIRE(json.size() > tail.size());
  CAF_CHECK_EQUAL(json.substr(json.size() - tail.size()), tail);
}

CAF_TEST(prometheus output has the cluster metrics) {
  server_metrics m;
  auto text = m.prometheus();
  // Present on a single node too: one member, nothing counted.
  CAF_CHECK(has_line(text, "# TYPE zeal_cluster_members gauge"));
  CAF_CHECK(has_line(text, "zeal_cluster_members 1"));
  CAF_CHECK(has_line(text, R"(zeal_cluster_handoffs_total{direction="out"} 0)"));
  m.cluster_members = 3;
  m.cluster_member_changes_total = 2;
  m.cluster_remote_lookups_total = 11;
  m.cluster_handoffs_out_total = 12;
  m.cluster_handoffs_in_total = 13;
  m.cluster_rejoins_total = 14;
  m.cluster_replication_appends_total = 15;
  m.cluster_replication_failures_total = 16;
  text = m.prometheus();
  CAF_CHECK(has_line(text, "zeal_cluster_members 3"));
  CAF_CHECK(has_line(text, "# TYPE zeal_cluster_member_changes_total counter"));
  CAF_CHECK(has_line(text, "zeal_cluster_member_changes_total 2"));
  CAF_CHECK(has_line(text, "# TYPE zeal_cluster_remote_lookups_total counter"));
  CAF_CHECK(has_line(text, "zeal_cluster_remote_lookups_total 11"));
  CAF_CHECK(has_line(text, "# TYPE zeal_cluster_handoffs_total counter"));
  CAF_CHECK(has_line(text, R"(zeal_cluster_handoffs_total{direction="out"} 12)"));
  CAF_CHECK(has_line(text, R"(zeal_cluster_handoffs_total{direction="in"} 13)"));
  CAF_CHECK(has_line(text, "# TYPE zeal_cluster_rejoins_total counter"));
  CAF_CHECK(has_line(text, "zeal_cluster_rejoins_total 14"));
  CAF_CHECK(has_line(text, "# TYPE zeal_cluster_replication_appends_total counter"));
  CAF_CHECK(has_line(text, "zeal_cluster_replication_appends_total 15"));
  CAF_CHECK(has_line(text, "# TYPE zeal_cluster_replication_failures_total counter"));
  CAF_CHECK(has_line(text, "zeal_cluster_replication_failures_total 16"));
}

CAF_TEST(stats json has the storage figures when storage is on) {
  server_metrics m;
  m.storage_enabled = true;
  m.storage_sync = true;
  m.storage_rooms = 2;
  m.storage_log_entries = 11;
  m.storage_log_bytes = 300;
  m.storage_snapshot_bytes = 4000;
  m.storage_db_bytes = 5000;
  m.storage_appends_total = 12;
  m.storage_snapshots_total = 3;
  m.storage_load_failures_total = 1;
  m.storage_write_errors_total = 0;
  auto json = m.stats_json(1000, 100);
  const std::string tail =
      R"("storage":{"enabled":true,"sync":true,"rooms":2,"log_entries":11,"log_bytes":300,)"
      R"("snapshot_bytes":4000,"db_bytes":5000,"appends_total":12,"snapshots_total":3,)"
      R"("load_failures_total":1,"write_errors_total":0},"cluster":{"enabled":false,)"
      R"("node_id":"standalone","members":1,"remote_lookups_total":0,"handoffs_out_total":0,)"
      R"("handoffs_in_total":0,"rejoins_total":0,"replication_appends_total":0,)"
      R"("replication_failures_total":0,"member_changes_total":0}})";
  CAF_REQUIRE(json.size() > tail.size());
  CAF_CHECK_EQUAL(json.substr(json.size() - tail.size()), tail);
  auto text = m.prometheus();
  CAF_CHECK(has_line(text, "# TYPE zeal_storage_log_entries gauge"));
  CAF_CHECK(has_line(text, "zeal_storage_rooms 2"));
  CAF_CHECK(has_line(text, "zeal_storage_log_entries 11"));
  CAF_CHECK(has_line(text, "zeal_storage_log_bytes 300"));
  CAF_CHECK(has_line(text, "zeal_storage_snapshot_bytes 4000"));
  CAF_CHECK(has_line(text, "zeal_storage_db_bytes 5000"));
  CAF_CHECK(has_line(text, "# TYPE zeal_storage_appends_total counter"));
  CAF_CHECK(has_line(text, "zeal_storage_appends_total 12"));
  CAF_CHECK(has_line(text, "zeal_storage_snapshots_total 3"));
  CAF_CHECK(has_line(text, "zeal_storage_load_failures_total 1"));
  CAF_CHECK(has_line(text, "zeal_storage_write_errors_total 0"));
  // Without storage the storage metrics are absent.
  CAF_CHECK(server_metrics{}.prometheus().find("zeal_storage_") == std::string::npos);
}

CAF_TEST(prometheus output has every metric) {
  server_metrics m;
  m.connections = 2;
  m.connections_total = 9;
  m.http_requests_total = 4;
  m.rooms = 1;
  m.room_clients = 2;
  m.rooms_loaded_total = 3;
  m.rooms_unloaded_total = 2;
  m.reject(reject_reason::room_full);
  m.reject(reject_reason::room_full);
  m.reject(reject_reason::timeout);
  auto text = m.prometheus();
  CAF_MESSAGE(text);
  CAF_CHECK(has_line(text, "# TYPE zeal_connections gauge"));
  CAF_CHECK(has_line(text, "zeal_connections 2"));
  CAF_CHECK(has_line(text, "# TYPE zeal_connections_total counter"));
  CAF_CHECK(has_line(text, "zeal_connections_total 9"));
  CAF_CHECK(has_line(text, "zeal_http_requests_total 4"));
  CAF_CHECK(has_line(text, "# TYPE zeal_rooms gauge"));
  CAF_CHECK(has_line(text, "zeal_rooms 1"));
  CAF_CHECK(has_line(text, "zeal_room_clients 2"));
  CAF_CHECK(has_line(text, "zeal_rooms_loaded_total 3"));
  CAF_CHECK(has_line(text, "zeal_rooms_unloaded_total 2"));
  for (auto name : {"zeal_messages_in_total", "zeal_messages_out_total", "zeal_bytes_in_total",
                    "zeal_bytes_out_total", "zeal_updates_applied_total"})
    CAF_CHECK(has_line(text, std::string{name} + " 0"));
  CAF_CHECK(has_line(text, "# TYPE zeal_rejected_connections_total counter"));
  CAF_CHECK(has_line(text, R"(zeal_rejected_connections_total{reason="room_full"} 2)"));
  CAF_CHECK(has_line(text, R"(zeal_rejected_connections_total{reason="timeout"} 1)"));
  for (auto r : {"max_rooms", "too_big", "malformed", "invalid_room", "slow_consumer"})
    CAF_CHECK(has_line(text, std::string{R"(zeal_rejected_connections_total{reason=")"} + r + "\"} 0"));
  CAF_CHECK(has_line(text, "# TYPE zeal_update_apply_seconds histogram"));
  CAF_CHECK(has_line(text, "# TYPE zeal_uptime_seconds gauge"));
  CAF_CHECK(text.find("\nzeal_uptime_seconds ") != std::string::npos);
  // Every line is a comment or "name[{labels}] value".
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    CAF_REQUIRE(end != std::string::npos);
    auto line = text.substr(pos, end - pos);
    CAF_CHECK(line.rfind("# ", 0) == 0 ||
              (line.rfind("zeal_", 0) == 0 && line.find(' ') != std::string::npos));
    pos = end + 1;
  }
}

CAF_TEST(the apply histogram is cumulative) {
  server_metrics m;
  m.observe_apply(5us);    // ≤ 1e-05
  m.observe_apply(10us);   // ≤ 1e-05 (bounds are inclusive)
  m.observe_apply(700us);  // ≤ 0.001
  m.observe_apply(2s);     // +Inf only
  auto text = m.prometheus();
  CAF_CHECK(has_line(text, R"(zeal_update_apply_seconds_bucket{le="0.00001"} 2)"));
  CAF_CHECK(has_line(text, R"(zeal_update_apply_seconds_bucket{le="0.0005"} 2)"));
  CAF_CHECK(has_line(text, R"(zeal_update_apply_seconds_bucket{le="0.001"} 3)"));
  CAF_CHECK(has_line(text, R"(zeal_update_apply_seconds_bucket{le="0.25"} 3)"));
  CAF_CHECK(has_line(text, R"(zeal_update_apply_seconds_bucket{le="+Inf"} 4)"));
  CAF_CHECK(has_line(text, "zeal_update_apply_seconds_count 4"));
  CAF_CHECK(has_line(text, "zeal_update_apply_seconds_sum 2.000715"));
}

CAF_TEST(uptime grows from construction) {
  server_metrics m;
  auto a = m.uptime_seconds();
  CAF_CHECK(a >= 0.0);
  CAF_CHECK(m.uptime_seconds() >= a);
  CAF_CHECK(a < 60.0);
}
