#define CAF_SUITE net_http_router
#include <caf/test/unit_test.hpp>

#include "net/http_router.hpp"

#include <utility>

using namespace zeal;
using namespace zeal::net;

namespace {

bool routes_to(std::string_view method, std::string_view target, http_route_kind kind,
               std::string room = {}) {
  auto r = route_http(method, target);
  return r.kind == kind && r.room == room;
}

}  // namespace

CAF_TEST(fixed_endpoints) {
  CAF_CHECK(routes_to("GET", "/health", http_route_kind::health));
  CAF_CHECK(routes_to("GET", "/health?verbose=1", http_route_kind::health));
  CAF_CHECK(routes_to("HEAD", "/health", http_route_kind::health));
  CAF_CHECK(routes_to("GET", "/stats", http_route_kind::stats));
  CAF_CHECK(routes_to("GET", "/metrics", http_route_kind::metrics));
  CAF_CHECK(routes_to("GET", "/health/", http_route_kind::not_found));
  CAF_CHECK(routes_to("GET", "/", http_route_kind::not_found));
  CAF_CHECK(routes_to("GET", "/nope", http_route_kind::not_found));
  CAF_CHECK(routes_to("GET", "", http_route_kind::not_found));
}

CAF_TEST(cluster_endpoint) {
  CAF_CHECK(routes_to("GET", "/cluster", http_route_kind::cluster));
  CAF_CHECK(routes_to("GET", "/cluster?pretty", http_route_kind::cluster));
  CAF_CHECK(routes_to("HEAD", "/cluster", http_route_kind::cluster));
  CAF_CHECK(routes_to("GET", "/cluster/", http_route_kind::not_found));
  CAF_CHECK(routes_to("GET", "/clusters", http_route_kind::not_found));
  for (auto method : {"POST", "PUT", "DELETE", "PATCH"}) {
    auto r = route_http(method, "/cluster");
    CAF_CHECK(r.kind == http_route_kind::method_not_allowed);
    CAF_CHECK_EQUAL(r.allow, "GET, HEAD");
  }
  // Answered by the router through the bridge, never locally.
  actors::server_metrics metrics;
  actors::room_limits limits;
  CAF_CHECK(!answer_local(route_http("GET", "/cluster"), metrics, limits));
  auto post = answer_local(route_http("POST", "/cluster"), metrics, limits);
  CAF_REQUIRE(post);
  CAF_CHECK_EQUAL(post->status, 405);
  CAF_CHECK(!refuse_body(route_http("GET", "/cluster"), 0));
}

CAF_TEST(room_endpoints) {
  CAF_CHECK(routes_to("GET", "/rooms/doc1", http_route_kind::room_json, "doc1"));
  CAF_CHECK(routes_to("GET", "/rooms/doc1?x", http_route_kind::room_json, "doc1"));
  CAF_CHECK(routes_to("GET", "/rooms/doc1/update", http_route_kind::room_update, "doc1"));
  CAF_CHECK(routes_to("GET", "/rooms/caf%C3%A9/update", http_route_kind::room_update, "caf\xC3\xA9"));
  CAF_CHECK(routes_to("GET", "/rooms/a%2Fupdate", http_route_kind::room_json, "a/update"));
  CAF_CHECK(routes_to("GET", "/rooms/a/b", http_route_kind::room_json, "a/b"));
  CAF_CHECK(routes_to("GET", "/rooms/update", http_route_kind::room_json, "update"));
  CAF_CHECK(routes_to("GET", "/rooms/", http_route_kind::not_found));
  CAF_CHECK(routes_to("GET", "/rooms", http_route_kind::not_found));
  CAF_CHECK(routes_to("GET", "/rooms/%2", http_route_kind::bad_request));
  CAF_CHECK(routes_to("GET", "/rooms/%zz/update", http_route_kind::bad_request));
}

CAF_TEST(methods_other_than_get_are_refused) {
  CAF_CHECK(routes_to("POST", "/health", http_route_kind::method_not_allowed));
  CAF_CHECK(routes_to("PUT", "/rooms/x", http_route_kind::method_not_allowed));
  CAF_CHECK(routes_to("DELETE", "/nope", http_route_kind::method_not_allowed));
  CAF_CHECK(routes_to("get", "/health", http_route_kind::method_not_allowed));  // methods are case-sensitive
}

