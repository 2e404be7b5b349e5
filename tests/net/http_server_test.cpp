#define CAF_SUITE net_http_server
#include <caf/test/unit_test.hpp>

// The room endpoints end to end (tests/net/server_fixture.hpp): GET /rooms/<r>, GET and POST
// /rooms/<r>/update — routing, Allow, body limits per route, 100-continue, the mapping of actor errors
// to HTTP statuses (against a fake directory) and a POST applied by a real room.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "crdt/doc/doc.hpp"
#include "tests/net/server_fixture.hpp"

using namespace std::chrono_literals;
using namespace zeal;
using net::test::as_string;
using net::test::error_body;
using net::test::ws_event;
using fixture = net::test::server_fixture;

CAF_TEST_FIXTURE_SCOPE(net_http_server_tests, fixture)

CAF_TEST(post_update_reaches_the_directory) {
  auto log = use_fake_directory();
  start();
  net::test::http_client c{port};
  CAF_REQUIRE(c.connected());
  std::string update("\x01\x00\xff\x00", 4);  // any bytes: the fake does not decode
  auto ok = c.request("POST", "/rooms/caf%C3%A9/update", update);
  CAF_CHECK_EQUAL(ok.status, 200);
  CAF_CHECK_EQUAL(ok.content_type, "application/json");
  CAF_CHECK_EQUAL(ok.body, "{\"ok\":true}");
  CAF_CHECK(ok.keep_alive);
  CAF_REQUIRE_EQUAL(log->size(), 1u);
  CAF_CHECK_EQUAL(log->last().first, "caf\xC3\xA9");
  CAF_CHECK(log->last().second == actors::bytes({1, 0, 0xff, 0}));
  // Same connection: an empty body is refused before any actor sees it, the connection stays.
  auto empty = c.request("POST", "/rooms/r/update", "");
  CAF_CHECK_EQUAL(empty.status, 400);
  CAF_CHECK_EQUAL(empty.body, "{\"error\":\"empty body\"}");
  CAF_CHECK(empty.keep_alive);
  CAF_CHECK_EQUAL(log->size(), 1u);
  auto bad = c.request("POST", "/rooms/%zz/update", "x");
  CAF_CHECK_EQUAL(bad.status, 400);
  auto json = c.request("GET", "/rooms/r");
  CAF_CHECK_EQUAL(json.status, 200);
  CAF_CHECK_EQUAL(json.body, "{\"fake\":\"r\"}");
  auto state = c.request("GET", "/rooms/r/update");
  CAF_CHECK_EQUAL(state.status, 200);
  CAF_CHECK_EQUAL(state.content_type, "application/octet-stream");
  CAF_CHECK_EQUAL(state.body, std::string("\0\0\x07", 3));
  auto head = c.request("HEAD", "/rooms/r/update");
  CAF_CHECK_EQUAL(head.status, 200);
  CAF_CHECK(head.body.empty());
  auto again = c.request("POST", "/rooms/r/update", "u");
  CAF_CHECK_EQUAL(again.status, 200);
  CAF_CHECK_EQUAL(log->size(), 2u);
}

CAF_TEST(allow_header_per_path) {
  use_fake_directory();
  start();
  net::test::http_client c{port};
  CAF_REQUIRE(c.connected());
  auto put = c.request("PUT", "/rooms/r/update", "x");
  CAF_CHECK_EQUAL(put.status, 405);
  CAF_CHECK_EQUAL(put.allow, "GET, HEAD, POST");
  CAF_CHECK_EQUAL(put.body, "{\"error\":\"method not allowed\"}");
  auto del = c.request("DELETE", "/rooms/r/update");
  CAF_CHECK_EQUAL(del.allow, "GET, HEAD, POST");
  auto post_json = c.request("POST", "/rooms/r", "x");
  CAF_CHECK_EQUAL(post_json.status, 405);
  CAF_CHECK_EQUAL(post_json.allow, "GET, HEAD");
  auto post_stats = c.request("POST", "/stats", "x");
  CAF_CHECK_EQUAL(post_stats.status, 405);
  CAF_CHECK_EQUAL(post_stats.allow, "GET, HEAD");
  CAF_CHECK(post_stats.keep_alive);
  auto ok = c.request("GET", "/health");
  CAF_CHECK_EQUAL(ok.status, 200);
  CAF_CHECK(ok.allow.empty());
}

