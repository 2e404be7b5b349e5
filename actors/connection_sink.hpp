#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace zeal::actors {

/// The outgoing side of one client connection, as a client actor sees it. Implemented by net/ (it posts
/// onto the connection's strand and queues; a bounded queue closes slow consumers). Every function is
/// thread-safe, never blocks, and is a no-op once the connection is gone. Actors never touch sockets: this
/// interface is all they know of one.
class connection_sink {
 public:
  virtual ~connection_sink() = default;
  /// Queues one binary WebSocket frame.
  virtual void send_binary(std::vector<std::uint8_t> frame) = 0;
  /// Queues one binary frame whose bytes are shared with other receivers (a relayed update: one buffer
  /// for the whole room). The default copies it.
  virtual void send_shared(std::shared_ptr<const std::vector<std::uint8_t>> frame) {
    send_binary(std::vector<std::uint8_t>(*frame));
  }
  /// Sinks with the same non-null lane deliver on one thread: `send_shared_batch` on any of them reaches
  /// all of them in one hop. Null: no batching.
  virtual const void* lane() const { return nullptr; }
  /// Queues `frame` on every sink of `sinks` (all of this sink's lane; this one need not be among them).
  virtual void send_shared_batch(std::span<connection_sink* const> sinks,
                                 const std::shared_ptr<const std::vector<std::uint8_t>>& frame) {
    for (auto* s : sinks) s->send_shared(frame);
  }
  /// Queues one text WebSocket frame.
  virtual void send_text(std::string text) = 0;
  /// Sends a close frame with `code` and `reason` after the frames already queued, then closes.
  virtual void close(std::uint16_t code, std::string reason) = 0;
};

}  // namespace zeal::actors
