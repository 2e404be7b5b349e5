#include "net/ws_session.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/container/deque.hpp>

#include "actors/connection_sink.hpp"
#include "net/log.hpp"
#include "net/url.hpp"

namespace zeal::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr auto handshake_timeout = std::chrono::seconds{10};
// A close we started (or queued) that has not completed by then → the TCP connection is torn down.
constexpr auto close_deadline = std::chrono::seconds{5};
constexpr std::size_t read_chunk = 64 * 1024;
// A read buffer grown past this by one message is released after it (idle connections stay small).
constexpr std::size_t keep_read_buffer = 16 * 1024;
constexpr std::size_t max_close_reason = 123;  // RFC 6455: 125-byte control payload minus the code

constexpr std::uint16_t close_normal = 1000;
constexpr std::uint16_t close_going_away = 1001;
constexpr std::uint16_t close_unsupported = 1003;
constexpr std::uint16_t close_policy = 1008;
constexpr std::uint16_t close_too_big = 1009;
constexpr const char* shutdown_reason = "server shutting down";

/// Cuts `reason` to what fits in a close frame, on a UTF-8 character boundary.
std::string fit_close_reason(std::string reason) {
  if (reason.size() <= max_close_reason) return reason;
  std::size_t n = max_close_reason;
  while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80) --n;
  reason.resize(n);
  return reason;
}

enum class out_kind : std::uint8_t { binary, text, ping, close };

const char* protocol_name(ws_protocol p) {
  return p == ws_protocol::seed ? "seed" : "y-websocket";
}