CAF_TEST(body_limit_is_max_message_size_on_post_and_max_http_body_elsewhere) {
  // small_config: max_http_body 256, max_message_size 1024.
  auto log = use_fake_directory();
  start();
  std::string between(300, 'b');  // over max-http-body, under max-message-size
  {
    net::test::http_client c{port};
    auto ok = c.request("POST", "/rooms/r/update", between);
    CAF_CHECK_EQUAL(ok.status, 200);
    CAF_CHECK(ok.keep_alive);
    auto at_limit = c.request("POST", "/rooms/r/update", std::string(1024, 'm'));
    CAF_CHECK_EQUAL(at_limit.status, 200);
    CAF_REQUIRE_EQUAL(log->size(), 2u);
    CAF_CHECK_EQUAL(log->last().second.size(), 1024u);
    auto over = c.request("POST", "/rooms/r/update", std::string(1025, 'm'));
    CAF_CHECK_EQUAL(over.status, 413);
    CAF_CHECK_EQUAL(over.body, "{\"error\":\"request body too large\"}");
    CAF_CHECK(!over.keep_alive);
  }
  CAF_CHECK_EQUAL(log->size(), 2u);
  for (auto [method, target] : {std::pair{"GET", "/rooms/r/update"},
                                {"GET", "/rooms/r"},
                                {"GET", "/health"},
                                {"POST", "/health"},
                                {"POST", "/rooms/r"},
                                {"PUT", "/rooms/r/update"}}) {
    net::test::http_client c{port};
    auto refused = c.request(method, target, between);
    CAF_CHECK_EQUAL(refused.status, 413);
    CAF_CHECK(!refused.keep_alive);
    if (refused.status != 413) CAF_MESSAGE(method << " " << target);
  }
  {
    // Over both limits: refused while the header is read.
    net::test::http_client c{port};
    auto huge = c.request("POST", "/rooms/r/update", std::string(5000, 'h'));
    CAF_CHECK_EQUAL(huge.status, 413);
  }
  {
    net::test::http_client c{port};
    auto fits = c.request("GET", "/health", std::string(256, 'g'));
    CAF_CHECK_EQUAL(fits.status, 200);
  }
  CAF_CHECK_EQUAL(log->size(), 2u);
}

CAF_TEST(client_sending_a_huge_body_still_reads_the_413) {
  // The server answers before the body is read and closes; it keeps reading (and discarding) for a while,
  // so that the client's upload completes and it sees the answer instead of a connection reset.
  use_fake_directory();
  start();
  for (auto target : {"/rooms/r/update", "/health"}) {
    net::test::http_client c{port};
    auto refused = c.request("POST", target, std::string(8 * 1024 * 1024, 'x'));
    CAF_CHECK_EQUAL(refused.error, "");
    CAF_CHECK_EQUAL(refused.status, 413);
    CAF_CHECK(!refused.keep_alive);
  }
}

CAF_TEST(chunked_bodies_have_the_same_limits) {
  auto log = use_fake_directory();
  start();
  auto chunked = [](std::string method, std::string target, std::size_t size) {
    net::test::http_request req;
    req.method = std::move(method);
    req.target = std::move(target);
    req.body = std::string(size, 'c');
    req.chunked = true;
    return req;
  };
  {
    net::test::http_client c{port};
    auto ok = c.request(chunked("POST", "/rooms/r/update", 1000));
    CAF_CHECK_EQUAL(ok.status, 200);
    CAF_REQUIRE_EQUAL(log->size(), 1u);
    CAF_CHECK_EQUAL(log->last().second.size(), 1000u);
    auto over = c.request(chunked("POST", "/rooms/r/update", 1025));
    CAF_CHECK_EQUAL(over.status, 413);
  }
  {
    net::test::http_client c{port};
    auto refused = c.request(chunked("GET", "/health", 300));
    CAF_CHECK_EQUAL(refused.status, 413);
  }
  {
    net::test::http_client c{port};
    auto fits = c.request(chunked("GET", "/health", 200));
    CAF_CHECK_EQUAL(fits.status, 200);
  }
  CAF_CHECK_EQUAL(log->size(), 1u);
}

