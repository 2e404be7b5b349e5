#include "net/ws_session.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/container/deque.hpp>

#include "actors/connection_sink.hpp"
#include "net/log.hpp"
#include "net/session_sink.hpp"
#include "net/url.hpp"
#include "net/ws_frame.hpp"
#include "net/ws_outgoing.hpp"

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
// One socket read: into a buffer of the I/O thread, never the connection's (an idle connection holds none).
constexpr std::size_t read_chunk = 64 * 1024;
// One gathered write carries at most this many queued frames (or about this many bytes).
constexpr std::size_t max_batch_frames = 64;
constexpr std::size_t max_batch_bytes = 256 * 1024;
// Batches up to this size are copied into one buffer and written with one send().
constexpr std::size_t contiguous_write_max = 2048;

constexpr std::uint16_t close_normal = 1000;
constexpr std::uint16_t close_going_away = 1001;
constexpr std::uint16_t close_unsupported = 1003;
constexpr std::uint16_t close_policy = 1008;
constexpr const char* shutdown_reason = "server shutting down";

const char* protocol_name(ws_protocol p) {
  return p == ws_protocol::seed ? "seed" : "y-websocket";
}

/// The read buffer of the calling I/O thread.
std::vector<std::uint8_t>& read_scratch() {
  thread_local std::vector<std::uint8_t> scratch(read_chunk);
  return scratch;
}

