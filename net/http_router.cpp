#include "net/http_router.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "net/url.hpp"

namespace zeal::net {

namespace {

constexpr std::string_view rooms_prefix = "/rooms/";
constexpr std::string_view update_suffix = "/update";
constexpr std::string_view allow_get = "GET, HEAD";
constexpr std::string_view allow_get_post = "GET, HEAD, POST";

/// The route of `path` for GET/HEAD (room_post_update is never returned here).
http_route route_path(std::string_view path) {
  http_route route;
  if (path == "/health") {
    route.kind = http_route_kind::health;
  } else if (path == "/stats") {
    route.kind = http_route_kind::stats;
  } else if (path == "/metrics") {
    route.kind = http_route_kind::metrics;
  } else if (path == "/cluster") {
    route.kind = http_route_kind::cluster;
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

/// True if the raw path has the shape of /rooms/<room>/update (whether or not <room> decodes).
bool is_update_path(std::string_view path) {
  if (path.size() <= rooms_prefix.size() + update_suffix.size()) return false;
  return path.substr(0, rooms_prefix.size()) == rooms_prefix &&
         path.substr(path.size() - update_suffix.size()) == update_suffix;
}

http_route not_allowed(std::string_view path) {
  http_route route;
  route.kind = http_route_kind::method_not_allowed;
  route.allow = std::string(is_update_path(path) ? allow_get_post : allow_get);
  return route;
}

}  // namespace

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

http_route route_http(std::string_view method, std::string_view target) {
  auto path = target_path(target);
  if (method == "GET" || method == "HEAD") return route_path(path);
  if (method == "POST" && is_update_path(path)) {
    auto route = route_path(path);
    // bad_request (undecodable room) stays; a valid room name is the POST route.
    if (route.kind == http_route_kind::room_update) route.kind = http_route_kind::room_post_update;
    return route;
  }
  return not_allowed(path);
}

std::size_t request_body_limit(const http_route& route, std::size_t max_http_body,
                               std::size_t max_message_size) {
  return route.kind == http_route_kind::room_post_update ? max_message_size : max_http_body;
}

std::size_t header_phase_body_limit(std::size_t max_http_body, std::size_t max_message_size) {
  return std::max(max_http_body, max_message_size);
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
    case http_route_kind::method_not_allowed: {
      auto r = json_error(405, "method not allowed");
      r.allow = route.allow.empty() ? std::string(allow_get) : route.allow;
      return r;
    }
    case http_route_kind::bad_request:
      return json_error(400, "bad percent-encoding in path");
    case http_route_kind::cluster:
    case http_route_kind::room_json:
    case http_route_kind::room_update:
    case http_route_kind::room_post_update:
      break;
  }
  return std::nullopt;
}

std::optional<http_result> refuse_body(const http_route& route, std::size_t body_size) {
  if (route.kind == http_route_kind::room_post_update && body_size == 0) return json_error(400, "empty body");
  return std::nullopt;
}

}  // namespace zeal::net
