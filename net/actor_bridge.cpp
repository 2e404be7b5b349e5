// The one CAF translation unit of net/ (no Beast here).
#include "net/actor_bridge.hpp"

#include <chrono>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/sec.hpp>
#include <caf/send.hpp>

#include "actors/client_actor.hpp"
#include "actors/errors.hpp"
#include "actors/messages.hpp"
#include "cluster/messages.hpp"
#include "net/http_router.hpp"

namespace zeal::net {

namespace {

constexpr auto directory_timeout = std::chrono::seconds{5};

class client_port_impl final : public client_port {
 public:
  explicit client_port_impl(caf::actor actor) : actor_(std::move(actor)) {}
  ~client_port_impl() override { on_closed(); }

  void on_binary(std::vector<std::uint8_t> frame) override {
    if (!closed_) caf::anon_send(actor_, actors::frame_atom::value, actors::bytes(std::move(frame)));
  }
  void on_text(std::string text) override {
    if (!closed_) caf::anon_send(actor_, actors::text_atom::value, std::move(text));
  }
  void on_closed() override {
    if (closed_) return;
    closed_ = true;
    caf::anon_send(actor_, actors::closed_atom::value);
  }

 private:
  caf::actor actor_;
  bool closed_ = false;
};

http_result make_result(int status, std::string content_type, std::string body) {
  http_result r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

constexpr std::string_view directory_unavailable = "room directory unavailable";
constexpr std::string_view cluster_unavailable = "cluster view unavailable";

/// Calls `done` exactly once: with the actor's answer, or with 503 if the query actor dies without one.
class reply_once {
 public:
  explicit reply_once(std::function<void(http_result)> done,
                      std::string_view unavailable_reason = directory_unavailable)
      : done_(std::move(done)), unavailable_reason_(unavailable_reason) {}
  ~reply_once() {
    if (done_) done_(unavailable());
  }
  void send(http_result r) {
    if (!done_) return;
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(r));
  }

  http_result unavailable() const { return json_error(503, unavailable_reason_); }

 private:
  std::function<void(http_result)> done_;
  std::string_view unavailable_reason_;
};

/// True for an error made by actors::make_actor_error (runtime_error with a close code and a reason).
bool is_actor_error(const caf::error& e) {
  if (e != caf::sec::runtime_error) return false;
  const auto& ctx = e.context();
  return ctx.size() >= 2 && ctx.match_element<std::uint16_t>(0) && ctx.match_element<std::string>(1);
}

/// The HTTP status for an actor error's close code (see actor_bridge.hpp).
int status_for_close_code(std::uint16_t code) {
  switch (code) {
    case 0:
      return 404;  // room not found
    case 1007:     // malformed update
    case 1008:     // invalid room name
      return 400;
    case 1001:  // shutting down
    case 1013:  // server full
      return 503;
    default:
      return 500;  // 1011: storage failure, room could not be loaded; anything unexpected
  }
}

/// Timeouts and a dead directory → 503; errors made by make_actor_error → their close code's status and
/// reason; any other error (a bug: e.g. a message the directory does not understand) → 500.
http_result from_error(const caf::error& e, const reply_once& reply) {
  bool unavailable = e == caf::sec::request_timeout || e == caf::sec::request_receiver_down ||
                     e.category() == caf::atom("exit");
  if (unavailable) return reply.unavailable();
  int status = is_actor_error(e) ? status_for_close_code(actors::error_close_code(e)) : 500;
  return json_error(status, actors::error_reason(e));
}

enum class query_kind { json, update, post_update, cluster };

/// A short-lived actor per HTTP query: one request to the directory, one reply, then it is gone.
void http_query(caf::event_based_actor* self, caf::actor directory, std::string room, query_kind kind,
                actors::bytes update, std::shared_ptr<reply_once> reply) {
  auto on_error = [reply](caf::error& e) { reply->send(from_error(e, *reply)); };
  switch (kind) {
    case query_kind::json:
      self->request(directory, directory_timeout, actors::json_atom::value, std::move(room))
          .then(
              [reply](std::string& json) {
                reply->send(make_result(200, "application/json", std::move(json)));
              },
              on_error);
      break;
    case query_kind::update:
      self->request(directory, directory_timeout, actors::update_atom::value, std::move(room))
          .then(
              [reply](actors::bytes& state) {
                reply->send(
                    make_result(200, "application/octet-stream", std::string(state.begin(), state.end())));
              },
              on_error);
      break;
    case query_kind::post_update:
      self->request(directory, directory_timeout, actors::update_atom::value, std::move(room),
                    std::move(update))
          .then([reply](caf::ok_atom) { reply->send(make_result(200, "application/json", "{\"ok\":true}")); },
                on_error);
      break;
    case query_kind::cluster:
      self->request(directory, directory_timeout, cluster::cluster_atom::value)
          .then(
              [reply](std::string& json) {
                reply->send(make_result(200, "application/json", std::move(json)));
              },
              on_error);
      break;
  }
}

}  // namespace

struct actor_bridge::impl {
  caf::actor_system& sys;
  caf::actor directory;
  actors::room_limits limits;
  std::shared_ptr<actors::server_metrics> metrics;

  void query(std::string room, query_kind kind, actors::bytes update, std::function<void(http_result)> done) {
    auto reply = std::make_shared<reply_once>(
        std::move(done), kind == query_kind::cluster ? cluster_unavailable : directory_unavailable);
    sys.spawn(http_query, directory, std::move(room), kind, std::move(update), reply);
  }
};

actor_bridge::actor_bridge(caf::actor_system& sys, const caf::actor& directory, actors::room_limits limits,
                           std::shared_ptr<actors::server_metrics> metrics)
    : impl_(std::make_unique<impl>(impl{sys, directory, limits, std::move(metrics)})) {}

actor_bridge::~actor_bridge() = default;

std::unique_ptr<client_port> actor_bridge::open(std::uint64_t conn_id, ws_protocol protocol, std::string room,
                                                std::string remote,
                                                std::shared_ptr<actors::connection_sink> sink) {
  actors::client_params params;
  params.conn_id = conn_id;
  params.protocol =
      protocol == ws_protocol::seed ? actors::protocol_kind::seed : actors::protocol_kind::y_websocket;
  params.room = std::move(room);
  params.remote = std::move(remote);
  params.directory = impl_->directory;
  params.sink = std::move(sink);
  params.metrics = impl_->metrics;
  params.limits = impl_->limits;
  return std::make_unique<client_port_impl>(actors::spawn_client_actor(impl_->sys, std::move(params)));
}

void actor_bridge::room_json(std::string room, std::function<void(http_result)> done) {
  impl_->query(std::move(room), query_kind::json, {}, std::move(done));
}

void actor_bridge::room_update(std::string room, std::function<void(http_result)> done) {
  impl_->query(std::move(room), query_kind::update, {}, std::move(done));
}

void actor_bridge::room_post_update(std::string room, std::vector<std::uint8_t> update,
                                    std::function<void(http_result)> done) {
  impl_->query(std::move(room), query_kind::post_update, std::move(update), std::move(done));
}

void actor_bridge::cluster_json(std::function<void(http_result)> done) {
  impl_->query({}, query_kind::cluster, {}, std::move(done));
}

const std::shared_ptr<actors::server_metrics>& actor_bridge::metrics() const {
  return impl_->metrics;
}

const actors::room_limits& actor_bridge::limits() const {
  return impl_->limits;
}

}  // namespace zeal::net
