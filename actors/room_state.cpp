#include "actors/room_state.hpp"

#include "crdt/doc/doc_impl.hpp"
#include "crdt/lib0/json_check.hpp"
#include "crdt/protocol/message.hpp"

namespace zeal::actors {

namespace proto = crdt::protocol;

namespace {

proto::awareness_config awareness_config_for(const room_limits& limits) {
  proto::awareness_config c;
  c.timeout = limits.awareness_timeout;
  return c;
}

}  // namespace

std::optional<std::string> room_state::invalid_awareness_json(crdt::bytes_view update,
                                                              std::size_t offset) const {
  const auto& cfg = awareness_.config();
  auto entries =
      proto::decode_awareness_update(update, cfg.max_entries_per_update, cfg.max_state_bytes, offset);
  if (!entries) return entries.err().to_string();
  for (const auto& e : entries.value()) {
    if (e.state_json == "undefined") return "state of client " + std::to_string(e.client) + " is not JSON";
    // Checked, not built: no allocation per presence update.
    if (auto bad = crdt::lib0::check_json(e.state_json))
      return "state of client " + std::to_string(e.client) + " is not JSON: " + bad->message;
  }
  return std::nullopt;
}

room_state::room_state(const room_limits& limits) : awareness_(awareness_config_for(limits)) {
  doc_.on_update([this](crdt::bytes_view) { doc_changed_ = true; });
}

room_state::pending_snapshot room_state::snapshot_pending() const {
  // Copies only when something is pending (rare): the common path costs two flag reads.
  const auto& impl = doc_.impl();
  pending_snapshot s;
  s.structs = impl.has_pending_structs_;
  if (s.structs) s.structs_update = impl.pending_update_;
  s.deletes = impl.has_pending_ds_;
  if (s.deletes) s.delete_set = impl.pending_ds_;
  return s;
}

bool room_state::pending_grew(const pending_snapshot& before) const {
  const auto& impl = doc_.impl();
  if (impl.has_pending_structs_ && (!before.structs || impl.pending_update_ != before.structs_update))
    return true;
  if (impl.has_pending_ds_ && (!before.deletes || !(impl.pending_ds_ == before.delete_set))) return true;
  return false;
}

void room_state::handle_update(frame_effects& fx, bytes& frame, const proto::message& m) {
  auto update = m.sync.payload;
  auto before = snapshot_pending();
  doc_changed_ = false;
  full_state_step2_.reset();
  auto t0 = std::chrono::steady_clock::now();
  auto st = doc_.apply_update(update);
  fx.apply_time = std::chrono::steady_clock::now() - t0;
  if (!st) {
    fx.close_code = 1007;
    fx.close_reason = "malformed update: " + st.err().to_string();
    return;
  }
  fx.applied = true;
  if (!doc_changed_ && !pending_grew(before)) return;  // an exact duplicate: nothing to relay
  fx.relay = frame_effects::relay_kind::all;
  fx.store = true;
  // Relay the client's update bytes unchanged as one Update frame. When the frame already is exactly
  // that (an Update without trailing bytes), reuse its buffer.
  bool exact =
      m.sync.type == proto::sync_type::update && update.data() + update.size() == frame.data() + frame.size();
  if (exact) {
    fx.update_offset = static_cast<std::size_t>(update.data() - frame.data());
    fx.relay_frame = std::move(frame);
  } else {
    fx.relay_frame = proto::encode_update_frame(update);
    fx.update_offset = fx.relay_frame.size() - update.size();
  }
}

frame_effects room_state::handle_frame(std::uint64_t conn, bytes frame, proto::awareness_time now) {
  frame_effects fx;
  auto decoded = proto::decode_message(frame);
  if (!decoded && !frame.empty() && frame[0] == static_cast<std::uint8_t>(proto::message_type::auth)) {
    // Auth is accepted and ignored whatever its payload: it must never break a connection.
    fx.auth = true;
    return fx;
  }
  if (!decoded) {
    fx.close_code = 1002;
    fx.close_reason = "malformed message: " + decoded.err().to_string();
    return fx;
  }
  const auto& m = decoded.value();
  switch (m.type) {
    case proto::message_type::sync:
      if (m.sync.type == proto::sync_type::step1) {
        bool empty_sv = m.sync.payload.size() == 1 && m.sync.payload[0] == 0;
        if (empty_sv && full_state_step2_) {
          fx.replies.push_back(*full_state_step2_);
          break;
        }
        auto diff = doc_.encode_state_as_update(m.sync.payload, crdt::update_format::v1);
        if (!diff) {
          fx.close_code = 1002;
          fx.close_reason = "malformed message: state vector: " + diff.err().to_string();
          return fx;
        }
        fx.replies.push_back(proto::encode_sync_step2_frame(diff.value()));
        if (empty_sv) full_state_step2_ = fx.replies.back();
      } else {
        handle_update(fx, frame, m);
      }
      break;
    case proto::message_type::awareness: {
      // The table keeps states as text; peers JSON.parse them, so a state that is not JSON would break
      // every other client of the room: refuse it here.
      if (auto bad = invalid_awareness_json(m.awareness, m.awareness_offset)) {
        fx.close_code = 1007;
        fx.close_reason = "malformed awareness update: " + *bad;
        return fx;
      }
      auto change = awareness_.apply_update(m.awareness, conn, now, m.awareness_offset);
      if (!change) {
        fx.close_code = 1007;
        fx.close_reason = "malformed awareness update: " + change.err().to_string();
        return fx;
      }
      if (!change->empty()) {
        fx.relay = frame_effects::relay_kind::all;
        fx.relay_frame = std::move(frame);
      }
      break;
    }
    case proto::message_type::auth:
      fx.auth = true;
      break;
    case proto::message_type::query_awareness:
      fx.replies.push_back(proto::encode_awareness_frame(awareness_.encode_all()));
      break;
    case proto::message_type::custom:
      fx.relay = frame_effects::relay_kind::others;
      fx.relay_frame = std::move(frame);
      break;
  }
  return fx;
}

std::optional<std::string> room_state::restore(std::string_view room, const bytes* snapshot,
                                               std::uint64_t snapshot_seq,
                                               const std::vector<persistence::log_entry>& log) {
  full_state_step2_.reset();
  return persistence::apply_stored(doc_, room, snapshot, snapshot_seq, log);
}

std::vector<bytes> room_state::welcome_frames() const {
  std::vector<bytes> frames;
  frames.push_back(proto::encode_sync_step1_frame(doc_.state_vector().encode()));
  if (awareness_.size() > 0) frames.push_back(proto::encode_awareness_frame(awareness_.encode_all()));
  return frames;
}

std::optional<bytes> room_state::remove_connection(std::uint64_t conn, proto::awareness_time now) {
  auto removal = awareness_.remove_connection(conn, now);
  if (removal.update.empty()) return std::nullopt;
  return proto::encode_awareness_frame(removal.update);
}

std::optional<bytes> room_state::expire_awareness(proto::awareness_time now) {
  auto removal = awareness_.expire(now);
  if (removal.update.empty()) return std::nullopt;
  return proto::encode_awareness_frame(removal.update);
}

}  // namespace zeal::actors
