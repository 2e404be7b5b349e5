#define CAF_SUITE net_server
#include <caf/test/unit_test.hpp>

// End to end through real sockets (tests/net/server_fixture.hpp): the fixed HTTP endpoints and the
// WebSocket sessions. Focused on net's behaviour; the protocols with real Yjs clients are covered by
// tests/js. The room endpoints (GET/POST /rooms/...) are in tests/net/http_server_test.cpp.

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/net/server_fixture.hpp"

using namespace std::chrono_literals;
using namespace zeal;
using net::test::as_string;
using net::test::is_close;
using net::test::wait_until;
using net::test::ws_event;
using fixture = net::test::server_fixture;

CAF_TEST_FIXTURE_SCOPE(net_server_tests, fixture)

CAF_TEST(health_stats_metrics) {
  start();
  auto health = net::test::http_get(port, "/health");
  CAF_CHECK_EQUAL(health.status, 200);
  CAF_CHECK_EQUAL(health.content_type, "application/json");
  CAF_CHECK_EQUAL(health.body.rfind("{\"status\":\"ok\",\"uptime_seconds\":", 0), 0u);
  auto stats = net::test::http_get(port, "/stats");
  CAF_CHECK_EQUAL(stats.status, 200);
  for (auto field : {"\"rooms\":", "\"total_clients\":", "\"max_rooms\":10", "\"max_clients_per_room\":5",
                     "\"uptime_seconds\":", "\"messages_in\":", "\"bytes_out\":"})
    CAF_CHECK_NOT_EQUAL(stats.body.find(field), std::string::npos);
  auto prom = net::test::http_get(port, "/metrics");
  CAF_CHECK_EQUAL(prom.status, 200);
  CAF_CHECK_EQUAL(prom.content_type, "text/plain; version=0.0.4");
  CAF_CHECK_NOT_EQUAL(prom.body.find("zeal_connections "), std::string::npos);
  CAF_CHECK_NOT_EQUAL(prom.body.find("zeal_http_requests_total"), std::string::npos);
  CAF_CHECK_GREATER_OR_EQUAL(metrics->http_requests_total.load(), 3u);
}

CAF_TEST(http_errors_and_keep_alive) {
  start();
  net::test::http_client c{port};
  CAF_REQUIRE(c.connected());
  auto missing = c.request("GET", "/no/such/path");
  CAF_CHECK_EQUAL(missing.status, 404);
  CAF_CHECK_EQUAL(missing.body, "{\"error\":\"not found\"}");
  CAF_CHECK(missing.keep_alive);
  auto post = c.request("POST", "/health", "x");  // same connection: keep-alive honoured
  CAF_CHECK_EQUAL(post.status, 405);
  CAF_CHECK_EQUAL(post.allow, "GET, HEAD");
  CAF_CHECK(post.keep_alive);
  auto head = c.request("HEAD", "/health");
  CAF_CHECK_EQUAL(head.status, 200);
  CAF_CHECK(head.body.empty());
  auto ok = c.request("GET", "/health");
  CAF_CHECK_EQUAL(ok.status, 200);
  auto big = c.request("GET", "/health", std::string(1000, 'x'));  // over max_http_body (256)
  CAF_CHECK_EQUAL(big.status, 413);
  CAF_CHECK(!big.keep_alive);
  auto closing = net::test::http_get(port, "/health");
  CAF_CHECK_EQUAL(closing.status, 200);
  CAF_CHECK(!closing.keep_alive);
}

CAF_TEST(room_inspection) {
  start();
  auto missing = net::test::http_get(port, "/rooms/nope");
  CAF_CHECK_EQUAL(missing.status, 404);
  CAF_CHECK_EQUAL(missing.body, "{\"error\":\"room not found\"}");
  CAF_CHECK_EQUAL(net::test::http_get(port, "/rooms/nope/update").status, 404);
  CAF_CHECK_EQUAL(net::test::http_get(port, "/rooms/%zz").status, 400);
  auto client = join("/caf%C3%A9");  // the room is loaded while a client is in it
  auto json = net::test::http_get(port, "/rooms/caf%C3%A9");
  CAF_CHECK_EQUAL(json.status, 200);
  CAF_CHECK_EQUAL(json.content_type, "application/json");
  CAF_CHECK_EQUAL(json.body, "{}");
  auto update = net::test::http_get(port, "/rooms/caf%C3%A9/update");
  CAF_CHECK_EQUAL(update.status, 200);
  CAF_CHECK_EQUAL(update.content_type, "application/octet-stream");
  CAF_CHECK_EQUAL(update.body, std::string("\0\0", 2));  // empty v1 update: no structs, no deletes
  client->close();
}