CAF_TEST(expect_100_continue) {
  auto log = use_fake_directory();
  start();
  net::test::http_request req;
  req.method = "POST";
  req.target = "/rooms/r/update";
  req.body = std::string(1000, 'e');
  req.expect_continue = true;
  req.timeout = 5s;
  {
    net::test::http_client c{port};
    auto ok = c.request(req);
    CAF_CHECK(ok.got_continue);
    CAF_CHECK_EQUAL(ok.status, 200);
    CAF_CHECK_EQUAL(log->size(), 1u);
  }
  {
    // Over the limit: the final answer comes at once, the body is never asked for.
    net::test::http_client c{port};
    req.body = std::string(2000, 'e');
    auto refused = c.request(req);
    CAF_CHECK(!refused.got_continue);
    CAF_CHECK_EQUAL(refused.status, 413);
    CAF_CHECK(!refused.keep_alive);
  }
  CAF_CHECK_EQUAL(log->size(), 1u);
}

CAF_TEST(actor_errors_map_to_http_status_and_reason) {
  use_fake_directory();
  start();
  struct expectation {
    std::string room;
    int status;
    std::string body;
  };
  std::vector<expectation> cases{
      {"missing", 404, error_body("room not found")},
      {"malformed", 400, error_body("malformed update: x")},
      {"quoted", 400, error_body("malformed update: \\\"q\\\"\\u000a")},
      {"invalid", 400, error_body("invalid room name: too long")},
      {"full", 503, error_body("server full (max-rooms 1)")},
      {"closing", 503, error_body("server shutting down")},
      {"unloadable", 500, error_body("room could not be loaded from storage")},
      {"storage", 500, error_body("storage failure")},
  };
  net::test::http_client c{port};
  CAF_REQUIRE(c.connected());
  for (const auto& x : cases) {
    CAF_MESSAGE("room " << x.room);
    auto post = c.request("POST", "/rooms/" + x.room + "/update", "u");
    CAF_CHECK_EQUAL(post.status, x.status);
    CAF_CHECK_EQUAL(post.content_type, "application/json");
    CAF_CHECK_EQUAL(post.body, x.body);
    CAF_CHECK(post.keep_alive);
    auto json = c.request("GET", "/rooms/" + x.room);
    CAF_CHECK_EQUAL(json.status, x.status);
    CAF_CHECK_EQUAL(json.body, x.body);
    auto state = c.request("GET", "/rooms/" + x.room + "/update");
    CAF_CHECK_EQUAL(state.status, x.status);
    CAF_CHECK_EQUAL(state.content_type, "application/json");
    CAF_CHECK_EQUAL(state.body, x.body);
    auto head = c.request("HEAD", "/rooms/" + x.room);
    CAF_CHECK_EQUAL(head.status, x.status);
    CAF_CHECK(head.body.empty());
  }
  // An error that is not an actor error (a bug, e.g. a message the directory does not understand) → 500.
  auto strange = c.request("POST", "/rooms/strange/update", "u");
  CAF_CHECK_EQUAL(strange.status, 500);
  CAF_CHECK_EQUAL(strange.body.rfind("{\"error\":\"", 0), 0u);
  CAF_CHECK_EQUAL(c.request("GET", "/rooms/strange").status, 500);
}

CAF_TEST(cluster_view_comes_from_the_router) {
  use_fake_directory();
  start();
  net::test::http_client c{port};
  CAF_REQUIRE(c.connected());
  auto get = c.request("GET", "/cluster");
  CAF_CHECK_EQUAL(get.status, 200);
  CAF_CHECK_EQUAL(get.content_type, "application/json");
  CAF_CHECK_EQUAL(get.body, net::test::fake_cluster_json);
  CAF_CHECK(get.keep_alive);
  auto head = c.request("HEAD", "/cluster");
  CAF_CHECK_EQUAL(head.status, 200);
  CAF_CHECK(head.body.empty());
  auto post = c.request("POST", "/cluster", "x");
  CAF_CHECK_EQUAL(post.status, 405);
  CAF_CHECK_EQUAL(post.allow, "GET, HEAD");
  CAF_CHECK(post.keep_alive);
  CAF_CHECK_EQUAL(c.request("GET", "/cluster?x=1").status, 200);
}

