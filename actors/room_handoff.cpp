#include <caf/all.hpp>

#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "actors/room_actor_state.hpp"
#include "crdt/protocol/message.hpp"

namespace zeal::actors::room_detail {

namespace {

/// How long a room that moved keeps forwarding frames that were on their way to it.
constexpr auto moved_linger = std::chrono::seconds{2};

/// Sends the document content of a member frame (SyncStep2 / Update) to the new room, as a posted update.
void forward_update(room_self* self, const bytes& frame) {
  auto m = crdt::protocol::decode_message(frame);
  if (!m || m.value().type != crdt::protocol::message_type::sync ||
      m.value().sync.type == crdt::protocol::sync_type::step1)
    return;  // awareness and queries are renewed by the clients; malformed input is dropped
  bytes update(m.value().sync.payload.begin(), m.value().sync.payload.end());
  self->request(self->state.moved_to, handoff_timeout, update_atom::value, std::move(update))
      .then([](caf::ok_atom) {},
            [self](caf::error& err) {
              log::room().warn("conn=- room={} forwarding a late update to the new room failed: {}",
                               self->state.name, error_reason(err));
            });
}

/// Hands the frames held while moving to the new room, or back to the members here.
void release_held(room_self* self, bool forward) {
  auto& st = self->state;
  auto held = std::move(st.held);
  st.held.clear();
  st.held_bytes = 0;
  for (auto& h : held) {
    if (forward)
      forward_update(self, h.frame);
    else
      member_frame(self, h.member, h.frame);
  }
}

/// The handoff failed: serve again (the router retries at its next view change).
void handoff_failed(room_self* self, std::string why) {
  auto& st = self->state;
  log::room().warn("conn=- room={} handoff to {} failed: {} (serving again)", st.name,
                   caf::to_string(st.handoff_target.node()), why);
  st.moving = false;
  st.handoff_shipping = false;
  st.handoff_target = nullptr;
  release_held(self, false);  // the members' frames are handled here after all
  if (st.handoff_promise.pending()) st.handoff_promise.deliver(make_actor_error(retry_close_code, why));
  if (st.stopping != stop_kind::none) {
    try_finish(self);
    return;
  }
  if (st.members.empty()) schedule_idle(self);
}

}  // namespace

void hold_or_forward(room_self* self, std::uint64_t member, bytes& frame) {
  auto& st = self->state;
  if (st.moved_to) {
    forward_update(self, frame);
    return;
  }
  if (st.held_bytes + frame.size() > st.limits.max_join_buffer_bytes) {
    log::room().warn("conn=- room={} frame dropped: over {} bytes held while moving", st.name,
                     st.limits.max_join_buffer_bytes);
    return;
  }
  st.held_bytes += frame.size();
  st.held.push_back(room_actor_state::held_frame{member, std::move(frame)});
}

/// Ships the state to the target router once every append is done; on its answer moves the members.
void try_handoff(room_self* self) {
  auto& st = self->state;
  if (!st.moving || st.handoff_shipping || st.appends_done != st.appends_sent) return;
  if (st.stopping != stop_kind::none) return;  // shut down first: the state stays in the store
  st.handoff_shipping = true;
  auto state = st.room->doc().encode_state_as_update();
  auto sv = st.room->doc().state_vector().encode();
  const auto size = state.size();
  self->request(st.handoff_target, handoff_timeout, handoff_atom::value, st.name, std::move(state))
      .then(
          [self, size, sv = std::move(sv)](caf::actor& new_room) {
            auto& st = self->state;
            if (!new_room) {
              handoff_failed(self, "the target answered no room");
              return;
            }
            auto ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - st.handoff_start)
                    .count();
            for (const auto& [conn, m] : st.members) {
              self->demonitor(m.handle);
              self->send(m.handle, moved_atom::value, new_room, sv);
            }
            st.metrics->room_clients.fetch_sub(static_cast<std::int64_t>(st.members.size()),
                                               std::memory_order_relaxed);
            log::room().info("conn=- room={} handed off to {} ({} bytes, {:.1f} ms), {} member(s) moved",
                             st.name, caf::to_string(st.handoff_target.node()), size, ms, st.members.size());
            st.members.clear();
            st.metrics->cluster_handoffs_out_total.fetch_add(1, std::memory_order_relaxed);
            if (st.handoff_promise.pending()) st.handoff_promise.deliver(caf::ok_atom::value);
            st.moved_to = new_room;
            release_held(self, true);
            self->delayed_send(self, moved_linger, moved_atom::value);
          },
          [self](caf::error& err) { handoff_failed(self, error_reason(err)); });
}

caf::result<caf::ok_atom> start_handoff(room_self* self, caf::actor target) {
  auto& st = self->state;
  if (!target) return make_actor_error(1011, "no target router");
  if (st.load_error) return make_actor_error(1011, load_failed_reason);
  if (st.stopping != stop_kind::none) return make_actor_error(0, "room is stopping");
  if (st.moving) return make_actor_error(retry_close_code, "room is already moving");
  log::room().info("conn=- room={} moving to {}, {} member(s)", st.name, caf::to_string(target.node()),
                   st.members.size());
  flush_relays(self);  // the members get every relay before they are told the room moved
  st.moving = true;
  st.unloading = false;  // the directory keeps a moving room until it is down
  ++st.idle_generation;  // cancels a pending idle timer
  st.handoff_target = std::move(target);
  st.handoff_start = std::chrono::steady_clock::now();
  st.handoff_promise = self->make_response_promise();
  auto rp = st.handoff_promise;
  try_handoff(self);
  return rp;
}

}  // namespace zeal::actors::room_detail