class ws_session final : public ws_session_handle, public std::enable_shared_from_this<ws_session> {
 public:
  ws_session(std::shared_ptr<server_state> state, tcp::socket socket, ws_target target)
      : state_(std::move(state)),
        cfg_(state_->config),
        metrics_(state_->metrics),
        ws_(std::move(socket)),
        executor_(ws_.get_executor()),
        keepalive_timer_(executor_),
        close_timer_(executor_),
        target_(std::move(target)),
        conn_id_(state_->next_conn_id()) {
    room_label_ = target_.protocol == ws_protocol::seed ? std::string("-") : log_safe(target_.room);
    beast::error_code ec;
    auto ep = ws_.next_layer().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  ~ws_session() override {
    if (!finished_) {
      // The io_context went away under us (server stopped past its grace period).
      notify_closed();
      if (accepted_) metrics_.connections.fetch_sub(1, std::memory_order_relaxed);
    }
    state_->remove_session(conn_id_);
  }

  const asio::any_io_executor& executor() const { return executor_; }

  void start(http::request<http::string_body> req) {
    state_->add_session(conn_id_, weak_from_this());
    ws_.set_option(websocket::stream_base::timeout{handshake_timeout, websocket::stream_base::none(), false});
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "zeal-crdt-server"); }));
    ws_.read_message_max(0);  // we enforce max-message-size ourselves (close 1009 with a reason)
    ws_.auto_fragment(false);
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::pong) awaiting_pong_ = false;
    });
    ws_.async_accept(req, beast::bind_front_handler(&ws_session::on_accept, shared_from_this()));
  }

  void shutdown() override {
    asio::post(executor_, [self = shared_from_this()] {
      if (self->accepted_) self->close_now(close_going_away, shutdown_reason);
      // Not accepted yet: on_accept sees `stopping` and closes with 1001.
    });
  }

  // --- outgoing, on the strand (from the connection sink) ---

  void enqueue_binary(std::vector<std::uint8_t> frame) {
    outgoing m;
    m.kind = out_kind::binary;
    m.bin = std::move(frame);
    enqueue(std::move(m));
  }

  void enqueue_text(std::string text) {
    outgoing m;
    m.kind = out_kind::text;
    m.text = std::move(text);
    enqueue(std::move(m));
  }

  /// Close after the frames already queued (the actors' close: e.g. auth denial, then 1013).
  void close_after_queue(std::uint16_t code, std::string reason) {
    if (finished_ || closing_ || !accepted_) return;
    queue_close(code, std::move(reason));
  }

 private:
  struct outgoing {
    out_kind kind = out_kind::binary;
    std::vector<std::uint8_t> bin;
    std::string text;  // text frame, or the close reason
    std::uint16_t code = 0;
    std::size_t size() const { return bin.size() + text.size(); }
  };

  // --- handshake ---

  void on_accept(beast::error_code ec) {
    if (ec) {
      log().debug("websocket handshake failed conn={} room={} remote={}: {}", conn_id_, room_label_, remote_,
                  ec.message());
      finish();
      return;
    }
    accepted_ = true;
    metrics_.connections.fetch_add(1, std::memory_order_relaxed);
    metrics_.connections_total.fetch_add(1, std::memory_order_relaxed);
    last_data_ = clock_type::now();
    log().info("connected conn={} room={} remote={} protocol={}", conn_id_, room_label_, remote_,
               protocol_name(target_.protocol));
    if (state_->stopping.load()) {
      close_now(close_going_away, shutdown_reason);
    } else if (target_.protocol == ws_protocol::y_websocket && !target_.room_ok) {
      metrics_.reject(actors::reject_reason::invalid_room);
      log().warn("invalid room name conn={} room={}: bad percent-encoding", conn_id_, room_label_);
      close_now(close_policy, "invalid room name: bad percent-encoding");
    } else {
      auto sink = make_sink();
      port_ = state_->bridge.open(conn_id_, target_.protocol, target_.room, remote_, std::move(sink));
      next_ping_ = clock_type::now() + cfg_.ping_interval;
      arm_keepalive();
    }
    do_read();
  }

  std::shared_ptr<actors::connection_sink> make_sink();

  // --- reading ---

  void do_read() {
    if (finished_) return;
    std::size_t limit = read_chunk;
    if (!discarding_) {
      // At most one byte past the limit, so an oversize message is seen without buffering it.
      std::size_t room_left = cfg_.max_message_size - std::min(buffer_.size(), cfg_.max_message_size) + 1;
      limit = std::min(limit, room_left);
    }
    ws_.async_read_some(buffer_, limit, beast::bind_front_handler(&ws_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t n) {
    if (ec) {
      if (ec == websocket::error::closed) {
        auto& cr = ws_.reason();
        log().debug("closed by peer conn={} room={} code={} reason=\"{}\"", conn_id_, room_label_,
                    static_cast<unsigned>(cr.code),
                    log_safe(std::string_view(cr.reason.data(), cr.reason.size())));
      } else if (!finished_ && ec != asio::error::operation_aborted) {
        log().debug("read failed conn={} room={}: {}", conn_id_, room_label_, ec.message());
      }
      finish();
      return;
    }
    metrics_.bytes_in.fetch_add(n, std::memory_order_relaxed);
    if (discarding_ || closing_) {
      // Closing: whatever still arrives is dropped while the close handshake completes.
      buffer_.clear();
      do_read();
      return;
    }
    if (buffer_.size() > cfg_.max_message_size) {
      metrics_.reject(actors::reject_reason::too_big);
      log().warn("message too big conn={} room={}: over {} bytes", conn_id_, room_label_,
                 cfg_.max_message_size);
      discarding_ = true;
      buffer_.clear();
      close_now(close_too_big,
                "message exceeds max-message-size (" + std::to_string(cfg_.max_message_size) + " bytes)");
      do_read();
      return;
    }
    if (!ws_.is_message_done()) {
      do_read();
      return;
    }
    metrics_.messages_in.fetch_add(1, std::memory_order_relaxed);
    last_data_ = clock_type::now();
    auto data = buffer_.cdata();
    auto* p = static_cast<const char*>(data.data());
    if (ws_.got_text()) {
      if (target_.protocol == ws_protocol::y_websocket) {
        log().warn("text frame on a y-websocket connection conn={} room={}", conn_id_, room_label_);
        metrics_.reject(actors::reject_reason::malformed);
        close_now(close_unsupported, "text frames are not supported");
      } else if (port_) {
        port_->on_text(std::string(p, data.size()));
      }
    } else if (port_) {
      port_->on_binary(std::vector<std::uint8_t>(p, p + data.size()));
    }
    buffer_.clear();
    // A large message must not leave its buffer behind for the rest of the connection's life.
    if (buffer_.capacity() > keep_read_buffer) buffer_.shrink_to_fit();
    do_read();
  }

  // --- writing ---

  void enqueue(outgoing m) {
    if (finished_ || closing_ || !accepted_) return;
    queued_bytes_ += m.size();
    queue_.push_back(std::move(m));
    // Bound what waits behind the write in flight, but always let one message through: a single frame
    // bigger than the bound (a large SyncStep2) is not a slow consumer.
    std::size_t in_flight = writing_ ? queue_.front().size() : 0;
    std::size_t waiting = queue_.size() - (writing_ ? 1 : 0);
    if (waiting > 1 && queued_bytes_ - in_flight > cfg_.max_send_queue_bytes) {
      metrics_.reject(actors::reject_reason::slow_consumer);
      log().warn("slow consumer conn={} room={}: send queue over {} bytes", conn_id_, room_label_,
                 cfg_.max_send_queue_bytes);
      close_now(close_policy,
                "slow consumer: send queue over " + std::to_string(cfg_.max_send_queue_bytes) + " bytes");
      return;
    }
    if (!writing_) do_write();
  }

  /// Drops what is queued (except a write in flight) and closes with `code` next.
  void close_now(std::uint16_t code, std::string reason) {
    if (finished_ || !accepted_) return;
    if (closing_) return;  // a close is queued or under way already; close_timer_ bounds it
    queue_.erase(queue_.begin() + (writing_ ? 1 : 0), queue_.end());
    queued_bytes_ = queue_.empty() ? 0 : queue_.front().size();
    queue_close(code, std::move(reason));
  }

  /// Starts closing: the close frame goes out after what is queued now.
  void queue_close(std::uint16_t code, std::string reason) {
    log().debug("closing conn={} room={} code={} reason=\"{}\"", conn_id_, room_label_, code, reason);
    begin_closing();
    outgoing m;
    m.kind = out_kind::close;
    m.code = code;
    m.text = fit_close_reason(std::move(reason));
    queue_.push_back(std::move(m));
    if (!writing_) do_write();
  }

  void begin_closing() {
    closing_ = true;
    keepalive_timer_.cancel();
    close_timer_.expires_after(close_deadline);
    close_timer_.async_wait(beast::bind_front_handler(&ws_session::on_close_deadline, shared_from_this()));
  }

  void do_write() {
    if (finished_ || queue_.empty()) {
      writing_ = false;
      queue_.shrink_to_fit();
      return;
    }
    writing_ = true;
    auto& m = queue_.front();
    switch (m.kind) {
      case out_kind::binary:
        ws_.binary(true);
        ws_.async_write(asio::buffer(m.bin),
                        beast::bind_front_handler(&ws_session::on_write, shared_from_this()));
        break;
      case out_kind::text:
        ws_.text(true);
        ws_.async_write(asio::buffer(m.text),
                        beast::bind_front_handler(&ws_session::on_write, shared_from_this()));
        break;
      case out_kind::ping:
        ws_.async_ping({}, [self = shared_from_this()](beast::error_code ec) { self->on_write(ec, 0); });
        break;
      case out_kind::close:
        ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(m.code), m.text),
                        beast::bind_front_handler(&ws_session::on_close, shared_from_this()));
        break;
    }
  }

  void on_write(beast::error_code ec, std::size_t n) {
    writing_ = false;
    if (ec) {
      if (!finished_ && ec != asio::error::operation_aborted)
        log().debug("write failed conn={} room={}: {}", conn_id_, room_label_, ec.message());
      finish();
      return;
    }
    if (queue_.empty()) return;  // cannot happen: the in-flight message stays at the front
    auto& m = queue_.front();
    queued_bytes_ -= std::min(queued_bytes_, m.size());
    if (m.kind == out_kind::binary || m.kind == out_kind::text) {
      metrics_.messages_out.fetch_add(1, std::memory_order_relaxed);
      metrics_.bytes_out.fetch_add(n, std::memory_order_relaxed);
    }
    queue_.pop_front();
    do_write();
  }

  void on_close(beast::error_code ec) {
    writing_ = false;
    if (ec && !finished_ && ec != asio::error::operation_aborted)
      log().debug("close handshake failed conn={} room={}: {}", conn_id_, room_label_, ec.message());
    finish();
  }

  void on_close_deadline(beast::error_code ec) {
    if (ec || finished_) return;
    log().info("close not completed within {} s, tearing down conn={} room={}", close_deadline.count(),
               conn_id_, room_label_);
    finish();
  }

  // --- keep-alive ---

  /// One timer for both the ping period and the idle timeout: it fires at whichever is due first.
  void arm_keepalive() {
    auto idle_deadline = last_data_ + cfg_.client_timeout;
    keepalive_timer_.expires_at(std::min(next_ping_, idle_deadline));
    keepalive_timer_.async_wait(beast::bind_front_handler(&ws_session::on_keepalive, shared_from_this()));
  }

  void on_keepalive(beast::error_code ec) {
    if (ec || finished_ || closing_) return;
    auto now = clock_type::now();
    if (now - last_data_ >= cfg_.client_timeout) {
      metrics_.reject(actors::reject_reason::timeout);
      log().info("idle timeout conn={} room={}", conn_id_, room_label_);
      close_now(close_normal, "idle timeout");
      return;
    }
    if (now >= next_ping_) {
      if (awaiting_pong_) {
        metrics_.reject(actors::reject_reason::timeout);
        log().info("ping timeout conn={} room={}", conn_id_, room_label_);
        finish();
        return;
      }
      awaiting_pong_ = true;
      outgoing m;
      m.kind = out_kind::ping;
      // Ahead of the queued frames (but after the write in flight), so a busy connection still gets pinged.
      queue_.insert(queue_.begin() + (writing_ ? 1 : 0), std::move(m));
      if (!writing_) do_write();
      next_ping_ = now + cfg_.ping_interval;
    }
    arm_keepalive();
  }

  // --- end ---

  void finish() {
    if (finished_) return;
    finished_ = true;
    keepalive_timer_.cancel();
    close_timer_.cancel();
    beast::error_code ignored;
    ws_.next_layer().close(ignored);
    queue_.clear();
    queued_bytes_ = 0;
    notify_closed();
    if (accepted_) {
      metrics_.connections.fetch_sub(1, std::memory_order_relaxed);
      log().info("disconnected conn={} room={}", conn_id_, room_label_);
    }
    state_->remove_session(conn_id_);
  }

  void notify_closed() {
    if (port_ && !closed_notified_) {
      closed_notified_ = true;
      port_->on_closed();
    }
  }

  std::shared_ptr<server_state> state_;
  const server_config& cfg_;
  actors::server_metrics& metrics_;
  // A plain socket under the WebSocket stream (no beast::tcp_stream: its timer state costs every idle
  // connection memory, and the keep-alive timer below covers what it would).
  websocket::stream<tcp::socket> ws_;
  const asio::any_io_executor executor_;
  asio::steady_timer keepalive_timer_;  // pings and the idle timeout: one pending wait per connection
  asio::steady_timer close_timer_;
  beast::flat_buffer buffer_;
  // Boost's deque allocates nothing while empty (std::deque holds 576 bytes even then); emptied, it is
  // shrunk, so an idle connection holds no queue storage.
  boost::container::deque<outgoing> queue_;
  std::size_t queued_bytes_ = 0;
  ws_target target_;
  std::string room_label_;
  std::string remote_ = "-";
  const std::uint64_t conn_id_;
  std::unique_ptr<client_port> port_;
  clock_type::time_point last_data_{};
  clock_type::time_point next_ping_{};
  bool accepted_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool discarding_ = false;
  bool finished_ = false;
  bool closed_notified_ = false;
  bool awaiting_pong_ = false;
};

