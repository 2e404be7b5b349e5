#pragma once

// What the listener and every session of one server share (no Beast here). Sessions hold it by shared_ptr,
// so it outlives the last of them.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "net/actor_bridge.hpp"
#include "net/server.hpp"

namespace zeal::net {

/// Threads outside Asio (CAF threads: connection sinks, HTTP replies from actors) post onto a strand only
/// through the gate, which the server closes before it destroys the io_context.
class post_gate {
 public:
  template <class F>
  bool run_if_open(F&& f) {
    std::shared_lock lock{mutex_};
    if (!open_) return false;
    f();
    return true;
  }
  void close() {
    std::unique_lock lock{mutex_};
    open_ = false;
  }

 private:
  std::shared_mutex mutex_;
  bool open_ = true;
};

/// A live WebSocket session as the server sees it.
class ws_session_handle {
 public:
  virtual ~ws_session_handle() = default;
  /// Thread-safe: closes the session with 1001 "server shutting down" (posted to its strand).
  virtual void shutdown() = 0;
  /// Thread-safe: drops the connection at once (posted), as if the peer had gone.
  virtual void abort() = 0;
};

class server_state {
 public:
  server_state(server_config config, actor_bridge& bridge);

  const server_config config;
  actor_bridge& bridge;
  actors::server_metrics& metrics;
  const std::shared_ptr<post_gate> gate = std::make_shared<post_gate>();
  std::atomic<bool> stopping{false};

  std::uint64_t next_conn_id() { return next_conn_id_.fetch_add(1, std::memory_order_relaxed); }

  // Registry of WebSocket sessions (from creation to the end of the session).
  void add_session(std::uint64_t id, std::weak_ptr<ws_session_handle> session);
  void remove_session(std::uint64_t id);
  std::vector<std::shared_ptr<ws_session_handle>> sessions();
  /// True if no session is left before `deadline`.
  bool wait_for_no_sessions(std::chrono::steady_clock::time_point deadline);

 private:
  std::atomic<std::uint64_t> next_conn_id_{1};
  std::mutex mutex_;
  std::condition_variable cv_;
  std::unordered_map<std::uint64_t, std::weak_ptr<ws_session_handle>> sessions_;
};

}  // namespace zeal::net
