#pragma once

// HTTP routing (no Beast): which endpoint a request goes to, and the answers that need no actor.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "actors/limits.hpp"
#include "actors/metrics.hpp"
#include "net/actor_bridge.hpp"

namespace zeal::net {

enum class http_route_kind {
  health,              // GET /health
  stats,               // GET /stats
  metrics,             // GET /metrics
  cluster,             // GET /cluster (the router's cluster view, through the actor bridge)
  room_json,           // GET /rooms/<room>
  room_update,         // GET /rooms/<room>/update
  room_post_update,    // POST /rooms/<room>/update (body: one v1 update)
  not_found,           // 404
  method_not_allowed,  // 405 (a method the path does not take; `allow` says which it takes)
  bad_request,         // 400 (bad percent-encoding in a room path)
};

struct http_route {
  http_route_kind kind = http_route_kind::not_found;
  std::string room;   // room_json / room_update / room_post_update: URL-decoded
  std::string allow;  // method_not_allowed: the Allow header ("GET, HEAD" or "GET, HEAD, POST")
};

/// Routes `method` (e.g. "GET") and the request target (path with optional query). GET and HEAD go
/// everywhere; POST only to /rooms/<room>/update; anything else is 405.
http_route route_http(std::string_view method, std::string_view target);

/// The body limit of a request on `route`: max_message_size for room_post_update (one update, as over a
/// WebSocket), max_http_body for every other route.
std::size_t request_body_limit(const http_route& route, std::size_t max_http_body,
                               std::size_t max_message_size);

/// The limit while the header is read (the route is not known yet): the larger of the two, so that a
/// Content-Length between them is not refused before the route is.
std::size_t header_phase_body_limit(std::size_t max_http_body, std::size_t max_message_size);

/// `{"error":"<message>"}` with `status` (message escaped).
http_result json_error(int status, std::string_view message);

/// A JSON string literal's contents for `s` ('"', '\\' and control characters escaped).
std::string json_escape(std::string_view s);

/// The answer for routes served without an actor (health, stats, metrics and the error routes); nullopt for
/// cluster, room_json / room_update / room_post_update, which go through the actor bridge.
std::optional<http_result> answer_local(const http_route& route, const actors::server_metrics& metrics,
                                        const actors::room_limits& limits);

/// A request on `route` whose body is refused before it reaches an actor: room_post_update with an empty
/// body → 400 `{"error":"empty body"}`. Nullopt otherwise (bodies of GET/HEAD requests are ignored).
std::optional<http_result> refuse_body(const http_route& route, std::size_t body_size);

}  // namespace zeal::net
