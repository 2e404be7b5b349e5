#pragma once

// Shared by the actor suites: a CAF config with Zeal's message types, a recording connection_sink, a
// recording stand-in for a client actor, and helpers to build real Yjs updates and y-websocket frames.
// Include after <caf/test/dsl.hpp>.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/all.hpp>

#include "actors/client_actor.hpp"
#include "actors/connection_sink.hpp"
#include "actors/directory.hpp"
#include "actors/errors.hpp"
#include "actors/limits.hpp"
#include "actors/messages.hpp"
#include "actors/metrics.hpp"
#include "actors/room_actor.hpp"
#include "actors/store_messages.hpp"
#include "crdt/doc/doc.hpp"
#include "crdt/lib0/encoder.hpp"
#include "crdt/protocol/awareness.hpp"
#include "crdt/protocol/message.hpp"

namespace zeal::actors::test {

struct actor_test_config : caf::actor_system_config {
  actor_test_config() {
    add_message_types<caf::id_block::zeal>();
    add_message_types<caf::id_block::zeal_persistence>();
  }
};

/// Records what an actor sends to its connection (thread-safe, although the test coordinator runs
/// everything on one thread).
class fake_sink : public connection_sink {
 public:
  void send_binary(std::vector<std::uint8_t> frame) override {
    std::lock_guard<std::mutex> g{mutex_};
    if (!closed_) frames_.push_back(std::move(frame));
  }
  void send_text(std::string text) override {
    std::lock_guard<std::mutex> g{mutex_};
    if (!closed_) texts_.push_back(std::move(text));
  }
  void close(std::uint16_t code, std::string reason) override {
    std::lock_guard<std::mutex> g{mutex_};
    if (!closed_) closed_ = std::make_pair(code, std::move(reason));
    ++close_calls_;
  }

  std::vector<bytes> frames() const {
    std::lock_guard<std::mutex> g{mutex_};
    return frames_;
  }
  std::vector<std::string> texts() const {
    std::lock_guard<std::mutex> g{mutex_};
    return texts_;
  }
  std::optional<std::pair<std::uint16_t, std::string>> closed() const {
    std::lock_guard<std::mutex> g{mutex_};
    return closed_;
  }
  /// The close code and reason (0 and "" while open), by value.
  std::uint16_t close_code() const {
    std::lock_guard<std::mutex> g{mutex_};
    return closed_ ? closed_->first : 0;
  }
  std::string close_reason() const {
    std::lock_guard<std::mutex> g{mutex_};
    return closed_ ? closed_->second : std::string{};
  }
  /// The last frame (by value: safe inside the check macros); empty if none.
  bytes last_frame() const {
    std::lock_guard<std::mutex> g{mutex_};
    return frames_.empty() ? bytes{} : frames_.back();
  }
  std::size_t frame_count() const {
    std::lock_guard<std::mutex> g{mutex_};
    return frames_.size();
  }
  /// Forgets the frames and texts recorded so far.
  void clear() {
    std::lock_guard<std::mutex> g{mutex_};
    frames_.clear();
    texts_.clear();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<bytes> frames_;
  std::vector<std::string> texts_;
  std::optional<std::pair<std::uint16_t, std::string>> closed_;
  int close_calls_ = 0;
};

/// What a room sent to a stand-in client actor.
struct client_record {
  std::vector<bytes> frames;
  std::vector<std::pair<std::uint16_t, std::string>> closes;
};

/// A stand-in for a client actor: records (push_atom, bytes) and (close_atom, code, reason).
inline caf::behavior recording_client(caf::event_based_actor*, std::shared_ptr<client_record> rec) {
  return {
      [rec](push_atom, const bytes& frame) { rec->frames.push_back(frame); },
      [rec](close_atom, std::uint16_t code, const std::string& reason) {
        rec->closes.emplace_back(code, reason);
      },
  };
}

/// What a room sent to a stand-in directory.
struct directory_record {
  std::vector<std::string> unloads;
};

/// A stand-in directory: records (unload_atom, name) and answers (unload_atom) like the real one.
inline caf::behavior recording_directory(caf::event_based_actor* self,
                                         std::shared_ptr<directory_record> rec) {
  return {
      [self, rec](unload_atom, const std::string& name) {
        rec->unloads.push_back(name);
        self->send(caf::actor_cast<caf::actor>(self->current_sender()), unload_atom::value);
      },
  };
}

/// Makes real Yjs updates: a doc with a fixed client id whose every edit's update is captured.
class doc_writer {
 public:
  explicit doc_writer(std::uint64_t client_id) : doc_(crdt::doc_options{client_id, true}) {
    doc_.on_update([this](crdt::bytes_view u) { updates_.emplace_back(u.begin(), u.end()); });
  }
  /// Inserts into the text "t" and returns the update of that edit.
  bytes insert(std::uint64_t index, std::string_view s) {
    doc_.get_text("t").insert(index, s);
    return updates_.back();
  }
  crdt::doc& doc() { return doc_; }

