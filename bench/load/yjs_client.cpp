#include "bench/load/yjs_client.hpp"

#include <utility>

#include "bench/load/varint.hpp"
#include "crdt/protocol/hocuspocus.hpp"
#include "crdt/protocol/message.hpp"

namespace zeal::bench::load {
namespace {

/// Reads a varUint8Array at `pos`; false on truncation.
bool get_var_bytes(crdt::bytes_view m, std::size_t& pos, crdt::bytes_view& out) {
  std::uint64_t n = 0;
  if (!get_var_uint(m, pos, n) || n > m.size() - pos) return false;
  out = m.subspan(pos, static_cast<std::size_t>(n));
  pos += static_cast<std::size_t>(n);
  return true;
}

constexpr std::uint8_t msg_sync = 0;
constexpr std::uint8_t msg_awareness = 1;
constexpr std::uint8_t msg_auth = 2;
constexpr std::uint8_t hp_sync_reply = 4;
constexpr std::uint8_t hp_close = 7;
constexpr std::uint8_t hp_ping = 9;
constexpr std::uint8_t hp_pong = 10;
constexpr std::string_view hp_token = "x";
constexpr std::string_view hp_provider_version = "zeal-load";

}  // namespace

yjs_client::yjs_client(boost::asio::io_context& io, client_listener& listener, protocol proto,
                       std::string room, std::uint64_t seed)
    : conn_(io, *this, seed), listener_(listener), proto_(proto), room_(std::move(room)) {}

void yjs_client::connect(const boost::asio::ip::tcp::endpoint& server,
                         const boost::asio::ip::address& source) {
  connect_at_ = clock_type::now();
  conn_.start(server, source, proto_ == protocol::yws ? "/" + room_ : "/");
}

void build_sync_frame(crdt::bytes& out, protocol proto, std::string_view room, std::uint8_t sync_type,
                      crdt::bytes_view payload) {
  out.clear();
  if (proto == protocol::hocuspocus) {
    put_var_uint(out, room.size());
    out.insert(out.end(), room.begin(), room.end());
  }
  out.push_back(msg_sync);
  out.push_back(sync_type);
  put_var_uint(out, payload.size());
  out.insert(out.end(), payload.begin(), payload.end());
}

void build_awareness_frame(crdt::bytes& out, protocol proto, std::string_view room, crdt::bytes_view update) {
  out.clear();
  if (proto == protocol::hocuspocus) {
    put_var_uint(out, room.size());
    out.insert(out.end(), room.begin(), room.end());
  }
  out.push_back(msg_awareness);
  put_var_uint(out, update.size());
  out.insert(out.end(), update.begin(), update.end());
}

void build_token_frame(crdt::bytes& out, std::string_view room) {
  out.clear();
  put_var_uint(out, room.size());
  out.insert(out.end(), room.begin(), room.end());
  out.push_back(msg_auth);
  out.push_back(0);  // Token
  for (const std::string_view s : {hp_token, hp_provider_version}) {
    put_var_uint(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
  }
}

bool check_frames(std::string& error) {
  namespace proto = crdt::protocol;
  const std::string room = "room-\xc3\xa9";
  const crdt::bytes payload = {1, 2, 3, 0, 0x80};
  crdt::bytes out;
  bool ok = true;
  auto expect = [&](const crdt::bytes& want, const char* what) {
    if (out != want) {
      error = std::string("frame builder differs from the crdt library: ") + what;
      ok = false;
    }
  };
  build_sync_frame(out, protocol::yws, room, 2, payload);
  expect(proto::encode_update_frame(payload), "y-websocket Update");
  build_sync_frame(out, protocol::yws, room, 0, payload);
  expect(proto::encode_sync_step1_frame(payload), "y-websocket SyncStep1");
  build_awareness_frame(out, protocol::yws, room, payload);
  expect(proto::encode_awareness_frame(payload), "y-websocket awareness");
  build_sync_frame(out, protocol::hocuspocus, room, 2, payload);
  expect(proto::hocuspocus::encode_sync(room, proto::sync_type::update, payload), "Hocuspocus Update");
  build_sync_frame(out, protocol::hocuspocus, room, 1, payload);
  expect(proto::hocuspocus::encode_sync(room, proto::sync_type::step2, payload), "Hocuspocus SyncStep2");
  build_awareness_frame(out, protocol::hocuspocus, room, payload);
  expect(proto::hocuspocus::encode_awareness(room, payload), "Hocuspocus awareness");
  build_token_frame(out, room);
  expect(proto::hocuspocus::encode_token(room, hp_token, hp_provider_version), "Hocuspocus Auth/Token");
  return ok;
}

void yjs_client::send_sync(std::uint8_t sync_type, crdt::bytes_view payload) {
  build_sync_frame(frame_, proto_, room_, sync_type, payload);
  conn_.send(frame_);
}

void yjs_client::send_update(crdt::bytes_view update) {
  send_sync(2, update);
}

void yjs_client::send_awareness(crdt::bytes_view awareness_update) {
  build_awareness_frame(frame_, proto_, room_, awareness_update);
  conn_.send(frame_);
}

void yjs_client::on_ws_open(ws_conn&) {
  if (proto_ == protocol::yws) {
    static const std::uint8_t empty_sv[] = {0};
    send_sync(0, empty_sv);
    return;
  }
  build_token_frame(frame_, room_);
  conn_.send(frame_);
}

void yjs_client::on_ws_message(ws_conn&, crdt::bytes_view payload, clock_type::time_point at) {
  if (proto_ == protocol::yws) {
    handle_yws(payload, at);
  } else {
    handle_hocuspocus(payload, at);
  }
}

void yjs_client::handle_sync(crdt::bytes_view m, clock_type::time_point at) {
  std::size_t pos = 0;
  std::uint64_t sub = 0;
  crdt::bytes_view payload;
  if (!get_var_uint(m, pos, sub) || !get_var_bytes(m, pos, payload)) {
    failed_ = true;
    conn_.abort();
    listener_.on_failed(*this, "truncated sync message");
    return;
  }
  if (sub == 0) {  // the server's SyncStep1: we hold nothing it lacks
    static const std::uint8_t empty_update[] = {0, 0};
    send_sync(1, empty_update);
  } else if (sub == 1 || sub == 2) {
    listener_.on_update(*this, payload, sub == 1, at);
    if (sub == 1 && !synced_) {
      synced_ = true;
      synced_at_ = at;
      listener_.on_synced(*this, at);
    }
  }
}

void yjs_client::handle_yws(crdt::bytes_view m, clock_type::time_point at) {
  if (m.empty()) return;
  if (m[0] == msg_sync) return handle_sync(m.subspan(1), at);
  if (m[0] == msg_awareness) {
    std::size_t pos = 1;
    crdt::bytes_view aw;
    if (get_var_bytes(m, pos, aw)) listener_.on_awareness(*this, aw, at);
    return;
  }
  if (m[0] == msg_auth && m.size() > 1 && m[1] == 0) {
    failed_ = true;
    conn_.abort();
    listener_.on_failed(*this, "permission denied by the server");
  }
}

void yjs_client::handle_hocuspocus(crdt::bytes_view m, clock_type::time_point at) {
  if (m.size() == 1 && m[0] == hp_ping) {
    const std::uint8_t pong[] = {hp_pong};
    conn_.send(pong);
    return;
  }
  std::size_t pos = 0;
  std::uint64_t name_len = 0;
  if (!get_var_uint(m, pos, name_len) || name_len > m.size() - pos) return;
  pos += static_cast<std::size_t>(name_len);
  std::uint64_t type = 0;
  if (!get_var_uint(m, pos, type)) return;
  if (type == msg_sync || type == hp_sync_reply) return handle_sync(m.subspan(pos), at);
  if (type == msg_awareness) {
    crdt::bytes_view aw;
    if (get_var_bytes(m, pos, aw)) listener_.on_awareness(*this, aw, at);
    return;
  }
  if (type == hp_close) {
    failed_ = true;
    conn_.abort();
    listener_.on_failed(*this, "the server closed the document");
    return;
  }
  if (type == msg_auth) {
    std::uint64_t sub = 0;
    if (!get_var_uint(m, pos, sub)) return;
    if (sub == 2) {  // Authenticated: join
      static const std::uint8_t empty_sv[] = {0};
      send_sync(0, empty_sv);
    } else if (sub == 1) {
      failed_ = true;
      conn_.abort();
      listener_.on_failed(*this, "permission denied by the server");
    }
  }
}

void yjs_client::on_ws_closed(ws_conn&, std::string_view why) {
  failed_ = true;
  listener_.on_failed(*this, why);
}

}  // namespace zeal::bench::load
