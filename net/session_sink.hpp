#pragma once

// The connection sink of a WebSocket session (actors/connection_sink.hpp), included by the one Beast
// translation unit that defines the session (net/ws_session.cpp). `Session` offers executor(),
// enqueue_binary / enqueue_shared / enqueue_text and close_after_queue, all called on its executor.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "actors/connection_sink.hpp"
#include "net/server_state.hpp"
#include "net/ws_outgoing.hpp"

namespace zeal::net {

/// What the client actor holds: a weak reference to the session, so the actor and the session never keep
/// each other alive. Every call goes through the server's gate: from the session's own thread (the actors
/// on the I/O thread, --actor-threads 0) it queues at once, from any other thread it posts and returns.
/// With one I/O thread every session shares it (no strands): all sinks have that lane, and a relay to many
/// of them is one post.
template <class Session>
class session_sink final : public actors::connection_sink {
 public:
  session_sink(std::weak_ptr<Session> session, std::shared_ptr<post_gate> gate, const void* lane,
               const boost::asio::any_io_executor& executor)
      : session_(std::move(session)), gate_(std::move(gate)), lane_(lane) {
    if (lane_)
      if (const auto* ex = executor.target<boost::asio::io_context::executor_type>()) lane_executor_ = *ex;
  }

  void send_binary(std::vector<std::uint8_t> frame) override {
    post([frame = std::move(frame)](Session& s) mutable { s.enqueue_binary(std::move(frame)); });
  }
  void send_shared(shared_frame frame) override {
    post([frame = std::move(frame)](Session& s) mutable { s.enqueue_shared(std::move(frame)); });
  }
  void send_text(std::string text) override {
    post([text = std::move(text)](Session& s) mutable { s.enqueue_text(std::move(text)); });
  }
  void close(std::uint16_t code, std::string reason) override {
    post([code, reason = std::move(reason)](Session& s) mutable {
      s.close_after_queue(code, std::move(reason));
    });
  }

  const void* lane() const override { return lane_; }

  void send_shared_batch(std::span<connection_sink* const> sinks, const shared_frame& frame) override {
    // Called on the lane's own thread (the room actor runs on the I/O thread, --actor-threads 0): queued
    // at once, without a post. The open gate keeps the io_context alive while its thread is asked.
    bool done = false;
    if (lane_executor_)
      gate_->run_if_open([&] {
        if (!on_lane_thread()) return;
        done = true;
        for (auto* s : sinks)
          if (auto live = static_cast<session_sink*>(s)->session_.lock()) live->enqueue_shared(frame);
      });
    if (done) return;
    // Same lane: every sink is a session_sink on one executor, taken from a live session. A sink holds no
    // executor (it may outlive the io_context; the sessions do not), and the session is locked only while
    // the gate is open and released on the I/O thread, as in post().
    std::vector<std::weak_ptr<Session>> targets;
    targets.reserve(sinks.size());
    for (auto* s : sinks) targets.push_back(static_cast<session_sink*>(s)->session_);
    gate_->run_if_open([&] {
      std::shared_ptr<Session> live;
      for (const auto& t : targets)
        if ((live = t.lock())) break;
      if (!live) return;  // every connection is gone
      const auto& ex = live->executor();
      boost::asio::post(ex, [live = std::move(live), targets = std::move(targets), frame]() {
        for (const auto& t : targets)
          if (auto s = t.lock()) s->enqueue_shared(frame);
      });
    });
  }

 private:
  /// On the lane's own thread (only asked while the gate is open, which keeps the io_context alive).
  bool on_lane_thread() const { return lane_executor_ && lane_executor_->running_in_this_thread(); }

  /// Runs `f` on the session: at once on the lane's own thread (every call from there does, so their order
  /// holds), else posted.
  template <class F>
  void post(F&& f) {
    gate_->run_if_open([&] {
      if (auto s = session_.lock()) {
        if (on_lane_thread()) {
          f(*s);
          return;
        }
        const auto& ex = s->executor();
        boost::asio::post(ex, [s = std::move(s), f = std::forward<F>(f)]() mutable { f(*s); });
      }
    });
  }

  std::weak_ptr<Session> session_;
  std::shared_ptr<post_gate> gate_;
  const void* const lane_;
  /// A lane's io_context executor: asked whether a batch comes from its own thread (only while the gate is
  /// open, which keeps the io_context alive).
  std::optional<boost::asio::io_context::executor_type> lane_executor_;
};

}  // namespace zeal::net
