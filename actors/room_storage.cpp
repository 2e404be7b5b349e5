#include <caf/all.hpp>

#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "actors/room_actor_state.hpp"
#include "actors/store_actor.hpp"

namespace zeal::actors::room_detail {

using persistence::room_record;

// Used before their definitions below.
void flush_outbox(room_self* self);
void maybe_compact(room_self* self);
void ship_to_replica(room_self* self, bytes state, const char* why, bool drop_on_failure);

/// Runs `send` now, or once every append sent so far is confirmed (so nothing a client receives depends
/// on an update that is not stored yet).
void emit(room_self* self, std::function<void()> send, caf::response_promise promise) {
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

void send_to(room_self* self, const caf::actor& client, const std::shared_ptr<connection_sink>& sink,
             bytes frame) {
  if (sink) {
    emit(self, [sink, frame = std::move(frame)]() mutable { sink->send_binary(std::move(frame)); });
    return;
  }
  emit(self, [self, client, frame = std::move(frame)]() mutable {
    self->send(client, push_atom::value, std::move(frame));
  });
}

/// One buffer for every member (but `except`) at the time it is sent: local members' connections share
/// it (one hop per I/O lane for all of them); members reached through their actor (remote, seed) share one
/// message.
void broadcast(room_self* self, bytes frame, std::optional<std::uint64_t> except) {
  auto shared = std::make_shared<const bytes>(std::move(frame));
  emit(self, [self, shared = std::move(shared), except] {
    auto& st = self->state;
    caf::message msg;
    auto& batch = st.batch_scratch;
    batch.clear();
    const void* lane = nullptr;
    for (const auto& [id, m] : st.members) {
      if (except && id == *except) continue;
      if (m.sink) {
        const void* l = m.sink->lane();
        if (l && (batch.empty() || l == lane)) {
          lane = l;
          batch.push_back(m.sink.get());
        } else {
          m.sink->send_shared(shared);
        }
        continue;
      }
      if (msg.empty()) msg = caf::make_message(push_atom::value, *shared);
      self->send(m.handle, msg);
    }
    if (!batch.empty()) batch.front()->send_shared_batch(batch, shared);
    batch.clear();
  });
}

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
  ship_to_replica(self, state, why, false);
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
  flush_relays(self);
  if (st.moved_to) {  // handed off: its state lives on at the new owner
    self->quit(st.stopping == stop_kind::shutdown ? caf::error{caf::exit_reason::user_shutdown}
                                                  : caf::error{});
    return;
  }
  if (st.appends_done != st.appends_sent || st.snapshot_in_flight) return;
  if (st.handoff_shipping) return;  // the handoff's answer decides
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

/// The slot of append number `index` (1-based), or null if it is already done.
append_slot* slot_of(room_self* self, std::uint64_t index) {
  auto& st = self->state;
  if (index <= st.appends_done || index > st.appends_sent) return nullptr;
  return &st.in_flight[static_cast<std::size_t>(index - st.appends_done - 1)];
}

/// Counts the appends at the front that are fully done and sends what waited for them.
void advance_appends(room_self* self) {
  auto& st = self->state;
  bool moved = false;
  while (!st.in_flight.empty() && st.in_flight.front().local && st.in_flight.front().replica) {
    st.in_flight.pop_front();
    ++st.appends_done;
    moved = true;
  }
  if (!moved) return;
  flush_outbox(self);
  maybe_compact(self);
  try_finish(self);
  try_handoff(self);
}

void on_appended(room_self* self, std::uint64_t index, std::uint64_t seq, std::size_t size) {
  auto& st = self->state;
  st.last_seq = std::max(st.last_seq, seq);
  st.log_entries += 1;
  st.log_bytes += size;
  if (auto* slot = slot_of(self, index)) slot->local = true;
  advance_appends(self);
}

/// A write to the replica failed or timed out: the room continues without it (until the next
/// replica_atom). Only the current replica's first failure is logged.
void replica_failed(room_self* self, std::uint64_t generation, const caf::error& err) {
  auto& st = self->state;
  st.metrics->cluster_replication_failures_total.fetch_add(1, std::memory_order_relaxed);
  if (generation != st.replica_generation || !st.replica) return;
  log::room().warn("conn=- room={} replica write failed: {} (continuing without a replica)", st.name,
                   persistence::store_error_message(err));
  st.replica = nullptr;
  ++st.replica_generation;
}

void on_replicated(room_self* self, std::uint64_t index) {
  if (auto* slot = slot_of(self, index)) slot->replica = true;
  advance_appends(self);
}

/// Sends the replica the room's full state as a snapshot covering everything it holds for the room.
/// `drop_on_failure`: a failure drops the replica (the initial ship); otherwise it is only logged.
void ship_to_replica(room_self* self, bytes state, const char* why, bool drop_on_failure) {
  auto& st = self->state;
  if (!st.replica) return;
  const auto size = state.size();
  const auto generation = st.replica_generation;
  self->request(st.replica, replica_timeout, persistence::snapshot_atom::value, st.name, std::move(state),
                persistence::covers_all)
      .then(
          [self, why, size](caf::ok_atom) {
            log::room().debug("conn=- room={} replica snapshot written ({}): {} bytes", self->state.name, why,
                              size);
          },
          [self, why, generation, drop_on_failure](caf::error& err) {
            if (drop_on_failure) {
              replica_failed(self, generation, err);
              return;
            }
            log::room().warn("conn=- room={} replica snapshot ({}) failed: {}", self->state.name, why,
                             persistence::store_error_message(err));
          });
}

/// Uses `replica` from now on (null: none); a new replica first gets the room's full state.
void set_replica(room_self* self, caf::actor replica) {
  auto& st = self->state;
  if (replica == st.replica) return;
  st.replica = std::move(replica);
  ++st.replica_generation;
  if (!st.replica || st.load_error) {
    st.replica = nullptr;
    return;
  }
  log::room().info("conn=- room={} replicating to {}", st.name, caf::to_string(st.replica.node()));
  if (!st.room->doc().state_vector().empty())
    ship_to_replica(self, st.room->doc().encode_state_as_update(), "new replica", true);
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
/// With a replica, the update also goes to the replica store; relays wait for both answers.
void store_update(room_self* self, const frame_effects& fx) {
  auto& st = self->state;
  if (!st.store && !st.replica) return;
  bytes update(fx.relay_frame.begin() + static_cast<std::ptrdiff_t>(fx.update_offset), fx.relay_frame.end());
  const auto size = update.size();
  const auto index = ++st.appends_sent;
  st.in_flight.push_back(append_slot{!st.store, !st.replica});
  if (st.replica) {
    const auto generation = st.replica_generation;
    auto copy = st.store ? update : std::move(update);
    self->request(st.replica, replica_timeout, persistence::append_atom::value, st.name, std::move(copy))
        .then(
            [self, index](std::uint64_t) {
              self->state.metrics->cluster_replication_appends_total.fetch_add(1, std::memory_order_relaxed);
              on_replicated(self, index);
            },
            [self, index, generation](caf::error& err) {
              replica_failed(self, generation, err);
              on_replicated(self, index);
            });
  }
  if (!st.store) return;
  self->request(st.store, caf::infinite, persistence::append_atom::value, st.name, std::move(update))
      .then([self, index, size](std::uint64_t seq) { on_appended(self, index, seq, size); },
            [self](caf::error& err) { fail_storage(self, err); });
  st.last_update = self->clock().now();
  schedule_snapshot_timer(self, st.limits.snapshot_idle);
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
  if (!r.has_snapshot && r.log.empty()) {
    set_replica(self, std::move(st.initial_replica));
    return;
  }
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
  set_replica(self, std::move(st.initial_replica));
}

/// Loads the stored state. `await`: no other message is handled before it is applied.
void load(room_self* self) {
  auto t0 = std::chrono::steady_clock::now();
  self->request(self->state.store, caf::infinite, persistence::load_atom::value, self->state.name)
      .await([self, t0](room_record& r) { restore(self, r, t0); },
             [self](caf::error& err) { fail_load(self, persistence::store_error_message(err)); });
}

}  // namespace zeal::actors::room_detail
