#include "actors/store_actor.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/all.hpp>
#include <caf/sec.hpp>

namespace zeal::persistence {

namespace {

struct store_actor_state {
  std::shared_ptr<store> st;
  store_actor_options options;
  /// The open group-commit batch and the requests waiting for it (same order).
  std::vector<pending_update> batch;
  std::vector<caf::response_promise> promises;
  std::size_t batch_bytes = 0;
  /// Identifies the open batch; a flush message for an older batch (written early) is ignored.
  std::uint64_t batch_id = 0;
  bool batch_open = false;

  static constexpr const char* name = "zeal.store";
};

using store_actor_type = caf::stateful_actor<store_actor_state>;

/// Publishes the store's figures to the metrics (if any).
void publish(store& st, const std::shared_ptr<actors::server_metrics>& m) {
  if (!m) return;
  auto r = st.stats();
  if (!r) return;
  constexpr auto relaxed = std::memory_order_relaxed;
  m->storage_rooms.store(r->rooms, relaxed);
  m->storage_log_entries.store(r->log_entries, relaxed);
  m->storage_log_bytes.store(r->log_bytes, relaxed);
  m->storage_snapshot_bytes.store(r->snapshot_bytes, relaxed);
  m->storage_db_bytes.store(r->approximate_db_bytes, relaxed);
}

void publish(store_actor_type* self) {
  publish(*self->state.st, self->state.options.metrics);
}

void count(store_actor_type* self, std::atomic<std::uint64_t> actors::server_metrics::*counter,
           std::uint64_t n = 1) {
  if (auto& m = self->state.options.metrics) (m.get()->*counter).fetch_add(n, std::memory_order_relaxed);
}

/// Writes the open batch (if any) with one append_batch and answers every waiting request.
void flush_batch(store_actor_type* self) {
  auto& s = self->state;
  if (!s.batch_open) return;
  s.batch_open = false;
  ++s.batch_id;
  auto batch = std::move(s.batch);
  auto promises = std::move(s.promises);
  s.batch.clear();
  s.promises.clear();
  s.batch_bytes = 0;
  auto r = s.st->append_batch(batch);
  if (!r) {
    count(self, &actors::server_metrics::storage_write_errors_total);
    for (auto& rp : promises) rp.deliver(make_store_error(r.error_message()));
    return;
  }
  count(self, &actors::server_metrics::storage_appends_total, batch.size());
  publish(self);
  const auto& seqs = *r;
  for (std::size_t i = 0; i < promises.size(); ++i) {
    if (i < seqs.size())
      promises[i].deliver(static_cast<std::uint64_t>(seqs[i]));
    else
      promises[i].deliver(make_store_error("append_batch returned fewer sequence numbers than updates"));
  }
}

room_record to_record(room_data&& d) {
  room_record out;
  out.has_snapshot = d.snapshot.has_value();
  if (d.snapshot) out.snapshot = std::move(*d.snapshot);
  out.covered = d.snapshot_seq;
  out.last_seq = d.snapshot_seq;
  for (const auto& e : d.log) out.last_seq = std::max(out.last_seq, e.seq);
  out.log = std::move(d.log);
  return out;
}

caf::behavior store_actor(store_actor_type* self, std::shared_ptr<store> st, store_actor_options options) {
  self->state.st = std::move(st);
  self->state.options = options;
  // Write what was accepted before leaving (a shutdown exits the store actor after the rooms).
  self->set_exit_handler([self](caf::exit_msg& msg) {
    flush_batch(self);
    self->quit(msg.reason);
  });
  return {
      [self](append_atom, std::string& room, message_bytes& update) -> caf::result<std::uint64_t> {
        auto& s = self->state;
        auto rp = self->make_response_promise();
        if (!s.batch_open) {
          s.batch_open = true;
          self->send(self, flush_atom::value, s.batch_id);
        }
        s.batch_bytes += update.size();
        s.batch.push_back(pending_update{std::move(room), std::move(update)});
        s.promises.push_back(rp);
        if (s.batch.size() >= s.options.max_batch_entries || s.batch_bytes >= s.options.max_batch_bytes)
          flush_batch(self);
        return rp;
      },
      [self](flush_atom, std::uint64_t batch) {
        if (self->state.batch_open && batch == self->state.batch_id) flush_batch(self);
      },
      [self](load_atom, const std::string& room) -> caf::result<room_record> {
        flush_batch(self);
        auto r = self->state.st->load(room);
        if (!r) return make_store_error(r.error_message());
        return to_record(std::move(r).value());
      },
      [self](snapshot_atom, const std::string& room, const message_bytes& state,
             std::uint64_t covered) -> caf::result<caf::ok_atom> {
        flush_batch(self);
        if (covered == covers_all) {
          // Every entry stored for the room so far (a replica's snapshot: the owner's seqs are not ours).
          auto stats = self->state.st->room_stats(room);
          if (!stats) {
            count(self, &actors::server_metrics::storage_write_errors_total);
            return make_store_error(stats.error_message());
          }
          covered = stats->next_seq > 0 ? stats->next_seq - 1 : 0;
        }
        auto r = self->state.st->write_snapshot(room, state, covered);
        if (!r) {
          count(self, &actors::server_metrics::storage_write_errors_total);
          return make_store_error(r.error_message());
        }
        count(self, &actors::server_metrics::storage_snapshots_total);
        publish(self);
        return caf::ok_atom::value;
      },
      [self](remove_atom, const std::string& room) -> caf::result<caf::ok_atom> {
        flush_batch(self);
        auto r = self->state.st->remove_room(room);
        if (!r) {
          count(self, &actors::server_metrics::storage_write_errors_total);
          return make_store_error(r.error_message());
        }
        publish(self);
        return caf::ok_atom::value;
      },
      [self](exists_atom, const std::string& room) -> caf::result<bool> {
        flush_batch(self);
        auto r = self->state.st->has_room(room);
        if (!r) return make_store_error(r.error_message());
        return *r;
      },
      [self](stats_atom) -> caf::result<store_statistics> {
        flush_batch(self);
        auto r = self->state.st->stats();
        if (!r) return make_store_error(r.error_message());
        return *r;
      },
  };
}

}  // namespace

caf::error make_store_error(std::string message) {
  return caf::make_error(caf::sec::runtime_error, std::move(message));
}

std::string store_error_message(const caf::error& err) {
  const auto& ctx = err.context();
  for (std::size_t i = 0; i < ctx.size(); ++i)
    if (ctx.match_element<std::string>(i)) return ctx.get_as<std::string>(i);
  return caf::to_string(err);
}

caf::actor spawn_store_actor(caf::actor_system& sys, std::shared_ptr<store> st) {
  return spawn_store_actor(sys, std::move(st), store_actor_options{});
}

caf::actor spawn_store_actor(caf::actor_system& sys, std::shared_ptr<store> st, bool detached) {
  store_actor_options options;
  options.detached = detached;
  return spawn_store_actor(sys, std::move(st), options);
}

caf::actor spawn_store_actor(caf::actor_system& sys, std::shared_ptr<store> st, store_actor_options options) {
  publish(*st, options.metrics);  // before anyone can read /stats
  if (options.detached) return sys.spawn<caf::detached>(store_actor, std::move(st), options);
  return sys.spawn(store_actor, std::move(st), options);
}

}  // namespace zeal::persistence