 private:
  crdt::doc doc_;
  std::vector<bytes> updates_;
};

inline bytes update_frame(const bytes& update) {
  return crdt::protocol::encode_update_frame(update);
}
inline bytes step1_frame(const bytes& sv) {
  return crdt::protocol::encode_sync_step1_frame(sv);
}
inline bytes step2_frame(const bytes& update) {
  return crdt::protocol::encode_sync_step2_frame(update);
}
/// An awareness frame with one entry.
inline bytes awareness_frame(std::uint64_t client, std::uint64_t clock, std::string_view json) {
  crdt::protocol::awareness_entry e{client, clock, json};
  return crdt::protocol::encode_awareness_frame(crdt::protocol::encode_awareness_update({&e, 1}));
}
/// The state vector of an empty document.
inline bytes empty_state_vector() {
  return crdt::doc{}.state_vector().encode();
}
/// The y-protocols auth permission-denied frame with `reason`.
inline bytes permission_denied(std::string_view reason) {
  return crdt::protocol::encode_permission_denied_frame(reason);
}

/// The fixture of every actor suite. Runs messages with `run_messages()` (no timers: timers only move
/// with advance_time / trigger_timeout). Stops the actors it knows about when it ends.
struct actor_fixture : ::test_coordinator_fixture<actor_test_config> {
  std::shared_ptr<server_metrics> metrics = std::make_shared<server_metrics>();
  room_limits limits;
  std::vector<caf::actor> to_stop;
  std::vector<caf::actor> directories;
  std::uint64_t next_conn = 1;

  ~actor_fixture() override {
    for (auto& d : directories) caf::anon_send(d, shutdown_atom::value);
    sched.run();
    for (auto& a : to_stop) caf::anon_send_exit(a, caf::exit_reason::kill);
    sched.run();
  }

  void run_messages() { sched.run(); }

  caf::actor make_directory() {
    auto d = spawn_directory(sys, limits, metrics);
    directories.push_back(d);
    to_stop.push_back(d);
    return d;
  }

  caf::actor make_room(std::string name, caf::actor directory) {
    auto r = spawn_room_actor(sys, std::move(name), std::move(directory), limits, metrics);
    to_stop.push_back(r);
    return r;
  }

  std::pair<caf::actor, std::shared_ptr<client_record>> make_recording_client() {
    auto rec = std::make_shared<client_record>();
    auto a = sys.spawn(recording_client, rec);
    to_stop.push_back(a);
    return {a, rec};
  }

  struct client {
    caf::actor actor;
    std::shared_ptr<fake_sink> sink;
    std::uint64_t conn = 0;
  };

  client make_client(const caf::actor& directory, protocol_kind protocol, std::string room = {}) {
    client c;
    c.sink = std::make_shared<fake_sink>();
    c.conn = next_conn++;
    client_params p;
    p.conn_id = c.conn;
    p.protocol = protocol;
    p.room = std::move(room);
    p.remote = "127.0.0.1:1";
    p.directory = directory;
    p.sink = c.sink;
    p.metrics = metrics;
    p.limits = limits;
    c.actor = spawn_client_actor(sys, std::move(p));
    to_stop.push_back(c.actor);
    return c;
  }

  /// Joins `member` (as connection `conn`) to `room` and returns the room's answer.
  join_result join(const caf::actor& room, std::uint64_t conn, const caf::actor& member,
                   protocol_kind protocol = protocol_kind::y_websocket) {
    auto rh = self->request(room, caf::infinite, join_atom::value, conn, static_cast<std::uint8_t>(protocol),
                            member);
    run_messages();
    join_result out;
    rh.receive([&](join_result& r) { out = std::move(r); },
               [&](caf::error& err) { CAF_FAIL("join failed: " << caf::to_string(err)); });
    return out;
  }

  /// A request answered with T (runs the messages first); fails the test on an error.
  template <class T, class... Ts>
  T ask(const caf::actor& dest, Ts&&... xs) {
    auto rh = self->request(dest, caf::infinite, std::forward<Ts>(xs)...);
    run_messages();
    T out{};
    rh.receive([&](T& x) { out = std::move(x); },
               [&](caf::error& err) { CAF_FAIL("request failed: " << caf::to_string(err)); });
    return out;
  }

  /// A request expected to fail; returns the error.
  template <class... Ts>
  caf::error ask_error(const caf::actor& dest, Ts&&... xs) {
    auto rh = self->request(dest, caf::infinite, std::forward<Ts>(xs)...);
    run_messages();
    caf::error out;
    rh.receive([&](caf::message&) { CAF_FAIL("expected an error"); },
               [&](caf::error& err) { out = std::move(err); });
    return out;
  }

  void send_frame(const caf::actor& room, std::uint64_t conn, bytes frame) {
    caf::anon_send(room, frame_atom::value, conn, std::move(frame));
  }
  void inbound(const client& c, bytes frame) { caf::anon_send(c.actor, frame_atom::value, std::move(frame)); }
  void inbound_text(const client& c, std::string text) {
    caf::anon_send(c.actor, text_atom::value, std::move(text));
  }
  void closed(const client& c) { caf::anon_send(c.actor, closed_atom::value); }

  /// A flag that becomes true when `a` terminates (set by a watcher actor on its down message).
  std::shared_ptr<bool> watch(const caf::actor& a) {
    auto flag = std::make_shared<bool>(false);
    auto w = sys.spawn(watcher, a, flag);
    to_stop.push_back(w);
    run_messages();
    return flag;
  }

  static caf::behavior watcher(caf::event_based_actor* self, caf::actor target, std::shared_ptr<bool> flag) {
    self->monitor(target);
    self->set_down_handler([self, flag](caf::down_msg&) {
      *flag = true;
      self->quit();
    });
    return {[](caf::ok_atom) {}};
  }
};

}  // namespace zeal::actors::test
