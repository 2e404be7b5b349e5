#pragma once

// The fixture of net/'s end-to-end suites (tests/net/server_test.cpp, tests/net/http_server_test.cpp): an
// actor system + directory (real, fake or dead) + bridge + net::server on port 0, driven by the Beast
// client of tests/net/beast_client.hpp.

#include <caf/test/unit_test.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/directory.hpp"
#include "actors/errors.hpp"
#include "actors/messages.hpp"
#include "cluster/messages.hpp"
#include "net/actor_bridge.hpp"
#include "net/server.hpp"
#include "tests/net/beast_client.hpp"

namespace zeal::net::test {

using namespace std::chrono_literals;

struct test_config : caf::actor_system_config {
  test_config() { add_message_types<caf::id_block::zeal>(); }
};

inline bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 5s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

inline std::string as_string(const std::vector<std::uint8_t>& v) {
  return std::string(v.begin(), v.end());
}

/// What the fake directory was sent: (room, update) of every POST it accepted.
struct fake_directory_log {
  std::mutex mutex;
  std::vector<std::pair<std::string, actors::bytes>> posts;

  std::size_t size() {
    std::lock_guard guard{mutex};
    return posts.size();
  }
  std::pair<std::string, actors::bytes> last() {
    std::lock_guard guard{mutex};
    return posts.empty() ? std::pair<std::string, actors::bytes>{} : posts.back();
  }
};

/// The error the fake directory answers for `room` (the same for GET json, GET update and POST), or none.
inline std::optional<caf::error> fake_error(const std::string& room) {
  if (room == "missing") return actors::make_actor_error(0, "room not found");
  if (room == "malformed") return actors::make_actor_error(1007, "malformed update: x");
  if (room == "quoted") return actors::make_actor_error(1007, "malformed update: \"q\"\n");
  if (room == "invalid") return actors::make_actor_error(1008, "invalid room name: too long");
  if (room == "full") return actors::make_actor_error(1013, "server full (max-rooms 1)");
  if (room == "closing") return actors::make_actor_error(1001, "server shutting down");
  if (room == "unloadable") return actors::make_actor_error(1011, "room could not be loaded from storage");
  if (room == "storage") return actors::make_actor_error(1011, "storage failure");
  if (room == "strange") return caf::make_error(caf::sec::unexpected_message);  // not an actor error
  return std::nullopt;
}

/// The fake directory's answer to (cluster_atom), as the cluster router would answer GET /cluster.
inline const std::string fake_cluster_json =
    R"({"node_id":"n1","epoch":1,"members":[{"id":"n1","address":"","state":"alive","self":true}],)"
    R"("peers":[],"rooms_owned":0,"rooms":[]})";

/// Stands in for the room directory (the cluster router in the server): answers HTTP queries by room name
/// (see fake_error; any other room answers with a fixed document / state, and accepts POSTed updates into
/// `log`) and (cluster_atom) with fake_cluster_json.
inline caf::behavior fake_directory(caf::event_based_actor* self, std::shared_ptr<fake_directory_log> log) {
  return {
      [](actors::json_atom, const std::string& room) -> caf::result<std::string> {
        if (auto e = fake_error(room)) return std::move(*e);
        return std::string{"{\"fake\":\""} + room + "\"}";
      },
      [](actors::update_atom, const std::string& room) -> caf::result<actors::bytes> {
        if (auto e = fake_error(room)) return std::move(*e);
        return actors::bytes{0, 0, 7};
      },
      [log](actors::update_atom, const std::string& room,
            actors::bytes& update) -> caf::result<caf::ok_atom> {
        if (auto e = fake_error(room)) return std::move(*e);
        std::lock_guard guard{log->mutex};
        log->posts.emplace_back(room, std::move(update));
        return caf::ok_atom::value;
      },
      [](cluster::cluster_atom) { return fake_cluster_json; },
      [self](actors::shutdown_atom) { self->quit(); },
  };
}

/// `Config` builds the actor system: test_config, or one that also loads another scheduler.
template <class Config = test_config>
struct basic_server_fixture {
  Config cfg;
  caf::actor_system sys{cfg};
  std::shared_ptr<actors::server_metrics> metrics = std::make_shared<actors::server_metrics>();
  actors::room_limits limits;
  caf::actor directory;
  std::unique_ptr<net::actor_bridge> bridge;
  std::unique_ptr<net::server> srv;
  std::uint16_t port = 0;

