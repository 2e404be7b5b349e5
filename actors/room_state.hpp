#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/limits.hpp"
#include "actors/messages.hpp"
#include "crdt/doc/doc.hpp"
#include "crdt/protocol/awareness.hpp"
#include "crdt/protocol/message.hpp"
#include "persistence/room_doc.hpp"
#include "persistence/store.hpp"

namespace zeal::actors {

/// What the room has to do after one frame from a member (computed by room_state, carried out by the
/// room actor, which owns the members).
struct frame_effects {
  enum class relay_kind : std::uint8_t {
    none,
    all,     // every member, the sender included (updates, awareness)
    others,  // every member but the sender (custom type 4)
  };
  /// Frames for the sender only (SyncStep2, query-awareness answer), in order.
  std::vector<bytes> replies;
  relay_kind relay = relay_kind::none;
  bytes relay_frame;
  /// relay_frame is an Update frame whose update (relay_frame[update_offset..]) changed the room and must
  /// be stored before it is relayed.
  bool store = false;
  std::size_t update_offset = 0;
  /// Non-zero: close the sender's connection with this code and reason (the room is unchanged).
  std::uint16_t close_code = 0;
  std::string close_reason;
  /// A sync update was applied successfully (changed the doc or not), and how long it took.
  bool applied = false;
  std::chrono::nanoseconds apply_time{0};
  /// An auth message (logged and ignored).
  bool auth = false;
};

/// The data of one room, without actors: the Yjs document and the awareness table, and the y-websocket
/// message handling rules of the contract ("Room protocol"). Time is passed in (the actor's clock).
class room_state {
 public:
  explicit room_state(const room_limits& limits);
  room_state(const room_state&) = delete;
  room_state& operator=(const room_state&) = delete;

  /// Handles one frame from connection `conn` (which is a member). Takes the frame so it can be relayed
  /// without a copy.
  frame_effects handle_frame(std::uint64_t conn, bytes frame, crdt::protocol::awareness_time now);

  /// Applies a room's stored data in order (persistence::apply_stored): the snapshot (if any; it covers the
  /// log up to `snapshot_seq`), then the log entries. nullopt on success; otherwise what failed, naming the
  /// record and its key; the document is then partly restored and the room must not be used.
  std::optional<std::string> restore(std::string_view room, const bytes* snapshot, std::uint64_t snapshot_seq,
                                     const std::vector<persistence::log_entry>& log);

  /// The frames a newly joined member gets: SyncStep1 with the room's state vector, then (if there are
  /// states) one awareness frame with all states.
  std::vector<bytes> welcome_frames() const;

  /// The connection left: removes its awareness states. Returns the awareness frame announcing the
  /// removal (null states) for the remaining members, or nullopt if it owned no states.
  std::optional<bytes> remove_connection(std::uint64_t conn, crdt::protocol::awareness_time now);
  /// Removes outdated awareness states; the removal frame for the members, or nullopt if none expired.
  std::optional<bytes> expire_awareness(crdt::protocol::awareness_time now);

  /// For reading (and for the tests); the room's own changes go through handle_frame and restore, which
  /// keep the cached full-state frame in step.
  crdt::doc& doc() { return doc_; }
  const crdt::doc& doc() const { return doc_; }
  const crdt::protocol::awareness& awareness() const { return awareness_; }

 private:
  struct pending_snapshot {
    bool structs = false;
    bytes structs_update;
    bool deletes = false;
    crdt::delete_set delete_set;
  };
  pending_snapshot snapshot_pending() const;
  /// True if the doc holds pending structs or deletes that `before` did not have.
  bool pending_grew(const pending_snapshot& before) const;

  /// Why an awareness update holds a state that is not JSON text (nullopt: all states parse).
  std::optional<std::string> invalid_awareness_json(crdt::bytes_view update, std::size_t offset) const;
  void handle_update(frame_effects& fx, bytes& frame, const crdt::protocol::message& m);

  /// No format cleanup: the room relays clients' bytes, so it must not change the document itself (a
  /// cleanup delete of its own would never reach the members, and an identical one from a client would
  /// then look like a duplicate and not be relayed).
  crdt::doc doc_{persistence::room_doc_options()};
  crdt::protocol::awareness awareness_;
  bool doc_changed_ = false;  // set by doc_.on_update during one apply
  /// The SyncStep2 frame for an empty state vector (a new client's SyncStep1), encoded once per document
  /// version: a join storm costs one encoding, not one per joiner. Dropped by every apply and restore.
  std::optional<bytes> full_state_step2_;
};

}  // namespace zeal::actors
