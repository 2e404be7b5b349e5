#include "net/http_session.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "net/http_router.hpp"
#include "net/log.hpp"
#include "net/ws_session.hpp"

namespace zeal::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto io_timeout = std::chrono::seconds{30};
// After an answer that closes the connection before the request was read to its end (413, 400), what the
// client still sends is read and discarded this long: closing a socket with unread data resets the
// connection, and a client still uploading its body would see the reset instead of the answer.
constexpr auto linger_timeout = std::chrono::seconds{2};
constexpr std::size_t linger_read_bytes = 64 * 1024;
// The bridge answers within its own request timeout; this only guards against a reply that never comes.
constexpr auto actor_reply_timeout = std::chrono::seconds{15};
constexpr std::uint32_t max_header_bytes = 16 * 1024;

class http_session final : public std::enable_shared_from_this<http_session> {
 public:
  http_session(std::shared_ptr<server_state> state, tcp::socket socket)
      : state_(std::move(state)), stream_(std::move(socket)), reply_timer_(stream_.get_executor()) {}

  void run() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&http_session::do_read, shared_from_this()));
  }

 private:
  /// Reads the header first: the route decides the body limit (max-message-size for POST
  /// /rooms/<room>/update, max-http-body for everything else), then the body is read.
  void do_read() {
    parser_.emplace();
    parser_->header_limit(max_header_bytes);
    parser_->body_limit(
        header_phase_body_limit(state_->config.max_http_body, state_->config.max_message_size));
    stream_.expires_after(io_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&http_session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec) {
      on_read_error(ec);
      return;
    }
    auto& req = parser_->get();
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    head_ = req.method() == http::verb::head;
    auto method = req.method_string();
    auto target = req.target();
    route_ = route_http(std::string_view(method.data(), method.size()),
                        std::string_view(target.data(), target.size()));
    auto limit = request_body_limit(route_, state_->config.max_http_body, state_->config.max_message_size);
    // Beast checks a Content-Length against the limit only while parsing the header (chunked bodies are
    // checked chunk by chunk against the limit set now).
    if (auto length = parser_->content_length(); length && *length > limit) {
      too_large();
      return;
    }
    parser_->body_limit(limit);
    if (parser_->is_done()) {
      on_request();
      return;
    }
    if (version_ >= 11 && beast::iequals(req[http::field::expect], "100-continue")) {
      // curl asks this for large bodies; without the 100 it waits a second before it sends the body.
      continue_res_ = http::response<http::empty_body>{http::status::continue_, version_};
      http::async_write(stream_, continue_res_,
                        beast::bind_front_handler(&http_session::on_continue_written, shared_from_this()));
      return;
    }
    read_body();
  }

  void on_continue_written(beast::error_code ec, std::size_t) {
    if (ec) return;
    read_body();
  }

  void read_body() {
    stream_.expires_after(io_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&http_session::on_body, shared_from_this()));
  }

  void on_body(beast::error_code ec, std::size_t) {
    if (ec) {
      on_read_error(ec);
      return;
    }
    on_request();
  }

  void too_large() {
    state_->metrics.http_requests_total.fetch_add(1, std::memory_order_relaxed);
    head_ = false;
    write(json_error(413, "request body too large"), true);
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::end_of_stream) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    if (ec == http::error::body_limit) {
      // A Content-Length over both limits is refused while the header is parsed (the start line is known).
      version_ = parser_->get().version();
      too_large();
      return;
    }
    if (ec.category() == http::make_error_code(http::error::bad_target).category() ||
        ec == http::error::header_limit) {
      // Unparseable request: answer 400 and close (the stream position is unknown).
      version_ = 11;
      head_ = false;
      write(json_error(400, "bad request"), true);
    }
    // timeout, reset, shutdown: just drop the connection
  }

  /// A complete request (header and body) on route_.
  void on_request() {
    if (state_->stopping.load()) {
      // The server stopped (its I/O thread may run on, shared with the actors): the bridge may be gone.
      stream_.close();
      return;
    }
    auto& req = parser_->get();
    if (boost::beast::websocket::is_upgrade(req)) {
      stream_.expires_never();
      start_ws_session(state_, stream_.release_socket(), parser_->release());
      return;
    }
    state_->metrics.http_requests_total.fetch_add(1, std::memory_order_relaxed);
    auto method = req.method_string();
    auto target = req.target();
    log().debug("http {} {}", std::string_view(method.data(), method.size()),
                log_safe(std::string_view(target.data(), target.size()), 256));
    if (auto local = answer_local(route_, state_->metrics, state_->bridge.limits())) {
      write(std::move(*local), false);
      return;
    }
    if (auto refused = refuse_body(route_, req.body().size())) {
      write(std::move(*refused), false);
      return;
    }
    ask_actors(std::move(route_));
  }

  /// /rooms/... and /cluster: the bridge answers on a CAF thread; the reply is posted back to this strand.
  /// The reply callback holds only a weak reference (it may outlive the io_context); the timer keeps us
  /// alive.
  void ask_actors(http_route route) {
    reply_timer_.expires_after(actor_reply_timeout);
    reply_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->replied_) return;
      self->replied_ = true;
      self->write(json_error(503, "no answer from the room directory"), false);
    });
    replied_ = false;
    std::weak_ptr<http_session> weak = shared_from_this();
    auto gate = state_->gate;
    auto executor = stream_.get_executor();
    auto done = [weak, gate, executor](http_result r) {
      gate->run_if_open([&] {
        asio::post(executor, [weak, r = std::move(r)]() mutable {
          auto self = weak.lock();
          if (!self || self->replied_) return;
          self->replied_ = true;
          self->reply_timer_.cancel();
          self->write(std::move(r), false);
        });
      });
    };
    switch (route.kind) {
      case http_route_kind::cluster:
        state_->bridge.cluster_json(std::move(done));
        break;
      case http_route_kind::room_update:
        state_->bridge.room_update(std::move(route.room), std::move(done));
        break;
      case http_route_kind::room_post_update: {
        const auto& body = parser_->get().body();
        state_->bridge.room_post_update(std::move(route.room),
                                        std::vector<std::uint8_t>(body.begin(), body.end()), std::move(done));
        break;
      }
      default:
        state_->bridge.room_json(std::move(route.room), std::move(done));
        break;
    }
  }

  void write(http_result r, bool force_close) {
    res_ = {};
    res_.version(version_);
    res_.result(static_cast<unsigned>(r.status));
    res_.set(http::field::server, "zeal-crdt-server");
    res_.set(http::field::content_type, r.content_type);
    if (r.status == 405) res_.set(http::field::allow, r.allow.empty() ? "GET, HEAD" : r.allow);
    res_.keep_alive(keep_alive_ && !force_close);
    auto size = r.body.size();
    if (!head_) res_.body() = std::move(r.body);
    res_.prepare_payload();
    if (head_) res_.content_length(size);
    stream_.expires_after(io_timeout);
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&http_session::on_write, shared_from_this(),
                                                res_.keep_alive(), force_close));
  }

  void on_write(bool keep_alive, bool linger, beast::error_code ec, std::size_t) {
    if (ec) return;
    if (!keep_alive) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      if (linger && !ec) {
        stream_.expires_after(linger_timeout);  // once: the whole drain is bounded by it
        drain();
      }
      return;
    }
    do_read();
  }

  /// Reads and discards until the client closes, an error or the linger timeout.
  void drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(linger_read_bytes),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (!ec) self->drain();
                            });
  }

  std::shared_ptr<server_state> state_;
  beast::tcp_stream stream_;
  asio::steady_timer reply_timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  http::response<http::empty_body> continue_res_;
  http_route route_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool replied_ = true;
};

}  // namespace

void start_http_session(std::shared_ptr<server_state> state, tcp::socket socket) {
  std::make_shared<http_session>(std::move(state), std::move(socket))->run();
}

}  // namespace zeal::net