/// What the client actor holds: a weak reference to the session, so the actor and the session never keep
/// each other alive. Every call posts to the session's strand (through the server's gate) and returns.
class session_sink final : public actors::connection_sink {
 public:
  session_sink(std::weak_ptr<ws_session> session, std::shared_ptr<post_gate> gate)
      : session_(std::move(session)), gate_(std::move(gate)) {}

  void send_binary(std::vector<std::uint8_t> frame) override {
    post([frame = std::move(frame)](ws_session& s) mutable { s.enqueue_binary(std::move(frame)); });
  }
  void send_text(std::string text) override {
    post([text = std::move(text)](ws_session& s) mutable { s.enqueue_text(std::move(text)); });
  }
  void close(std::uint16_t code, std::string reason) override {
    post([code, reason = std::move(reason)](ws_session& s) mutable {
      s.close_after_queue(code, std::move(reason));
    });
  }

 private:
  template <class F>
  void post(F&& f) {
    gate_->run_if_open([&] {
      if (auto s = session_.lock()) {
        const auto& ex = s->executor();
        asio::post(ex, [s = std::move(s), f = std::forward<F>(f)]() mutable { f(*s); });
      }
    });
  }

  std::weak_ptr<ws_session> session_;
  std::shared_ptr<post_gate> gate_;
};

std::shared_ptr<actors::connection_sink> ws_session::make_sink() {
  return std::make_shared<session_sink>(weak_from_this(), state_->gate);
}

}  // namespace

void start_ws_session(std::shared_ptr<server_state> state, tcp::socket socket,
                      http::request<http::string_body> request) {
  auto target = classify_ws_target(std::string_view(request.target().data(), request.target().size()));
  auto session = std::make_shared<ws_session>(std::move(state), std::move(socket), std::move(target));
  session->start(std::move(request));
}

}  // namespace zeal::net