CAF_TEST(y_websocket_connection_gets_sync_step1_and_is_counted) {
  start();
  auto client = join("/room-1?token=abc");
  CAF_CHECK(wait_until([&] { return metrics->connections.load() == 1; }));
  CAF_CHECK_EQUAL(metrics->connections_total.load(), 1u);
  // Counted when the write completes, which may be just after the client has read the frame.
  CAF_CHECK(wait_until([&] { return metrics->messages_out.load() >= 1 && metrics->bytes_out.load() >= 2; }));
  // SyncStep1 with an empty state vector → the server answers SyncStep2.
  CAF_REQUIRE(client->send_binary({0, 0, 1, 0}));
  auto reply = client->read();
  CAF_REQUIRE_EQUAL(static_cast<int>(reply.kind), static_cast<int>(ws_event::binary));
  CAF_CHECK_EQUAL(reply.data[0], 0u);
  CAF_CHECK_EQUAL(reply.data[1], 1u);  // SyncStep2
  CAF_CHECK_EQUAL(metrics->messages_in.load(), 1u);
  CAF_CHECK_EQUAL(metrics->bytes_in.load(), 4u);
  client->close();
  CAF_CHECK(wait_until([&] { return metrics->connections.load() == 0; }));
}

CAF_TEST(oversize_message_closes_1009_with_reason) {
  start();
  auto client = join("/big");
  CAF_REQUIRE(client->send_binary(std::vector<std::uint8_t>(5000, 0)));
  auto ev = client->read_until_closed();
  CAF_CHECK(is_close(ev, 1009, "message exceeds max-message-size (1024 bytes)"));
  CAF_CHECK_EQUAL(metrics->rejected(actors::reject_reason::too_big), 1u);
}

CAF_TEST(message_at_the_limit_passes_one_byte_more_closes) {
  start();
  // A seed connection that has not joined answers a binary frame with an error text frame: proof that a
  // message of exactly max-message-size bytes reached the client actor.
  net::test::ws_client client;
  std::string error;
  CAF_REQUIRE(client.connect(port, "/ws", error));
  CAF_REQUIRE(client.send_binary(std::vector<std::uint8_t>(1024, 7)));
  auto ev = client.read();
  CAF_REQUIRE_EQUAL(static_cast<int>(ev.kind), static_cast<int>(ws_event::text));
  CAF_CHECK_EQUAL(as_string(ev.data), "{\"error\":\"not in a room\"}");
  CAF_CHECK_EQUAL(metrics->bytes_in.load(), 1024u);
  CAF_REQUIRE(client.send_binary(std::vector<std::uint8_t>(1025, 7)));
  CAF_CHECK(is_close(client.read_until_closed(), 1009, "message exceeds max-message-size (1024 bytes)"));
}

CAF_TEST(oversize_fragmented_message_closes_1009) {
  start();
  auto client = join("/big-fragments");
  // Many small frames of one message: the limit is on the message, not the frame.
  CAF_REQUIRE(client->send_fragmented(std::vector<std::uint8_t>(3000, 0), 100));
  auto ev = client->read_until_closed();
  CAF_CHECK(is_close(ev, 1009, "message exceeds max-message-size (1024 bytes)"));
}

CAF_TEST(text_frame_on_y_websocket_closes_1003) {
  start();
  auto client = join("/texty");
  CAF_REQUIRE(client->send_text("hello"));
  CAF_CHECK(is_close(client->read_until_closed(), 1003, "text frames are not supported"));
}

CAF_TEST(bad_percent_encoding_closes_1008) {
  start();
  net::test::ws_client client;
  std::string error;
  CAF_REQUIRE(client.connect(port, "/bad%zz", error));
  CAF_CHECK(is_close(client.read_until_closed(), 1008, "invalid room name: bad percent-encoding"));
  CAF_CHECK_EQUAL(metrics->rejected(actors::reject_reason::invalid_room), 1u);
}

CAF_TEST(actor_close_comes_after_the_frames_queued_before_it) {
  start();
  std::vector<std::unique_ptr<net::test::ws_client>> members;
  for (std::size_t i = 0; i < limits.max_clients_per_room; ++i) members.push_back(join("/full"));
  net::test::ws_client extra;
  std::string error;
  CAF_REQUIRE(extra.connect(port, "/full", error));
  // Room full: the auth permission-denied frame first, then the close with the same reason.
  auto denied = extra.read();
  CAF_REQUIRE_EQUAL(static_cast<int>(denied.kind), static_cast<int>(ws_event::binary));
  CAF_REQUIRE_GREATER_OR_EQUAL(denied.data.size(), 2u);
  CAF_CHECK_EQUAL(denied.data[0], 2u);
  CAF_CHECK_EQUAL(denied.data[1], 0u);
  CAF_CHECK(is_close(extra.read_until_closed(), 1013, "room full (max-clients-per-room 5)"));
  for (auto& m : members) m->close();
}

CAF_TEST(seed_protocol_text_frames_reach_the_client_actor) {
  start();
  net::test::ws_client client;
  std::string error;
  CAF_REQUIRE(client.connect(port, "/ws?x=1", error));
  CAF_REQUIRE(client.send_text("not json"));
  auto ev = client.read();
  CAF_REQUIRE_EQUAL(static_cast<int>(ev.kind), static_cast<int>(ws_event::text));
  CAF_CHECK_EQUAL(as_string(ev.data).rfind("{\"error\":", 0), 0u);
  CAF_REQUIRE(client.send_text("{\"action\":\"join\",\"room\":\"seed-room\"}"));
  auto step1 = client.read();
  CAF_REQUIRE_EQUAL(static_cast<int>(step1.kind), static_cast<int>(ws_event::binary));
  CAF_CHECK_EQUAL(step1.data[0], 0u);
  client.close();
}

