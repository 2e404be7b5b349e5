#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bench/load/ws_client.hpp"
#include "crdt/lib0/bytes.hpp"

namespace zeal::bench::load {

enum class protocol { yws, hocuspocus };

class yjs_client;

// Frame builders (into `out`, cleared first). y-websocket ignores `room` (the URL path names it).
void build_sync_frame(crdt::bytes& out, protocol proto, std::string_view room, std::uint8_t sync_type,
                      crdt::bytes_view payload);
void build_awareness_frame(crdt::bytes& out, protocol proto, std::string_view room, crdt::bytes_view update);
/// Hocuspocus Auth/Token with token "x" and providerVersion "zeal-load" (v4 layout).
void build_token_frame(crdt::bytes& out, std::string_view room);
/// Checks the builders against the crdt library's encoders; false with a message if one differs.
bool check_frames(std::string& error);

/// What a Yjs client reports to the mode driving it (all on the io thread; views valid during the call).
class client_listener {
 public:
  /// The SyncStep2 answering our SyncStep1 arrived (reported after on_update for its content).
  virtual void on_synced(yjs_client& c, clock_type::time_point at) = 0;
  /// An update from an Update frame (step2 = false) or a SyncStep2 (step2 = true).
  virtual void on_update(yjs_client& c, crdt::bytes_view update, bool step2, clock_type::time_point at) = 0;
  /// An awareness update (the bytes inside the frame's varUint8Array).
  virtual void on_awareness(yjs_client& c, crdt::bytes_view update, clock_type::time_point at) = 0;
  virtual void on_failed(yjs_client& c, std::string_view why) = 0;

 protected:
  ~client_listener() = default;
};

/// One provider-like connection to one room: y-websocket (path /ROOM) or Hocuspocus (documentName prefix,
/// token auth first). Joins with SyncStep1 (empty state vector), answers the server's SyncStep1 with an
/// empty SyncStep2 and Hocuspocus pings with pongs, ignores everything else.
class yjs_client final : private ws_handler {
 public:
  yjs_client(boost::asio::io_context& io, client_listener& listener, protocol proto, std::string room,
             std::uint64_t seed);

  void connect(const boost::asio::ip::tcp::endpoint& server, const boost::asio::ip::address& source);
  void send_update(crdt::bytes_view update);
  void send_awareness(crdt::bytes_view awareness_update);
  void abort() { conn_.abort(); }

  bool open() const { return conn_.is_open(); }
  bool synced() const { return synced_; }
  bool failed() const { return failed_; }
  std::size_t queued_bytes() const { return conn_.queued_bytes(); }
  const std::string& room() const { return room_; }
  clock_type::time_point connect_at() const { return connect_at_; }
  clock_type::time_point synced_at() const { return synced_at_; }

  // Free for the mode: indices into its tables.
  std::uint32_t index = 0;
  std::uint32_t room_index = 0;
  std::int32_t sender = -1;  // global sender index, or -1

 private:
  void on_ws_open(ws_conn& c) override;
  void on_ws_message(ws_conn& c, crdt::bytes_view payload, clock_type::time_point at) override;
  void on_ws_closed(ws_conn& c, std::string_view why) override;
  void send_sync(std::uint8_t sync_type, crdt::bytes_view payload);
  void handle_yws(crdt::bytes_view m, clock_type::time_point at);
  void handle_hocuspocus(crdt::bytes_view m, clock_type::time_point at);
  /// A sync message (subtype, varUint8Array) at `m`.
  void handle_sync(crdt::bytes_view m, clock_type::time_point at);

  ws_conn conn_;
  client_listener& listener_;
  protocol proto_;
  std::string room_;
  crdt::bytes frame_;
  bool synced_ = false;
  bool failed_ = false;
  clock_type::time_point connect_at_{};
  clock_type::time_point synced_at_{};
};

}  // namespace zeal::bench::load