/// Beast does the HTTP upgrade; after it the session owns the socket and frames itself (net/ws_frame.hpp):
/// unmasked writes gather every queued frame into one syscall (never two messages in one frame), and a
/// connection with nothing to read holds no read buffer.
class ws_session final : public ws_session_handle,
                         public std::enable_shared_from_this<ws_session>,
                         private ws::frame_events {
 public:
  ws_session(std::shared_ptr<server_state> state, tcp::socket socket, ws_target target)
      : state_(std::move(state)),
        cfg_(state_->config),
        metrics_(state_->metrics),
        executor_(socket.get_executor()),
        socket_(executor_),
        keepalive_timer_(executor_),
        close_timer_(executor_),
        reader_(cfg_.max_message_size),
        target_(std::move(target)),
        conn_id_(state_->next_conn_id()) {
    room_label_ = target_.protocol == ws_protocol::seed ? std::string("-") : log_safe(target_.room);
    beast::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
    handshake_ = std::make_unique<websocket::stream<tcp::socket>>(std::move(socket));
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
    auto& ws = *handshake_;
    ws.set_option(websocket::stream_base::timeout{handshake_timeout, websocket::stream_base::none(), false});
    ws.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "zeal-crdt-server"); }));
    ws.async_accept(req, beast::bind_front_handler(&ws_session::on_accept, shared_from_this()));
  }

  void shutdown() override {
    asio::post(executor_, [self = shared_from_this()] {
      if (self->accepted_) self->close_now(close_going_away, shutdown_reason);
      // Not accepted yet: on_accept sees `stopping` and closes with 1001.
    });
  }

  void abort() override {
    asio::post(executor_, [self = shared_from_this()] { self->finish(); });
  }

  // --- outgoing, on the strand (from the connection sink) ---

  void enqueue_binary(std::vector<std::uint8_t> frame) {
    ws_outgoing m;
    m.kind = out_kind::binary;
    m.bin = std::move(frame);
    enqueue(std::move(m));
  }

  void enqueue_shared(shared_frame frame) {
    ws_outgoing m;
    m.kind = out_kind::binary;
    m.shared = std::move(frame);
    enqueue(std::move(m));
  }

  void enqueue_text(std::string text) {
    ws_outgoing m;
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
  // --- handshake ---

  void on_accept(beast::error_code ec) {
    if (ec) {
      log().debug("websocket handshake failed conn={} room={} remote={}: {}", conn_id_, room_label_, remote_,
                  ec.message());
      finish();
      return;
    }
    // From here on the socket is ours; Beast's stream state (buffers, timers) is released.
    socket_ = std::move(handshake_->next_layer());
    handshake_.reset();
    socket_.non_blocking(true, ec);
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

  // --- reading: wait until readable, read into the thread's buffer, parse ---

  void do_read() {
    if (finished_) return;
    socket_.async_wait(tcp::socket::wait_read,
                       beast::bind_front_handler(&ws_session::on_readable, shared_from_this()));
  }

  void on_readable(beast::error_code ec) {
    if (finished_) return;
    if (ec) {
      if (ec != asio::error::operation_aborted)
        log().debug("read failed conn={} room={}: {}", conn_id_, room_label_, ec.message());
      finish();
      return;
    }
    auto& buf = read_scratch();
    const std::size_t n = socket_.read_some(asio::buffer(buf), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      do_read();
      return;
    }
    if (ec) {
      if (ec == asio::error::eof)
        log().debug("connection closed by peer conn={} room={} (no close frame)", conn_id_, room_label_);
      else
        log().debug("read failed conn={} room={}: {}", conn_id_, room_label_, ec.message());
      finish();
      return;
    }
    // After a close or a protocol error the reader has stopped: the rest is discarded until the socket
    // closes (or the close deadline).
    if (!reader_.stopped()) reader_.feed(buf.data(), n, *this);
    do_read();
  }

  void on_message(bool text, std::vector<std::uint8_t>&& payload) override {
    if (closing_) return;  // closing: whatever still arrives is dropped
    metrics_.messages_in.fetch_add(1, std::memory_order_relaxed);
    metrics_.bytes_in.fetch_add(payload.size(), std::memory_order_relaxed);
    last_data_ = clock_type::now();
    if (text) {
      if (target_.protocol == ws_protocol::y_websocket) {
        log().warn("text frame on a y-websocket connection conn={} room={}", conn_id_, room_label_);
        metrics_.reject(actors::reject_reason::malformed);
        close_now(close_unsupported, "text frames are not supported");
      } else if (port_) {
        port_->on_text(std::string(payload.begin(), payload.end()));
      }
    } else if (port_) {
      port_->on_binary(std::move(payload));
    }
  }

  void on_ping(std::string_view payload) override {
    if (closing_) return;
    ws_outgoing m;
    m.kind = out_kind::pong;
    m.text = std::string(payload);
    push_control(std::move(m));
  }

  void on_pong() override { awaiting_pong_ = false; }

  void on_close(std::uint16_t code, std::string_view reason) override {
    peer_closed_ = true;
    log().debug("closed by peer conn={} room={} code={} reason=\"{}\"", conn_id_, room_label_, code,
                log_safe(reason));
    if (closing_) {
      // Our close went out (or is queued): the handshake is complete once it is written.
      if (close_sent_) finish();
      return;
    }
    // Answer with the same code (none if the peer sent none) after the write in flight, then close.
    drop_waiting();
    queue_close(code == 1005 ? 0 : code, "");
  }

  void on_error(std::uint16_t code, std::string reason) override {
    metrics_.reject(code == 1009 ? actors::reject_reason::too_big : actors::reject_reason::malformed);
    log().warn("{} conn={} room={}: {}", code == 1009 ? "message too big" : "protocol error", conn_id_,
               room_label_, reason);
    failed_ = true;  // no close handshake after a protocol violation (see on_write)
    close_now(code, std::move(reason));
  }

  // --- writing ---

  void enqueue(ws_outgoing m) {
    if (finished_ || closing_ || !accepted_) return;
    m.header = ws::encode_header(opcode_of(m.kind), m.size());
    queued_bytes_ += m.size();
    queue_.push_back(std::move(m));
    // Bound what waits behind a write the socket could not take at once (its buffers are full), but always
    // let one message through: a single frame bigger than the bound (a large SyncStep2) is not a slow
    // consumer.
    std::size_t waiting = queue_.size() - in_flight_;
    if (writing_ && waiting > 1 && queued_bytes_ - in_flight_bytes_ > cfg_.max_send_queue_bytes) {
      metrics_.reject(actors::reject_reason::slow_consumer);
      log().warn("slow consumer conn={} room={}: send queue over {} bytes", conn_id_, room_label_,
                 cfg_.max_send_queue_bytes);
      close_now(close_policy,
                "slow consumer: send queue over " + std::to_string(cfg_.max_send_queue_bytes) + " bytes");
      return;
    }
    if (lane_flush_)
      schedule_flush();
    else
      do_write();
  }

  /// One I/O thread (no strands): the write waits until the handlers ready now have run, so frames that
  /// several relays queue for this connection meanwhile go out in one gathered write. All sessions of the
  /// thread share one posted flush.
  void schedule_flush() {
    if (flush_pending_ || writing_) return;  // a write in flight takes the new frames when it completes
    flush_pending_ = true;
    auto& f = thread_flush();
    f.dirty.push_back(shared_from_this());
    if (f.scheduled) return;
    f.scheduled = true;
    asio::post(executor_, [] {
      auto& fl = thread_flush();
      fl.scheduled = false;
      auto dirty = std::move(fl.dirty);
      fl.dirty.clear();
      for (auto& s : dirty) {
        s->flush_pending_ = false;
        s->do_write();
      }
    });
  }

  struct flush_list {
    std::vector<std::shared_ptr<ws_session>> dirty;
    bool scheduled = false;
  };
  static flush_list& thread_flush() {
    thread_local flush_list list;
    return list;
  }

  /// A ping or pong: ahead of the queued frames (after the writes in flight), so a busy connection still
  /// answers and gets pinged.
  void push_control(ws_outgoing m) {
    if (finished_ || closing_) return;
    m.header = ws::encode_header(opcode_of(m.kind), m.size());
    queued_bytes_ += m.size();
    queue_.insert(queue_.begin() + static_cast<std::ptrdiff_t>(in_flight_), std::move(m));
    do_write();
  }

  /// Drops what is queued behind the writes in flight.
  void drop_waiting() {
    queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(in_flight_), queue_.end());
    queued_bytes_ = in_flight_bytes_;
  }

  /// Drops what is queued (except writes in flight) and closes with `code` next.
  void close_now(std::uint16_t code, std::string reason) {
    if (finished_ || !accepted_) return;
    if (closing_) return;  // a close is queued or under way already; close_timer_ bounds it
    drop_waiting();
    queue_close(code, std::move(reason));
  }

  /// Starts closing: the close frame goes out after what is queued now.
  void queue_close(std::uint16_t code, std::string reason) {
    log().debug("closing conn={} room={} code={} reason=\"{}\"", conn_id_, room_label_, code, reason);
    begin_closing();
    ws_outgoing m;
    m.kind = out_kind::close;
    m.text = ws::close_payload(code, reason);
    m.header = ws::encode_header(ws::opcode::close, m.text.size());
    queue_.push_back(std::move(m));
    do_write();
  }

  void begin_closing() {
    closing_ = true;
    keepalive_timer_.cancel();
    close_timer_.expires_after(close_deadline);
    close_timer_.async_wait(beast::bind_front_handler(&ws_session::on_close_deadline, shared_from_this()));
  }

  /// Writes the queued frames, up to a batch per gathered write: at once while the socket takes them (no
  /// asynchronous operation for a write that fits), asynchronously for the rest.
  void do_write() {
    while (!writing_ && !finished_) {
      if (queue_.empty()) {
        queue_.shrink_to_fit();
        return;
      }
      // The I/O thread's scratch: no allocation per write. Small batches are copied into one buffer and
      // sent with send(); larger ones go out as one sendmsg() over their pieces.
      thread_local std::vector<asio::const_buffer> bufs;
      thread_local std::array<std::uint8_t, contiguous_write_max> flat;
      bufs.clear();
      const auto batch = gather_frames(queue_, max_batch_frames, max_batch_bytes, bufs);
      const auto total = batch.wire_bytes;
      in_flight_ = batch.frames;
      in_flight_bytes_ = batch.payload_bytes;
      beast::error_code ec;
      std::size_t n = 0;
      if (total <= flat.size()) {
        copy_buffers(bufs, flat.data());
        n = socket_.write_some(asio::buffer(flat.data(), total), ec);  // the socket is non-blocking
      } else {
        n = socket_.write_some(bufs, ec);
      }
      if (ec == asio::error::would_block || ec == asio::error::try_again) {
        ec = {};
        n = 0;
      }
      if (ec) {
        if (ec != asio::error::operation_aborted)
          log().debug("write failed conn={} room={}: {}", conn_id_, room_label_, ec.message());
        finish();
        return;
      }
      if (n < total) {
        writing_ = true;
        // The rest from the frames themselves (the queue keeps them until written), not the scratch.
        beast::buffers_suffix<std::vector<asio::const_buffer>> rest(bufs);
        rest.consume(n);
        asio::async_write(socket_, std::move(rest),
                          beast::bind_front_handler(&ws_session::on_write, shared_from_this()));
        return;
      }
      if (!written()) return;
    }
  }

  void on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) {
      if (!finished_ && ec != asio::error::operation_aborted)
        log().debug("write failed conn={} room={}: {}", conn_id_, room_label_, ec.message());
      finish();
      return;
    }
    if (finished_) return;
    if (written()) do_write();
  }

  /// The frames in flight are written: drops them. False once our close frame is out (nothing more is
  /// written then).
  bool written() {
    for (std::size_t i = 0; i < in_flight_ && !queue_.empty(); ++i) {
      const auto& m = queue_.front();
      if (m.data()) {
        metrics_.messages_out.fetch_add(1, std::memory_order_relaxed);
        metrics_.bytes_out.fetch_add(m.size(), std::memory_order_relaxed);
      }
      if (m.kind == out_kind::close) close_sent_ = true;
      queue_.pop_front();
    }
    queued_bytes_ -= std::min(queued_bytes_, in_flight_bytes_);
    in_flight_ = 0;
    in_flight_bytes_ = 0;
    if (!close_sent_) return true;
    // Our close is out: done if the peer closed already, else wait for its close frame (close_timer_
    // bounds the wait). After a protocol violation its frames are not parsed any more: end our side and
    // read (discarding) until it closes, so unread bytes do not turn the close into a reset.
    if (peer_closed_) {
      finish();
    } else if (failed_) {
      beast::error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_send, ignored);
    }
    return false;
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
      ws_outgoing m;
      m.kind = out_kind::ping;
      push_control(std::move(m));
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
    if (handshake_) handshake_->next_layer().close(ignored);
    socket_.close(ignored);
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
  const asio::any_io_executor executor_;
  // Beast's WebSocket stream only for the upgrade; released once it is accepted.
  std::unique_ptr<websocket::stream<tcp::socket>> handshake_;
  tcp::socket socket_;
  asio::steady_timer keepalive_timer_;  // pings and the idle timeout: one pending wait per connection
  asio::steady_timer close_timer_;
  ws::frame_reader reader_;
  // Boost's deque allocates nothing while empty (std::deque holds 576 bytes even then); emptied, it is
  // shrunk, so an idle connection holds no queue storage.
  boost::container::deque<ws_outgoing> queue_;
  std::size_t queued_bytes_ = 0;
  std::size_t in_flight_ = 0;  // frames at the queue's front being written
  std::size_t in_flight_bytes_ = 0;
  ws_target target_;
  std::string room_label_;
  std::string remote_ = "-";
  const std::uint64_t conn_id_;
  std::unique_ptr<client_port> port_;
  clock_type::time_point last_data_{};
  clock_type::time_point next_ping_{};
  bool accepted_ = false;
  bool writing_ = false;
  bool closing_ = false;      // our close frame is queued or sent (or we answer the peer's)
  bool close_sent_ = false;   // our close frame is written
  bool peer_closed_ = false;  // the peer's close frame arrived
  bool failed_ = false;       // a protocol violation: close without waiting for the peer
  bool finished_ = false;
  bool closed_notified_ = false;
  bool awaiting_pong_ = false;
  bool flush_pending_ = false;  // in the thread's flush list
  const bool lane_flush_ = cfg_.single_io_thread();
};

std::shared_ptr<actors::connection_sink> ws_session::make_sink() {
  const void* lane = cfg_.single_io_thread() ? state_.get() : nullptr;
  return std::make_shared<session_sink<ws_session>>(weak_from_this(), state_->gate, lane, executor_);
}

}  // namespace

void start_ws_session(std::shared_ptr<server_state> state, tcp::socket socket,
                      http::request<http::string_body> request) {
  auto target = classify_ws_target(std::string_view(request.target().data(), request.target().size()));
  auto session = std::make_shared<ws_session>(std::move(state), std::move(socket), std::move(target));
  session->start(std::move(request));
}

}  // namespace zeal::net
