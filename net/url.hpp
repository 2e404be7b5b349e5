#pragma once

// Request-target helpers (no Beast): path extraction, percent-decoding and the WebSocket route.

#include <optional>
#include <string>
#include <string_view>

#include "net/actor_bridge.hpp"

namespace zeal::net {

/// The path of a request target: everything before the first '?' or '#'.
std::string_view target_path(std::string_view target);

/// Decodes `%xx` escapes (hex digits of either case). '+' stays '+' (paths, not forms). A '%' not followed
/// by two hex digits → nullopt.
std::optional<std::string> percent_decode(std::string_view s);

/// Where a WebSocket upgrade goes: path exactly "/ws" (query ignored) → the seed protocol; any other path
/// → y-websocket with the room = the URL-decoded path without its leading '/'. `room_ok` is false when the
/// path is not validly percent-encoded (the connection is then refused as an invalid room name). The room
/// name itself is validated by the client actor.
struct ws_target {
  ws_protocol protocol = ws_protocol::y_websocket;
  std::string room;
  bool room_ok = true;
};

ws_target classify_ws_target(std::string_view target);

}  // namespace zeal::net
