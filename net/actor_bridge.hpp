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
  std::string allow;  // 405 only: the Allow header
};

class actor_bridge {
 public:
  /// `directory` answers the room messages of actors/directory.hpp: in the server the cluster router
  /// (cluster/router.hpp), which also answers (cluster_atom) for GET /cluster.
  actor_bridge(caf::actor_system& sys, const caf::actor& directory, actors::room_limits limits,
               std::shared_ptr<actors::server_metrics> metrics);
  ~actor_bridge();
  actor_bridge(const actor_bridge&) = delete;
  actor_bridge& operator=(const actor_bridge&) = delete;

  /// Spawns the client actor of a new WebSocket connection. `room` is the URL-decoded path (y-websocket).
  std::unique_ptr<client_port> open(std::uint64_t conn_id, ws_protocol protocol, std::string room,
                                    std::string remote, std::shared_ptr<actors::connection_sink> sink);

  // Room queries through the directory. Errors the actors reply with (actors/errors.hpp) become
  // `{"error":"<reason>"}` with a status from their close code: 0 → 404 (room not found), 1007 / 1008 →
  // 400 (malformed update, invalid room name), 1013 / 1001 → 503 (server full, shutting down), 1011 and
  // anything else → 500; no answer in time or no directory → 503.

  /// GET /rooms/<room>: the document as JSON.
  void room_json(std::string room, std::function<void(http_result)> done);
  /// GET /rooms/<room>/update: the full state as a binary v1 update.
  void room_update(std::string room, std::function<void(http_result)> done);
  /// POST /rooms/<room>/update: applies `update` (one v1 update) to the room like a client's update
  /// (stored, then relayed) → 200 `{"ok":true}` once the room confirmed it.
  void room_post_update(std::string room, std::vector<std::uint8_t> update,
                        std::function<void(http_result)> done);

  /// GET /cluster: the router's (cluster_atom) answer, the cluster view as JSON (cluster/messages.hpp) →
  /// 200; no answer in time or no router → 503 `{"error":"cluster view unavailable"}`; any other error →
  /// 500.
  void cluster_json(std::function<void(http_result)> done);

  const std::shared_ptr<actors::server_metrics>& metrics() const;
  const actors::room_limits& limits() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace zeal::net
