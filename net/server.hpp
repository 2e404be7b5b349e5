#pragma once

// The HTTP + WebSocket server on one port (Boost.Beast behind a pimpl: this header includes no Beast).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "net/actor_bridge.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace zeal::net {

struct server_config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 = any free port; port() tells which
  std::size_t max_message_size = 1048576;
  std::chrono::seconds ping_interval{30};
  std::chrono::seconds client_timeout{120};
  std::size_t max_send_queue_bytes = 16 * 1024 * 1024;
  std::size_t max_http_body = 64 * 1024;
  unsigned io_threads = 1;  // 0 counts as 1
  /// Run on this io_context, whose one thread somebody else runs (net/io_scheduler: the actors' thread),
  /// instead of own I/O threads; io_threads is then ignored. It must run until stop() returned.
  boost::asio::io_context* shared_context = nullptr;
  /// One I/O thread runs every connection: no strands, and relays and writes are batched per thread.
  bool single_io_thread() const { return shared_context != nullptr || io_threads <= 1; }
};

class server {
 public:
  /// `bridge` must outlive the server.
  server(server_config config, actor_bridge& bridge);
  ~server();  // stop(0) if still running
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds, listens and starts the I/O threads. False (and `error` says why) if binding fails.
  /// Logs `listening on http://HOST:PORT` on success.
  bool start(std::string& error);
  /// The bound port (after start).
  std::uint16_t port() const;
  /// Stops accepting, closes every WebSocket with 1001 "server shutting down" (client actors see
  /// on_closed), waits up to `grace` for the close handshakes, then stops and joins the I/O threads.
  /// Call from one thread; a stopped server cannot be started again.
  void stop(std::chrono::milliseconds grace);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace zeal::net
