#include "net/http_session.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <utility>

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
  void do_read() {
    parser_.emplace();
    parser_->header_limit(max_header_bytes);
    parser_->body_limit(state_->config.max_http_body);
    stream_.expires_after(io_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&http_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    if (ec == http::error::body_limit) {
      state_->metrics.http_requests_total.fetch_add(1, std::memory_order_relaxed);
      version_ = parser_->get().version();
      head_ = false;
      write(json_error(413, "request body too large"), true);
      return;
    }
    if (ec) {
      if (ec.category() == http::make_error_code(http::error::bad_target).category() ||
          ec == http::error::header_limit) {
        // Unparseable request: answer 400 and close (the stream position is unknown).
        version_ = 11;
        head_ = false;
        write(json_error(400, "bad request"), true);
      }
      return;  // timeout, reset, shutdown: just drop the connection
    }
    auto& req = parser_->get();
    if (boost::beast::websocket::is_upgrade(req)) {
      stream_.expires_never();
      start_ws_session(state_, stream_.release_socket(), parser_->release());
      return;
    }
    state_->metrics.http_requests_total.fetch_add(1, std::memory_order_relaxed);
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    head_ = req.method() == http::verb::head;
    auto method = req.method_string();
    auto target = req.target();
    auto route = route_http(std::string_view(method.data(), method.size()),
                            std::string_view(target.data(), target.size()));
    log().debug("http {} {}", std::string_view(method.data(), method.size()),
                log_safe(std::string_view(target.data(), target.size()), 256));
    if (auto local = answer_local(route, state_->metrics, state_->bridge.limits())) {
      write(std::move(*local), false);
      return;
    }
    ask_actors(std::move(route));
  }

  /// /rooms/...: the bridge answers on a CAF thread; the reply is posted back to this strand. The reply
  /// callback holds only a weak reference (it may outlive the io_context); the timer keeps us alive.
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
    if (route.kind == http_route_kind::room_update)
      state_->bridge.room_update(std::move(route.room), std::move(done));
    else
      state_->bridge.room_json(std::move(route.room), std::move(done));
  }

  void write(http_result r, bool force_close) {
    res_ = {};
    res_.version(version_);
    res_.result(static_cast<unsigned>(r.status));
    res_.set(http::field::server, "zeal-crdt-server");
    res_.set(http::field::content_type, r.content_type);
    if (r.status == 405) res_.set(http::field::allow, "GET, HEAD");
    res_.keep_alive(keep_alive_ && !force_close);
    auto size = r.body.size();
    if (!head_) res_.body() = std::move(r.body);
    res_.prepare_payload();
    if (head_) res_.content_length(size);
    stream_.expires_after(io_timeout);
    http::async_write(
        stream_, res_,
        beast::bind_front_handler(&http_session::on_write, shared_from_this(), res_.keep_alive()));
  }

  void on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    if (ec) return;
    if (!keep_alive) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    do_read();
  }

  std::shared_ptr<server_state> state_;
  beast::tcp_stream stream_;
  asio::steady_timer reply_timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
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
