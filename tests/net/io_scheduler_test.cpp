#define CAF_SUITE net_io_scheduler
#include <caf/test/unit_test.hpp>

// net/io_scheduler: the actors run on the I/O thread that also runs a net::server (actor-threads 0).
// Real actor system, real sockets (tests/net/server_fixture.hpp).

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include "net/io_scheduler.hpp"
#include "tests/net/server_fixture.hpp"

using namespace std::chrono_literals;
using namespace zeal;
using net::test::is_close;
using net::test::wait_until;
using net::test::ws_event;

namespace {

struct io_config : net::test::test_config {
  io_config() { net::use_io_scheduler(*this); }
};

using fixture = net::test::basic_server_fixture<io_config>;

/// The thread a handler posted to `ioc` runs on.
std::thread::id thread_of(boost::asio::io_context& ioc) {
  std::atomic<bool> done{false};
  std::thread::id id;
  boost::asio::post(ioc, [&] {
    id = std::this_thread::get_id();
    done.store(true);
  });
  CAF_REQUIRE(wait_until([&] { return done.load(); }));
  return id;
}

/// Answers (int n) with n + step and the id of the thread it ran on (hashed). (It takes an argument: CAF
/// 0.17 binds a null reference for spawns without any, which UBSan reports.)
caf::behavior counter(caf::event_based_actor*, int step) {
  return {[step](int n) {
    return caf::make_message(n + step, std::hash<std::thread::id>{}(std::this_thread::get_id()));
  }};
}

/// Sends (int) to itself `n` times and counts them; then delivers the count and the seconds a delayed
/// message took to `reply_to`.
caf::behavior self_sender(caf::event_based_actor* self, int n, caf::actor reply_to) {
  auto count = std::make_shared<int>(0);
  for (int i = 0; i < n; ++i) self->send(self, i);
  return {
      [=](int) {
        if (++*count == n) self->delayed_send(self, 50ms, std::string{"later"});
      },
      [=](const std::string&) {
        self->send(reply_to, *count);
        self->quit();
      },
  };
}

}  // namespace

CAF_TEST(a_system_without_it_has_no_io_context) {
  net::test::test_config cfg;
  caf::actor_system sys{cfg};
  CAF_CHECK(net::io_context_of(sys) == nullptr);
}

CAF_TEST_FIXTURE_SCOPE(net_io_scheduler_tests, fixture)

CAF_TEST(actors_run_on_the_io_thread) {
  auto* ioc = net::io_context_of(sys);
  CAF_REQUIRE(ioc != nullptr);
  const auto io_thread = thread_of(*ioc);
  CAF_CHECK_NOT_EQUAL(io_thread, std::this_thread::get_id());
  auto a = sys.spawn(counter, 1);
  caf::scoped_actor self{sys};
  self->request(a, 5s, 41).receive(
      [&](int n, std::size_t thread_hash) {
        CAF_CHECK_EQUAL(n, 42);
        CAF_CHECK_EQUAL(thread_hash, std::hash<std::thread::id>{}(io_thread));
      },
      [&](caf::error& e) { CAF_FAIL("no answer: " << sys.render(e)); });
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

CAF_TEST(many_messages_and_timers) {
  // More messages than one turn of an actor takes (max-throughput): the actor is resumed again.
  caf::scoped_actor self{sys};
  auto t0 = std::chrono::steady_clock::now();
  sys.spawn(self_sender, 20000, caf::actor{self});
  self->receive([&](int count) { CAF_CHECK_EQUAL(count, 20000); },
                caf::after(10s) >> [&] { CAF_FAIL("no count within 10 s"); });
  CAF_CHECK_GREATER_OR_EQUAL(std::chrono::steady_clock::now() - t0, 50ms);  // the delayed message waited
}

CAF_TEST(a_server_on_the_shared_context_relays_and_stops) {
  auto c = small_config();
  c.shared_context = net::io_context_of(sys);
  CAF_REQUIRE(c.shared_context != nullptr);
  CAF_CHECK(c.single_io_thread());
  start(c);
  auto a = join("/shared");
  auto b = join("/shared");
  CAF_CHECK(wait_until([&] { return metrics->connections.load() == 2; }));
  // One string item "hi" appended to the root text "t" by client 7 (sync, update, length 12).
  const std::vector<std::uint8_t> update{0, 2, 12, 1, 1, 7, 0, 4, 1, 1, 't', 2, 'h', 'i', 0};
  CAF_REQUIRE(a->send_binary(update));
  auto ev = b->read();
  CAF_REQUIRE_EQUAL(static_cast<int>(ev.kind), static_cast<int>(ws_event::binary));
  CAF_CHECK_EQUAL(ev.data, update);
  CAF_CHECK_EQUAL(net::test::http_get(port, "/health").status, 200);
  // Shutdown: the close handshake with the clients, while the context keeps running the actors.
  std::thread stopper([&] { srv->stop(2s); });
  CAF_CHECK(is_close(a->read_until_closed(), 1001, "server shutting down"));
  CAF_CHECK(is_close(b->read_until_closed(), 1001, "server shutting down"));
  stopper.join();
  CAF_CHECK_EQUAL(metrics->connections.load(), 0);
  CAF_CHECK_EQUAL(net::test::http_get(port, "/health").status, 0);
  srv.reset();
  // The actors still run after the server stopped.
  auto counter_actor = sys.spawn(counter, 1);
  caf::scoped_actor self{sys};
  self->request(counter_actor, 5s, 1)
      .receive([](int n, std::size_t) { CAF_CHECK_EQUAL(n, 2); },
               [&](caf::error& e) { CAF_FAIL(sys.render(e)); });
  caf::anon_send_exit(counter_actor, caf::exit_reason::user_shutdown);
}

CAF_TEST(stop_drops_clients_that_do_not_close) {
  auto c = small_config();
  c.shared_context = net::io_context_of(sys);
  start(c);
  auto a = join("/deaf-at-shutdown");
  CAF_CHECK(wait_until([&] { return metrics->connections.load() == 1; }));
  // The client never reads, so it never answers the server's close: the grace period ends and the
  // session is dropped on the still-running context.
  srv->stop(200ms);
  CAF_CHECK_EQUAL(metrics->connections.load(), 0);
  srv.reset();
}

CAF_TEST_FIXTURE_SCOPE_END()
