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
  room_json,           // GET /rooms/<room>
  room_update,         // GET /rooms/<room>/update
  not_found,           // 404
  method_not_allowed,  // 405 (anything but GET/HEAD)
  bad_request,         // 400 (bad percent-encoding in a room path)
};

struct http_route {
  http_route_kind kind = http_route_kind::not_found;
  std::string room;  // room_json / room_update: URL-decoded
};

/// Routes `method` (e.g. "GET") and the request target (path with optional query).
http_route route_http(std::string_view method, std::string_view target);

/// `{"error":"<message>"}` with `status` (message: plain ASCII, escaped anyway).
http_result json_error(int status, std::string_view message);

/// The answer for routes served without an actor (health, stats, metrics and the error routes); nullopt for
/// room_json / room_update, which go through the actor bridge.
std::optional<http_result> answer_local(const http_route& route, const actors::server_metrics& metrics,
                                        const actors::room_limits& limits);

}  // namespace zeal::net