CAF_TEST(post_goes_only_to_a_room_update) {
  CAF_CHECK(routes_to("POST", "/rooms/doc1/update", http_route_kind::room_post_update, "doc1"));
  CAF_CHECK(routes_to("POST", "/rooms/doc1/update?x=1", http_route_kind::room_post_update, "doc1"));
  CAF_CHECK(routes_to("POST", "/rooms/caf%C3%A9/update", http_route_kind::room_post_update, "caf\xC3\xA9"));
  CAF_CHECK(routes_to("POST", "/rooms/a/b/update", http_route_kind::room_post_update, "a/b"));
  CAF_CHECK(routes_to("POST", "/rooms/%zz/update", http_route_kind::bad_request));
  // Not an update path: the JSON view, the room "a/update" and the bare prefix take no POST.
  CAF_CHECK(routes_to("POST", "/rooms/doc1", http_route_kind::method_not_allowed));
  CAF_CHECK(routes_to("POST", "/rooms/a%2Fupdate", http_route_kind::method_not_allowed));
  CAF_CHECK(routes_to("POST", "/rooms/update", http_route_kind::method_not_allowed));
  CAF_CHECK(routes_to("POST", "/rooms//update", http_route_kind::method_not_allowed));
  CAF_CHECK(routes_to("POST", "/update", http_route_kind::method_not_allowed));
  CAF_CHECK(routes_to("POST", "/stats", http_route_kind::method_not_allowed));
  CAF_CHECK(routes_to("post", "/rooms/doc1/update", http_route_kind::method_not_allowed));
}

CAF_TEST(allow_header_names_the_methods_of_the_path) {
  CAF_CHECK_EQUAL(route_http("POST", "/health").allow, "GET, HEAD");
  CAF_CHECK_EQUAL(route_http("POST", "/rooms/doc1").allow, "GET, HEAD");
  CAF_CHECK_EQUAL(route_http("PUT", "/rooms/doc1").allow, "GET, HEAD");
  CAF_CHECK_EQUAL(route_http("DELETE", "/nope").allow, "GET, HEAD");
  CAF_CHECK_EQUAL(route_http("PUT", "/rooms/doc1/update").allow, "GET, HEAD, POST");
  CAF_CHECK_EQUAL(route_http("DELETE", "/rooms/doc1/update?x").allow, "GET, HEAD, POST");
  CAF_CHECK_EQUAL(route_http("post", "/rooms/doc1/update").allow, "GET, HEAD, POST");
  CAF_CHECK(route_http("GET", "/health").allow.empty());
  CAF_CHECK(route_http("POST", "/rooms/doc1/update").allow.empty());
  actors::server_metrics metrics;
  actors::room_limits limits;
  auto put = answer_local(route_http("PUT", "/rooms/doc1/update"), metrics, limits);
  CAF_REQUIRE(put);
  CAF_CHECK_EQUAL(put->status, 405);
  CAF_CHECK_EQUAL(put->allow, "GET, HEAD, POST");
  CAF_CHECK_EQUAL(put->body, "{\"error\":\"method not allowed\"}");
  auto post = answer_local(route_http("POST", "/metrics"), metrics, limits);
  CAF_REQUIRE(post);
  CAF_CHECK_EQUAL(post->allow, "GET, HEAD");
  auto ok = answer_local(route_http("GET", "/health"), metrics, limits);
  CAF_REQUIRE(ok);
  CAF_CHECK(ok->allow.empty());
}

