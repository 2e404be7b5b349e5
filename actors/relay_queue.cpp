// Document updates relayed by a room with a backlog go out merged: while more messages wait in the
// room's mailbox (a burst in a hot room), each stored update is queued; when the mailbox is empty (or at
// the relay_flush message the first queued update sent, or when the queue is full) the queue is merged
// doc-less (crdt::merge_updates, as Yjs's mergeUpdates) into one Update frame for every member: one
// message instead of many, never two messages in one frame. A room without a backlog relays each update
// unchanged, at once.

#include <caf/all.hpp>

#include "actors/log.hpp"
#include "actors/room_actor_state.hpp"
#include "crdt/protocol/message.hpp"
#include "crdt/update/update.hpp"

namespace zeal::actors::room_detail {

namespace {

/// A queue this long or this big is flushed at once (bounds the latency a burst adds and the merge).
constexpr std::size_t max_queued_updates = 64;
constexpr std::size_t max_queued_bytes = 256 * 1024;

}  // namespace

void relay_update(room_self* self, frame_effects& fx) {
  auto& st = self->state;
  const bool backlog = !self->mailbox().empty();
  if (!backlog && st.relay_queue.empty()) {
    broadcast(self, std::move(fx.relay_frame));
    return;
  }
  st.relay_queue_bytes += fx.relay_frame.size();
  st.relay_queue.push_back({std::move(fx.relay_frame), fx.update_offset});
  if (!backlog || st.relay_queue.size() >= max_queued_updates || st.relay_queue_bytes >= max_queued_bytes) {
    flush_relays(self);
    return;
  }
  if (!st.relay_flush_sent) {
    st.relay_flush_sent = true;  // the backlog may hold no other update: flush at the latest behind it
    self->send(self, relay_flush_atom::value);
  }
}

void flush_relays(room_self* self) {
  auto& st = self->state;
  if (st.relay_queue.empty()) return;
  auto queue = std::move(st.relay_queue);
  st.relay_queue.clear();
  st.relay_queue_bytes = 0;
  if (queue.size() == 1) {
    broadcast(self, std::move(queue.front().frame));
    return;
  }
  std::vector<crdt::bytes_view> updates;
  updates.reserve(queue.size());
  for (const auto& q : queue) updates.push_back(crdt::bytes_view{q.frame}.subspan(q.update_offset));
  auto merged = crdt::merge_updates(updates, crdt::update_format::v1);
  if (!merged) {
    // Not expected (every update was applied to the document): relay them one by one.
    log::room().warn("conn=- room={} merging {} updates failed ({}): relayed one by one", st.name,
                     queue.size(), merged.err().to_string());
    for (auto& q : queue) broadcast(self, std::move(q.frame));
    return;
  }
  st.metrics->relays_merged_total.fetch_add(queue.size(), std::memory_order_relaxed);
  broadcast(self, crdt::protocol::encode_update_frame(merged.value()));
}

}  // namespace zeal::actors::room_detail