CAF_TEST(cluster_view_of_a_directory_without_a_router_is_500) {
  // The plain local directory does not answer (cluster_atom): a bug, not a timeout.
  start();
  net::test::http_client c{port};
  auto r = c.request("GET", "/cluster");
  CAF_CHECK_EQUAL(r.status, 500);
  CAF_CHECK_EQUAL(r.body.rfind("{\"error\":\"", 0), 0u);
}

CAF_TEST(cluster_view_of_a_dead_router_is_503) {
  use_dead_directory();
  start();
  net::test::http_client c{port};
  auto r = c.request("GET", "/cluster");
  CAF_CHECK_EQUAL(r.status, 503);
  CAF_CHECK_EQUAL(r.body, "{\"error\":\"cluster view unavailable\"}");
  CAF_CHECK(r.keep_alive);
}

CAF_TEST(dead_directory_is_503) {
  use_dead_directory();
  start();
  net::test::http_client c{port};
  for (auto [method, target] :
       {std::pair{"GET", "/rooms/r"}, {"GET", "/rooms/r/update"}, {"POST", "/rooms/r/update"}}) {
    auto r = c.request(method, target, std::string(method) == "POST" ? "u" : "");
    CAF_CHECK_EQUAL(r.status, 503);
    CAF_CHECK_EQUAL(r.body, "{\"error\":\"room directory unavailable\"}");
    CAF_CHECK(r.keep_alive);
  }
}

CAF_TEST(post_update_is_applied_and_relayed_by_the_room) {
  start();
  auto member = join("/live");
  crdt::doc d;
  d.get_text("t").insert(0, "hello");
  auto update = d.encode_state_as_update();
  auto ok = net::test::http_client{port}.request("POST", "/rooms/live/update", as_string(update));
  CAF_CHECK_EQUAL(ok.status, 200);
  CAF_CHECK_EQUAL(ok.body, "{\"ok\":true}");
  // The member gets it as a sync Update message (0, 2, ...).
  auto relayed = member->read();
  CAF_REQUIRE_EQUAL(static_cast<int>(relayed.kind), static_cast<int>(ws_event::binary));
  CAF_REQUIRE_GREATER_OR_EQUAL(relayed.data.size(), 3u);
  CAF_CHECK_EQUAL(relayed.data[0], 0u);
  CAF_CHECK_EQUAL(relayed.data[1], 2u);
  auto json = net::test::http_get(port, "/rooms/live");
  CAF_CHECK_EQUAL(json.status, 200);
  CAF_CHECK_EQUAL(json.body, "{\"t\":\"hello\"}");
  auto bad =
      net::test::http_client{port}.request("POST", "/rooms/live/update", std::string("\xff\xff\xff", 3));
  CAF_CHECK_EQUAL(bad.status, 400);
  CAF_CHECK_EQUAL(bad.body.rfind("{\"error\":\"malformed update: ", 0), 0u);
  CAF_MESSAGE("malformed: " << bad.body);
  CAF_CHECK_EQUAL(net::test::http_get(port, "/rooms/live").body, "{\"t\":\"hello\"}");
  member->close();
  // A room nobody is in: the POST loads it (a restore into a new room).
  auto fresh = net::test::http_client{port}.request("POST", "/rooms/fresh/update", as_string(update));
  CAF_CHECK_EQUAL(fresh.status, 200);
  CAF_CHECK_EQUAL(net::test::http_get(port, "/rooms/fresh").body, "{\"t\":\"hello\"}");
  CAF_CHECK_EQUAL(net::test::http_get(port, "/rooms/fresh/update").body, as_string(update));
}

CAF_TEST_FIXTURE_SCOPE_END()
