#include "net/server.hpp"

#include <chrono>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "net/http_session.hpp"
#include "net/log.hpp"
#include "net/server_state.hpp"

namespace zeal::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// Accepts connections on its own strand; each socket gets a strand of its own (with several I/O threads).
class listener final : public std::enable_shared_from_this<listener> {
 public:
  listener(asio::io_context& ioc, std::shared_ptr<server_state> state)
      : ioc_(ioc),
        state_(std::move(state)),
        acceptor_(asio::make_strand(ioc)),
        retry_timer_(acceptor_.get_executor()) {}

  bool open(const tcp::endpoint& ep, std::string& error) {
    boost::system::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      error = "cannot listen on " + ep.address().to_string() + ":" + std::to_string(ep.port()) + ": " +
              ec.message();
      return false;
    }
    return true;
  }

  tcp::endpoint local_endpoint() const {
    boost::system::error_code ec;
    return acceptor_.local_endpoint(ec);
  }

  void start() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
  }

  void stop() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      boost::system::error_code ec;
      self->stopped_ = true;
      self->retry_timer_.cancel();
      self->acceptor_.close(ec);
    });
  }

 private:
  void do_accept() {
    if (stopped_) return;
    // One I/O thread: every connection runs on it, no strand needed (and a room's relay reaches all of its
    // local connections in one post, see session_sink). Several: a strand per connection.
    auto ex = state_->config.single_io_thread() ? asio::any_io_executor(ioc_.get_executor())
                                                : asio::any_io_executor(asio::make_strand(ioc_));
    acceptor_.async_accept(ex, [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
      self->on_accept(ec, std::move(socket));
    });
  }

  void on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (stopped_ || ec == asio::error::operation_aborted) return;
    if (ec) {
      // E.g. out of file descriptors: retry shortly instead of spinning.
      log().warn("accept failed: {}", ec.message());
      retry_timer_.expires_after(std::chrono::milliseconds{100});
      retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code e) {
        if (!e) self->do_accept();
      });
      return;
    }
    socket.set_option(tcp::no_delay(true), ec);
    start_http_session(state_, std::move(socket));
    do_accept();
  }

  asio::io_context& ioc_;
  std::shared_ptr<server_state> state_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  bool stopped_ = false;
};

std::string endpoint_url(const tcp::endpoint& ep) {
  auto addr = ep.address();
  std::string host = addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string();
  return "http://" + host + ":" + std::to_string(ep.port());
}

}  // namespace

struct server::impl {
  impl(server_config cfg, actor_bridge& bridge)
      : state(std::make_shared<server_state>(std::move(cfg), bridge)) {}

  std::shared_ptr<server_state> state;
  // Declared in destruction order: the io_context goes last.
  std::unique_ptr<asio::io_context> ioc;  // own context (none with a shared one)
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::shared_ptr<listener> accept;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  bool running = false;
  bool stopped = false;  // a server is not restartable (sessions see `stopping`)

  bool shared() const { return state->config.shared_context != nullptr; }
  /// The context in use: the shared one, else our own (once start() created it).
  asio::io_context& context() { return shared() ? *state->config.shared_context : *ioc; }
};

server::server(server_config config, actor_bridge& bridge)
    : impl_(std::make_unique<impl>(std::move(config), bridge)) {}

server::~server() {
  stop(std::chrono::milliseconds{0});
}

bool server::start(std::string& error) {
  auto& d = *impl_;
  if (d.running || d.stopped) {
    error = d.running ? "server already running" : "server was stopped";
    return false;
  }
  const auto& cfg = d.state->config;
  unsigned n_threads = d.shared() ? 0 : cfg.single_io_thread() ? 1 : cfg.io_threads;
  if (!d.shared()) d.ioc = std::make_unique<asio::io_context>(static_cast<int>(n_threads));
  tcp::endpoint ep;
  {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(cfg.host, ec);
    if (!ec) {
      ep = tcp::endpoint(addr, cfg.port);
    } else {
      tcp::resolver resolver(d.context());
      auto results = resolver.resolve(cfg.host, std::to_string(cfg.port), tcp::resolver::passive, ec);
      if (ec || results.empty()) {
        error = "cannot resolve host '" + cfg.host + "': " + (ec ? ec.message() : std::string("no address"));
        d.ioc.reset();
        return false;
      }
      ep = results.begin()->endpoint();
    }
  }
  d.accept = std::make_shared<listener>(d.context(), d.state);
  if (!d.accept->open(ep, error)) {
    d.accept.reset();
    d.ioc.reset();
    return false;
  }
  auto bound = d.accept->local_endpoint();
  d.port = bound.port();
  if (!d.shared()) d.work.emplace(d.ioc->get_executor());
  d.accept->start();
  d.threads.reserve(n_threads);
  for (unsigned i = 0; i < n_threads; ++i)
    d.threads.emplace_back([ioc = d.ioc.get()] {
      for (;;) {
        try {
          ioc->run();
          return;
        } catch (const std::exception& e) {
          log().error("uncaught exception in an I/O thread: {}", e.what());
        }
      }
    });
  d.running = true;
  log().info("listening on {}", endpoint_url(bound));
  return true;
}

std::uint16_t server::port() const {
  return impl_->port;
}

void server::stop(std::chrono::milliseconds grace) {
  auto& d = *impl_;
  if (!d.running) return;
  d.running = false;
  d.stopped = true;
  d.state->stopping.store(true);
  d.accept->stop();
  auto sessions = d.state->sessions();
  log().info("stopping: closing {} connection(s)", sessions.size());
  for (auto& s : sessions) s->shutdown();
  sessions.clear();
  if (!d.state->wait_for_no_sessions(std::chrono::steady_clock::now() + grace)) {
    log().info("stopping: grace period over, dropping the remaining connections");
    if (d.shared()) {
      // A shared context keeps running: drop the sessions on it (their client actors hear on_closed now,
      // while the actor system still runs). A session ends within one turn of the I/O thread.
      for (auto& s : d.state->sessions()) s->abort();
      if (!d.state->wait_for_no_sessions(std::chrono::steady_clock::now() + std::chrono::seconds{5}))
        log().warn("stopping: connections still open 5 s after they were dropped");
    }
  }
  d.state->gate->close();
  if (d.shared()) {
    // Idle HTTP connections stay on the shared context until its thread ends (they call no actor).
    d.accept.reset();
    return;
  }
  d.work.reset();
  d.ioc->stop();
  for (auto& t : d.threads) t.join();
  d.threads.clear();
  // From here on no other thread posts into the io_context; destroying it destroys the sessions still in
  // its queues (their client actors are told on_closed).
  d.state->gate->close();
  d.accept.reset();
  d.ioc.reset();
}

}  // namespace zeal::net
