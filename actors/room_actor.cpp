#include "actors/room_actor.hpp"

#include <deque>
#include <functional>
#include <map>

#include <caf/all.hpp>

#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "actors/messages.hpp"
#include "actors/room_state.hpp"
#include "actors/store_actor.hpp"
#include "crdt/protocol/message.hpp"

namespace zeal::actors {

namespace {

using persistence::room_record;

constexpr const char* load_failed_reason = "room could not be loaded from storage";
constexpr const char* storage_failure_reason = "storage failure";

struct room_member {
  caf::actor handle;
  protocol_kind protocol = protocol_kind::y_websocket;
};

/// A send that waits until the store confirmed the appends sent before it.
struct outbox_item {
  std::uint64_t after = 0;  // appends_sent when it was queued
  std::function<void()> send;
  caf::response_promise promise;  // a pending HTTP update answer (failed if the room fails), if pending()
};

enum class stop_kind : std::uint8_t { none, unload, shutdown };

struct room_actor_state {
  std::string name;  // also the actor's name (CAF reads `name`)
  caf::actor directory;
  room_limits limits;
  std::shared_ptr<server_metrics> metrics;
  std::unique_ptr<room_state> room;
  std::map<std::uint64_t, room_member> members;  // by connection id (ordered: deterministic relays)
  bool unloading = false;
  std::uint64_t idle_generation = 0;
  bool tick_scheduled = false;

  // Persistence (store == null: in memory only).
  caf::actor store;
  std::optional<std::string> load_error;  // the stored data did not load: every join is refused
  std::uint64_t appends_sent = 0;
  std::uint64_t appends_done = 0;
  std::deque<outbox_item> outbox;
  std::uint64_t last_seq = 0;     // the newest confirmed log entry
  std::uint64_t log_entries = 0;  // confirmed log entries not covered by a snapshot
  std::uint64_t log_bytes = 0;
  bool snapshot_in_flight = false;
  bool snapshot_timer = false;
  caf::actor_clock::time_point last_update{};
  stop_kind stopping = stop_kind::none;