CAF_TEST(slow_consumer_is_closed_1008) {
  auto c = small_config();
  // One frame always passes (a frame bigger than the bound is no slow consumer); a second one waiting
  // behind it with more than 1 byte queued is over the bound. Frames wait in the queue only once the
  // kernel's socket buffers are full (the server writes at once while the socket takes it): a client that
  // reads nothing until the server gave up, while asking for ~55 MB of replies (more than the kernel's
  // buffers take here: tcp_wmem max 4 MB + tcp_rmem max 32 MB), gets there.
  c.max_send_queue_bytes = 1;
  start(c);
  net::test::ws_client client;
  std::string error;
  CAF_REQUIRE(client.connect(port, "/slow", error));
  // A document of ~900 bytes: one v1 update with one string item appended to the root text "t".
  // Frame: sync, update, varUint length 911; update: 1 client, 1 struct, client 7, clock 0, info 4
  // (string, no origins), parent by root name "t", string of 900 bytes; then the empty delete set.
  std::vector<std::uint8_t> update{0, 2, 0x8F, 0x07, 1, 1, 7, 0, 4, 1, 1, 't', 0x84, 0x07};
  update.insert(update.end(), 900, 'x');
  update.push_back(0);
  CAF_REQUIRE(client.send_binary(update));
  // Each SyncStep1 (empty state vector) is answered with a SyncStep2 of the whole document.
  for (int i = 0; i < 60000; ++i)
    if (!client.send_binary({0, 0, 1, 0})) break;
  // Reading earlier would drain the buffers and race the server's queue.
  CAF_CHECK(wait_until([&] { return metrics->rejected(actors::reject_reason::slow_consumer) == 1; }, 20s));
  CAF_CHECK(is_close(client.read_until_closed(20s), 1008, "slow consumer: send queue over 1 bytes"));
  CAF_CHECK_EQUAL(metrics->rejected(actors::reject_reason::slow_consumer), 1u);
}

CAF_TEST(idle_client_is_closed_1000) {
  auto c = small_config();
  c.client_timeout = 1s;
  start(c);
  auto client = join("/idle");
  auto t0 = std::chrono::steady_clock::now();
  CAF_CHECK(is_close(client->read_until_closed(5s), 1000, "idle timeout"));
  CAF_CHECK_GREATER_OR_EQUAL(std::chrono::steady_clock::now() - t0, 500ms);
  CAF_CHECK_EQUAL(metrics->rejected(actors::reject_reason::timeout), 1u);
}

CAF_TEST(client_missing_pongs_is_dropped) {
  auto c = small_config();
  c.ping_interval = 1s;
  start(c);
  auto client = join("/deaf");
  // Not reading: the server's pings go unanswered; at the second ping the connection is torn down.
  CAF_CHECK(wait_until([&] { return metrics->rejected(actors::reject_reason::timeout) == 1; }, 5s));
  CAF_CHECK(wait_until([&] { return metrics->connections.load() == 0; }));
  auto ev = client->read_until_closed(3s);
  CAF_CHECK_EQUAL(static_cast<int>(ev.kind), static_cast<int>(ws_event::error));  // no close frame: torn down
}

CAF_TEST(answering_client_survives_pings) {
  auto c = small_config();
  c.ping_interval = 1s;
  start(c);
  auto client = join("/awake");
  // Reading answers the pings; nothing else arrives within 2.5 s.
  auto ev = client->read(2500ms);
  CAF_CHECK_EQUAL(ev.message, "timeout");
  CAF_CHECK_EQUAL(metrics->rejected(actors::reject_reason::timeout), 0u);
  CAF_CHECK_EQUAL(metrics->connections.load(), 1);
  client->close();
}

CAF_TEST(shutdown_closes_1001) {
  start();
  auto a = join("/shut");
  auto b = join("/shut");
  std::thread stopper([&] { srv->stop(2s); });
  CAF_CHECK(is_close(a->read_until_closed(), 1001, "server shutting down"));
  CAF_CHECK(is_close(b->read_until_closed(), 1001, "server shutting down"));
  stopper.join();
  CAF_CHECK_EQUAL(metrics->connections.load(), 0);
  // Not accepting any more.
  CAF_CHECK_EQUAL(net::test::http_get(port, "/health").status, 0);
  srv.reset();
}

CAF_TEST(port_in_use_fails_to_start) {
  start();
  auto c = small_config();
  c.port = port;
  net::server second{c, *bridge};
  std::string error;
  CAF_CHECK(!second.start(error));
  CAF_CHECK_NOT_EQUAL(error.find("cannot listen"), std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