CAF_TEST(body_limit_depends_on_the_route) {
  constexpr std::size_t http_body = 256;
  constexpr std::size_t message = 1024;
  CAF_CHECK_EQUAL(request_body_limit(route_http("POST", "/rooms/r/update"), http_body, message), message);
  for (auto [method, target] : {std::pair{"GET", "/rooms/r/update"},
                                {"HEAD", "/rooms/r/update"},
                                {"GET", "/rooms/r"},
                                {"GET", "/health"},
                                {"POST", "/health"},
                                {"POST", "/rooms/r"},
                                {"PUT", "/rooms/r/update"},
                                {"POST", "/rooms/%zz/update"},
                                {"GET", "/nope"}})
    CAF_CHECK_EQUAL(request_body_limit(route_http(method, target), http_body, message), http_body);
  // The POST route gets max-message-size even when it is the smaller limit.
  CAF_CHECK_EQUAL(request_body_limit(route_http("POST", "/rooms/r/update"), 4096, 100), 100u);
  CAF_CHECK_EQUAL(header_phase_body_limit(http_body, message), message);
  CAF_CHECK_EQUAL(header_phase_body_limit(4096, 100), 4096u);
}

CAF_TEST(empty_post_body_is_refused) {
  auto post = route_http("POST", "/rooms/r/update");
  auto empty = refuse_body(post, 0);
  CAF_REQUIRE(empty);
  CAF_CHECK_EQUAL(empty->status, 400);
  CAF_CHECK_EQUAL(empty->content_type, "application/json");
  CAF_CHECK_EQUAL(empty->body, "{\"error\":\"empty body\"}");
  CAF_CHECK(!refuse_body(post, 1));
  CAF_CHECK(!refuse_body(route_http("GET", "/rooms/r/update"), 0));
  CAF_CHECK(!refuse_body(route_http("GET", "/health"), 10));
}

CAF_TEST(local_answers) {
  actors::server_metrics metrics;
  actors::room_limits limits;
  limits.max_rooms = 7;
  limits.max_clients_per_room = 3;
  auto health = answer_local(route_http("GET", "/health"), metrics, limits);
  CAF_REQUIRE(health);
  CAF_CHECK_EQUAL(health->status, 200);
  CAF_CHECK_EQUAL(health->content_type, "application/json");
  CAF_CHECK_EQUAL(health->body.rfind("{\"status\":\"ok\",\"uptime_seconds\":", 0), 0u);
  auto stats = answer_local(route_http("GET", "/stats"), metrics, limits);
  CAF_REQUIRE(stats);
  CAF_CHECK_EQUAL(stats->status, 200);
  CAF_CHECK_NOT_EQUAL(stats->body.find("\"max_rooms\":7"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(stats->body.find("\"max_clients_per_room\":3"), std::string::npos);
  auto prom = answer_local(route_http("GET", "/metrics"), metrics, limits);
  CAF_REQUIRE(prom);
  CAF_CHECK_EQUAL(prom->content_type, "text/plain; version=0.0.4");
  CAF_CHECK_NOT_EQUAL(prom->body.find("zeal_connections"), std::string::npos);
  auto missing = answer_local(route_http("GET", "/x"), metrics, limits);
  CAF_REQUIRE(missing);
  CAF_CHECK_EQUAL(missing->status, 404);
  CAF_CHECK_EQUAL(missing->body, "{\"error\":\"not found\"}");
  auto post = answer_local(route_http("POST", "/health"), metrics, limits);
  CAF_REQUIRE(post);
  CAF_CHECK_EQUAL(post->status, 405);
  auto bad = answer_local(route_http("GET", "/rooms/%"), metrics, limits);
  CAF_REQUIRE(bad);
  CAF_CHECK_EQUAL(bad->status, 400);
  CAF_CHECK(!answer_local(route_http("GET", "/rooms/r"), metrics, limits));
  CAF_CHECK(!answer_local(route_http("GET", "/rooms/r/update"), metrics, limits));
  CAF_CHECK(!answer_local(route_http("POST", "/rooms/r/update"), metrics, limits));
  auto bad_post = answer_local(route_http("POST", "/rooms/%zz/update"), metrics, limits);
  CAF_REQUIRE(bad_post);
  CAF_CHECK_EQUAL(bad_post->status, 400);
}

CAF_TEST(json_error_escapes) {
  auto r = json_error(413, "a \"quoted\" \\ \n");
  CAF_CHECK_EQUAL(r.status, 413);
  CAF_CHECK_EQUAL(r.body, "{\"error\":\"a \\\"quoted\\\" \\\\ \\u000a\"}");
}