  room_actor_state() = default;
  room_actor_state(const room_actor_state&) = delete;
  room_actor_state& operator=(const room_actor_state&) = delete;
  ~room_actor_state() {
    // The actor terminated (shutdown) with members left: they are no longer in any room.
    if (metrics && !members.empty())
      metrics->room_clients.fetch_sub(static_cast<std::int64_t>(members.size()), std::memory_order_relaxed);
  }
};

using room_self = caf::stateful_actor<room_actor_state>;

crdt::protocol::awareness_time now_of(room_self* self) {
  return self->clock().now();
}

/// Runs `send` now, or once every append sent so far is confirmed (so nothing a client receives depends
/// on an update that is not stored yet).
void emit(room_self* self, std::function<void()> send, caf::response_promise promise = {}) {
  auto& st = self->state;
  if (st.appends_done == st.appends_sent) {
    send();
    return;
  }
  st.outbox.push_back(outbox_item{st.appends_sent, std::move(send), std::move(promise)});
}

void flush_outbox(room_self* self) {
  auto& st = self->state;
  while (!st.outbox.empty() && st.outbox.front().after <= st.appends_done) {
    auto item = std::move(st.outbox.front());
    st.outbox.pop_front();
    item.send();
  }
}

void send_to(room_self* self, const caf::actor& client, bytes frame) {
  emit(self, [self, client, frame = std::move(frame)]() mutable {
    self->send(client, push_atom::value, std::move(frame));
  });
}

/// One message for every member (but `except`) at the time it is sent: local receivers share its buffer.
void broadcast(room_self* self, bytes frame, std::optional<std::uint64_t> except = std::nullopt) {
  emit(self, [self, msg = caf::make_message(push_atom::value, std::move(frame)), except] {
    for (const auto& [conn, m] : self->state.members)
      if (!except || conn != *except) self->send(m.handle, msg);
  });
}

/// Starts (or restarts) the room_timeout timer; only the newest timer counts.
void schedule_idle(room_self* self) {
  auto& st = self->state;
  auto gen = ++st.idle_generation;
  self->delayed_send(self, st.limits.room_timeout, idle_atom::value, gen);
}

/// Keeps the awareness expiry tick running while there are members and awareness entries.
void ensure_tick(room_self* self) {
  auto& st = self->state;
  if (st.tick_scheduled || st.members.empty() || st.room->awareness().entry_count() == 0) return;
  st.tick_scheduled = true;
  self->delayed_send(self, st.limits.awareness_check_interval, tick_atom::value);
}

void try_finish(room_self* self);
void maybe_compact(room_self* self);

/// Writes the room's full state as its snapshot, covering every confirmed log entry. False if there is
/// nothing to do (no store, nothing new, a snapshot already in flight, or the room did not load).
bool write_snapshot(room_self* self, const char* why) {
  auto& st = self->state;
  if (!st.store || st.snapshot_in_flight || st.log_entries == 0 || st.load_error) return false;
  auto state = st.room->doc().encode_state_as_update();
  const auto size = state.size();
  const auto covered = st.last_seq;
  const auto entries = st.log_entries;
  const auto bytes_covered = st.log_bytes;
  st.snapshot_in_flight = true;
  self->request(st.store, caf::infinite, persistence::snapshot_atom::value, st.name, std::move(state),
                covered)
      .then(
          [self, why, size, covered, entries, bytes_covered](caf::ok_atom) {
            auto& st = self->state;
            st.snapshot_in_flight = false;
            st.log_entries -= entries;
            st.log_bytes -= bytes_covered;
            log::room().info("conn=- room={} snapshot written ({}): {} bytes, covers seq {}", st.name, why,
                             size, covered);
            maybe_compact(self);  // the log may have grown past the limits again meanwhile
            try_finish(self);
          },
          [self, why](caf::error& err) {
            auto& st = self->state;
            st.snapshot_in_flight = false;
            // Nothing is lost: the log still holds every entry. A stopping room stops anyway.
            log::room().error("conn=- room={} snapshot ({}) failed: {}", st.name, why,
                              persistence::store_error_message(err));
            if (st.stopping != stop_kind::none) {
              st.log_entries = 0;  // do not try again
              try_finish(self);
            }
          });
  return true;
}

/// A stopping room (unload, shutdown) quits once its appends are confirmed and its snapshot is written.
void try_finish(room_self* self) {
  auto& st = self->state;
  if (st.stopping == stop_kind::none) return;
  if (st.appends_done != st.appends_sent || st.snapshot_in_flight) return;
  if (write_snapshot(self, st.stopping == stop_kind::unload ? "unload" : "shutdown")) return;
  if (st.stopping == stop_kind::shutdown)
    self->quit(caf::exit_reason::user_shutdown);
  else
    self->quit();
}

/// The store failed a write: nothing unconfirmed was sent to anyone. Close every member (their clients
/// re-upload what they have when they reconnect, to a room that loads again) and stop.
void fail_storage(room_self* self, const caf::error& err) {
  auto& st = self->state;
  log::room().error("conn=- room={} storage write failed: {}", st.name,
                    persistence::store_error_message(err));
  for (auto& item : st.outbox)
    if (item.promise.pending()) item.promise.deliver(make_actor_error(1011, storage_failure_reason));
  st.outbox.clear();
  for (const auto& [conn, m] : st.members) {
    self->demonitor(m.handle);
    self->send(m.handle, close_atom::value, std::uint16_t{1011}, std::string{storage_failure_reason});
  }
  st.metrics->room_clients.fetch_sub(static_cast<std::int64_t>(st.members.size()), std::memory_order_relaxed);
  st.members.clear();
  self->quit(make_actor_error(1011, storage_failure_reason));
}

void on_appended(room_self* self, std::uint64_t seq, std::size_t size) {
  auto& st = self->state;
  ++st.appends_done;
  st.last_seq = std::max(st.last_seq, seq);
  st.log_entries += 1;
  st.log_bytes += size;
  flush_outbox(self);
  maybe_compact(self);
  try_finish(self);
}

void maybe_compact(room_self* self) {
  auto& st = self->state;
  if (st.stopping != stop_kind::none) return;  // the final snapshot follows
  if (st.log_entries >= st.limits.compact_log_entries || st.log_bytes >= st.limits.compact_log_bytes)
    write_snapshot(self, "compaction");
}

void schedule_snapshot_timer(room_self* self, caf::timespan after) {
  auto& st = self->state;
  if (st.snapshot_timer) return;
  st.snapshot_timer = true;
  self->delayed_send(self, after, persistence::snapshot_atom::value);
}

/// Appends the update in `fx.relay_frame` to the room's log (relays wait for the confirmation).
void store_update(room_self* self, const frame_effects& fx) {
  auto& st = self->state;
  if (!st.store) return;
  bytes update(fx.relay_frame.begin() + static_cast<std::ptrdiff_t>(fx.update_offset), fx.relay_frame.end());
  const auto size = update.size();
  ++st.appends_sent;
  self->request(st.store, caf::infinite, persistence::append_atom::value, st.name, std::move(update))
      .then([self, size](std::uint64_t seq) { on_appended(self, seq, size); },
            [self](caf::error& err) { fail_storage(self, err); });
  st.last_update = self->clock().now();
  schedule_snapshot_timer(self, st.limits.snapshot_idle);
}

void remove_member(room_self* self, std::uint64_t conn, const char* why) {
  auto& st = self->state;
  auto it = st.members.find(conn);
  if (it == st.members.end()) return;
  self->demonitor(it->second.handle);
  st.members.erase(it);
  st.metrics->room_clients.fetch_sub(1, std::memory_order_relaxed);
  log::room().info("conn={} room={} left ({}), {} member(s)", conn, st.name, why, st.members.size());
  if (auto removal = st.room->remove_connection(conn, now_of(self))) broadcast(self, std::move(*removal));
  if (st.members.empty()) schedule_idle(self);
}

/// Carries out what room_state decided for a frame: store, then replies and relays (in that order).
void carry_out(room_self* self, frame_effects& fx, std::optional<std::uint64_t> sender,
               const caf::actor& client) {
  auto& st = self->state;
  if (fx.applied) {
    st.metrics->observe_apply(fx.apply_time);
    st.metrics->updates_applied.fetch_add(1, std::memory_order_relaxed);
  }
  if (fx.store) store_update(self, fx);
  if (client)
    for (auto& reply : fx.replies) send_to(self, client, std::move(reply));
  switch (fx.relay) {
    case frame_effects::relay_kind::none:
      break;
    case frame_effects::relay_kind::all:
      broadcast(self, std::move(fx.relay_frame));
      break;
    case frame_effects::relay_kind::others:
      broadcast(self, std::move(fx.relay_frame), sender);
      break;
  }
}

void handle_frame(room_self* self, std::uint64_t conn, bytes& frame) {
  auto& st = self->state;
  auto it = st.members.find(conn);
  if (it == st.members.end()) {
    log::room().debug("conn={} room={} frame from a non-member dropped", conn, st.name);
    return;
  }
  auto client = it->second.handle;
  auto fx = st.room->handle_frame(conn, std::move(frame), now_of(self));
  if (fx.close_code != 0) {
    log::room().warn("conn={} room={} closing {}: {}", conn, st.name, fx.close_code, fx.close_reason);
    self->send(client, close_atom::value, fx.close_code, std::move(fx.close_reason));
    remove_member(self, conn, "malformed input");
    return;
  }
  if (fx.auth) log::room().info("conn={} room={} auth message ignored", conn, st.name);
  carry_out(self, fx, conn, client);
  ensure_tick(self);
}

/// POST /rooms/<room>/update: applied like a member's update; answered once it is stored.
caf::result<caf::ok_atom> handle_posted_update(room_self* self, const bytes& update) {
  auto& st = self->state;
  if (st.load_error) return make_actor_error(1011, load_failed_reason);
  auto fx = st.room->handle_frame(0, crdt::protocol::encode_update_frame(update), now_of(self));
  if (fx.close_code != 0) return make_actor_error(1007, std::move(fx.close_reason));
  log::room().info("conn=- room={} update of {} bytes posted over HTTP{}", st.name, update.size(),
                   fx.store ? "" : " (nothing new)");
  carry_out(self, fx, std::nullopt, caf::actor{});
  auto rp = self->make_response_promise();
  emit(
      self, [rp]() mutable { rp.deliver(caf::ok_atom::value); }, rp);
  return rp;
}

caf::result<join_result> handle_join(room_self* self, std::uint64_t conn, std::uint8_t protocol,
                                     const caf::actor& client) {
  auto& st = self->state;
  if (st.load_error) {
    log::room().warn("conn={} room={} join refused: {}", conn, st.name, load_failed_reason);
    return join_result{false, 1011, load_failed_reason};
  }
  if (st.unloading || st.stopping != stop_kind::none) {
    log::room().debug("conn={} room={} join while unloading: retry", conn, st.name);
    return join_result{false, 0, "retry"};
  }
  if (!client) return join_result{false, 1011, "no client actor"};
  auto existing = st.members.find(conn);
  if (existing == st.members.end() && st.members.size() >= st.limits.max_clients_per_room) {
    auto reason = "room full (max-clients-per-room " + std::to_string(st.limits.max_clients_per_room) + ")";
    log::room().warn("conn={} room={} join rejected: {}", conn, st.name, reason);
    return join_result{false, 1013, std::move(reason)};
  }
  if (existing != st.members.end()) {
    self->demonitor(existing->second.handle);
    existing->second.handle = client;
  } else {
    st.members.emplace(conn, room_member{client, static_cast<protocol_kind>(protocol)});
    st.metrics->room_clients.fetch_add(1, std::memory_order_relaxed);
  }
  self->monitor(client);
  ++st.idle_generation;  // cancels a pending idle timer
  log::room().info("conn={} room={} joined, {} member(s)", conn, st.name, st.members.size());
  // The answer first, then the welcome frames: the client sees it is a member before any frame.
  auto rp = self->make_response_promise();
  rp.deliver(join_result{true, 0, {}});
  for (auto& frame : st.room->welcome_frames()) send_to(self, client, std::move(frame));
  ensure_tick(self);
  return rp;
}

/// How long a room that did not load keeps refusing joins (with the reason) before it unloads, so that a
/// later join loads it again.
constexpr auto failed_load_linger = std::chrono::seconds{5};

/// The stored data did not load: refuse every join, then unload. Nothing is ever written for a room that
/// did not load.
void fail_load(room_self* self, std::string why) {
  auto& st = self->state;
  st.load_error = std::move(why);
  st.metrics->storage_load_failures_total.fetch_add(1, std::memory_order_relaxed);
  log::room().error("conn=- room={} cannot be loaded: {}", st.name, *st.load_error);
  auto gen = ++st.idle_generation;
  self->delayed_send(self, std::min<caf::timespan>(st.limits.room_timeout, failed_load_linger),
                     idle_atom::value, gen);
}

void restore(room_self* self, room_record& r, std::chrono::steady_clock::time_point t0) {
  auto& st = self->state;
  if (!r.has_snapshot && r.log.empty()) return;
  if (auto failed = st.room->restore(st.name, r.has_snapshot ? &r.snapshot : nullptr, r.covered, r.log)) {
    fail_load(self, std::move(*failed));
    return;
  }
  st.last_seq = r.last_seq;
  st.log_entries = r.log.size();
  for (const auto& e : r.log) st.log_bytes += e.update.size();
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  log::room().info("conn=- room={} loaded from storage: snapshot {} bytes, {} log entries, {:.1f} ms",
                   st.name, r.snapshot.size(), r.log.size(), ms);
  // A log tail (e.g. after a crash) is folded into a snapshot soon.
  if (st.log_entries > 0) {
    st.last_update = self->clock().now();
    schedule_snapshot_timer(self, st.limits.snapshot_idle);
  }
}

/// Loads the stored state. `await`: no other message is handled before it is applied.
void load(room_self* self) {
  auto t0 = std::chrono::steady_clock::now();
  self->request(self->state.store, caf::infinite, persistence::load_atom::value, self->state.name)
      .await([self, t0](room_record& r) { restore(self, r, t0); },
             [self](caf::error& err) { fail_load(self, persistence::store_error_message(err)); });
}

caf::behavior room_actor_fun(room_self* self, std::string name, caf::actor directory, room_limits limits,
                             std::shared_ptr<server_metrics> metrics, caf::actor store) {
  auto& st = self->state;
  st.name = std::move(name);
  st.directory = std::move(directory);
  st.limits = limits;
  st.metrics = std::move(metrics);
  st.store = std::move(store);
  st.room = std::make_unique<room_state>(st.limits);
  log::room().debug("conn=- room={} started", st.name);
  self->set_down_handler([self](caf::down_msg& dm) {
    for (const auto& [conn, m] : self->state.members) {
      if (m.handle.address() == dm.source) {
        auto id = conn;  // remove_member invalidates the reference
        remove_member(self, id, "connection actor down");
        return;
      }
    }
  });
  if (st.store) load(self);
  schedule_idle(self);  // nobody may ever join (the client died while resolving)
  return {
      [self](join_atom, std::uint64_t conn, std::uint8_t protocol, const caf::actor& client) {
        return handle_join(self, conn, protocol, client);
      },
      [self](frame_atom, std::uint64_t conn, bytes& frame) { handle_frame(self, conn, frame); },
      [self](leave_atom, std::uint64_t conn) { remove_member(self, conn, "leave"); },
      [self](json_atom) -> caf::result<std::string> {
        if (self->state.load_error) return make_actor_error(1011, load_failed_reason);
        return self->state.room->doc().to_json();
      },
      [self](update_atom) -> caf::result<bytes> {
        if (self->state.load_error) return make_actor_error(1011, load_failed_reason);
        return self->state.room->doc().encode_state_as_update();
      },
      [self](update_atom, const bytes& update) { return handle_posted_update(self, update); },
      [self](idle_atom, std::uint64_t gen) {
        auto& st = self->state;
        if (gen != st.idle_generation || !st.members.empty() || st.unloading) return;
        st.unloading = true;
        log::room().info("conn=- room={} empty for {} ms, unloading", st.name,
                         st.limits.room_timeout.count());
        if (st.directory)
          self->send(st.directory, unload_atom::value, st.name);
        else
          self->quit();
      },
      [self](persistence::snapshot_atom) {
        auto& st = self->state;
        st.snapshot_timer = false;
        auto quiet = self->clock().now() - st.last_update;
        if (quiet < st.limits.snapshot_idle) {
          schedule_snapshot_timer(self, st.limits.snapshot_idle - quiet);
        } else if (st.appends_done != st.appends_sent) {
          schedule_snapshot_timer(self, st.limits.snapshot_idle);  // wait for the confirmations
        } else if (!write_snapshot(self, "idle") && st.log_entries > 0) {
          schedule_snapshot_timer(self, st.limits.snapshot_idle);  // one is in flight: check again later
        }
      },
      [self](tick_atom) {
        auto& st = self->state;
        st.tick_scheduled = false;
        if (auto removal = st.room->expire_awareness(now_of(self))) {
          log::room().debug("conn=- room={} expired outdated awareness states", st.name);
          broadcast(self, std::move(*removal));
        }
        ensure_tick(self);
      },
      [self](unload_atom) {
        auto& st = self->state;
        log::room().debug("conn=- room={} unloaded", st.name);
        st.unloading = true;
        st.stopping = stop_kind::unload;
        try_finish(self);
      },
      [self](shutdown_atom) {
        auto& st = self->state;
        log::room().debug("conn=- room={} stopping", st.name);
        st.stopping = stop_kind::shutdown;
        try_finish(self);
      },
  };
}

}  // namespace

caf::actor spawn_room_actor(caf::actor_system& sys, std::string name, caf::actor directory,
                            room_limits limits, std::shared_ptr<server_metrics> metrics) {
  return spawn_room_actor(sys, std::move(name), std::move(directory), limits, std::move(metrics),
                          caf::actor{});
}

caf::actor spawn_room_actor(caf::actor_system& sys, std::string name, caf::actor directory,
                            room_limits limits, std::shared_ptr<server_metrics> metrics, caf::actor store) {
  return sys.spawn(room_actor_fun, std::move(name), std::move(directory), limits, std::move(metrics),
                   std::move(store));
}

}  // namespace zeal::actors
