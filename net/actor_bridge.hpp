#pragma once

// The only door between net/'s Beast code and the actors. This header includes neither CAF nor Beast, so
// Beast translation units stay free of CAF and the other way round (build time). Everything here is
// thread-safe and non-blocking: replies come back through callbacks on a CAF thread; the caller posts
// them to its strand.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/connection_sink.hpp"
#include "actors/limits.hpp"
#include "actors/metrics.hpp"

namespace caf {
class actor_system;
class actor;
}  // namespace caf

namespace zeal::net {

enum class ws_protocol : std::uint8_t { y_websocket, seed };

/// The inbound side of one connection: the session calls these from its strand.
class client_port {
 public:
  virtual ~client_port() = default;
  virtual void on_binary(std::vector<std::uint8_t> frame) = 0;
  virtual void on_text(std::string text) = 0;
  /// The socket is gone (called once; the client actor quits and leaves its room).
  virtual void on_closed() = 0;
};

struct http_result {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

class actor_bridge {
 public:
  actor_bridge(caf::actor_system& sys, const caf::actor& directory, actors::room_limits limits,
               std::shared_ptr<actors::server_metrics> metrics);
  ~actor_bridge();
  actor_bridge(const actor_bridge&) = delete;
  actor_bridge& operator=(const actor_bridge&) = delete;

  /// Spawns the client actor of a new WebSocket connection. `room` is the URL-decoded path (y-websocket).
  std::unique_ptr<client_port> open(std::uint64_t conn_id, ws_protocol protocol, std::string room,
                                    std::string remote, std::shared_ptr<actors::connection_sink> sink);

  /// GET /rooms/<room>: the document as JSON (404 if the room is not loaded).
  void room_json(std::string room, std::function<void(http_result)> done);
  /// GET /rooms/<room>/update: the full state as a binary v1 update (404 if not loaded).
  void room_update(std::string room, std::function<void(http_result)> done);

  const std::shared_ptr<actors::server_metrics>& metrics() const;
  const actors::room_limits& limits() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace zeal::net
