#include "net/http_router.hpp"

#include <cmath>
#include <cstdio>

#include "net/url.hpp"

namespace zeal::net {

namespace {

constexpr std::string_view rooms_prefix = "/rooms/";
constexpr std::string_view update_suffix = "/update";

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

http_route route_http(std::string_view method, std::string_view target) {
  http_route route;
  if (method != "GET" && method != "HEAD") {
    route.kind = http_route_kind::method_not_allowed;
    return route;
  }
  auto path = target_path(target);
  if (path == "/health") {
    route.kind = http_route_kind::health;
  } else if (path == "/stats") {
    route.kind = http_route_kind::stats;
  } else if (path == "/metrics") {
    route.kind = http_route_kind::metrics;
  } else if (path.size() > rooms_prefix.size() && path.substr(0, rooms_prefix.size()) == rooms_prefix) {
    auto rest = path.substr(rooms_prefix.size());
    auto kind = http_route_kind::room_json;
    if (rest.size() > update_suffix.size() &&
        rest.substr(rest.size() - update_suffix.size()) == update_suffix) {
      rest.remove_suffix(update_suffix.size());
      kind = http_route_kind::room_update;
    }
    // The split happens on the raw path, so a room whose name contains "/update" is reachable as %2Fupdate.
    auto room = percent_decode(rest);
    if (!room) {
      route.kind = http_route_kind::bad_request;
    } else if (room->empty()) {
      route.kind = http_route_kind::not_found;
    } else {
      route.kind = kind;
      route.room = std::move(*room);
    }
  }
  return route;
}

http_result json_error(int status, std::string_view message) {
  http_result r;
  r.status = status;
  r.content_type = "application/json";
  r.body = "{\"error\":\"" + json_escape(message) + "\"}";
  return r;
}

std::optional<http_result> answer_local(const http_route& route, const actors::server_metrics& metrics,
                                        const actors::room_limits& limits) {
  switch (route.kind) {
    case http_route_kind::health: {
      http_result r;
      auto uptime = static_cast<long long>(std::floor(metrics.uptime_seconds()));
      r.body = "{\"status\":\"ok\",\"uptime_seconds\":" + std::to_string(uptime) + "}";
      return r;
    }
    case http_route_kind::stats: {
      http_result r;
      r.body = metrics.stats_json(limits.max_rooms, limits.max_clients_per_room);
      return r;
    }
    case http_route_kind::metrics: {
      http_result r;
      r.content_type = "text/plain; version=0.0.4";
      r.body = metrics.prometheus();
      return r;
    }
    case http_route_kind::not_found:
      return json_error(404, "not found");
    case http_route_kind::method_not_allowed:
      return json_error(405, "method not allowed");
    case http_route_kind::bad_request:
      return json_error(400, "bad percent-encoding in path");
    case http_route_kind::room_json:
    case http_route_kind::room_update:
      break;
  }
  return std::nullopt;
}

}  // namespace zeal::net