  basic_server_fixture() {
    limits.max_rooms = 10;
    limits.max_clients_per_room = 5;
    directory = actors::spawn_directory(sys, limits, metrics);
    bridge = std::make_unique<net::actor_bridge>(sys, directory, limits, metrics);
  }

  ~basic_server_fixture() {
    if (srv) srv->stop(1s);
    srv.reset();
    caf::anon_send(directory, actors::shutdown_atom::value);
    directory = nullptr;
    sys.await_all_actors_done();
  }

  /// The bridge talks to a fake directory instead (call before start()).
  std::shared_ptr<fake_directory_log> use_fake_directory() {
    auto log = std::make_shared<fake_directory_log>();
    caf::anon_send(directory, actors::shutdown_atom::value);
    directory = sys.spawn(fake_directory, log);
    bridge = std::make_unique<net::actor_bridge>(sys, directory, limits, metrics);
    return log;
  }

  /// The bridge talks to a directory that is gone (call before start()).
  void use_dead_directory() {
    caf::anon_send(directory, actors::shutdown_atom::value);
    auto log = std::make_shared<fake_directory_log>();
    directory = sys.spawn(fake_directory, log);
    caf::scoped_actor self{sys};
    self->monitor(directory);
    caf::anon_send_exit(directory, caf::exit_reason::kill);
    self->receive([](const caf::down_msg&) {});
    bridge = std::make_unique<net::actor_bridge>(sys, directory, limits, metrics);
  }

  static net::server_config small_config() {
    net::server_config c;
    c.host = "127.0.0.1";
    c.port = 0;
    c.max_message_size = 1024;
    c.max_http_body = 256;
    c.ping_interval = 30s;
    c.client_timeout = 60s;
    c.io_threads = 2;
    return c;
  }

  void start(net::server_config c = small_config()) {
    srv = std::make_unique<net::server>(c, *bridge);
    std::string error;
    CAF_REQUIRE(srv->start(error));
    port = srv->port();
    CAF_REQUIRE_NOT_EQUAL(port, 0);
  }

  /// A y-websocket client on `room` that has received the room's SyncStep1.
  std::unique_ptr<net::test::ws_client> join(const std::string& target) {
    auto c = std::make_unique<net::test::ws_client>();
    std::string error;
    if (!c->connect(port, target, error)) {
      CAF_FAIL("connect failed: " << error);
    }
    auto ev = c->read();
    CAF_REQUIRE_EQUAL(static_cast<int>(ev.kind), static_cast<int>(ws_event::binary));
    CAF_REQUIRE_GREATER_OR_EQUAL(ev.data.size(), 2u);
    CAF_CHECK_EQUAL(ev.data[0], 0u);  // sync
    CAF_CHECK_EQUAL(ev.data[1], 0u);  // SyncStep1
    return c;
  }
};

using server_fixture = basic_server_fixture<>;

inline std::string error_body(const std::string& reason) {
  return "{\"error\":\"" + reason + "\"}";
}

inline bool is_close(const ws_event& ev, std::uint16_t code, const std::string& reason) {
  if (ev.kind != ws_event::closed) {
    CAF_MESSAGE("expected close " << code << ", got kind " << static_cast<int>(ev.kind) << " " << ev.message);
    return false;
  }
  if (ev.close_code != code || ev.close_reason != reason) {
    CAF_MESSAGE("got close " << ev.close_code << " \"" << ev.close_reason << "\"");
    return false;
  }
  return true;
}

}  // namespace zeal::net::test
