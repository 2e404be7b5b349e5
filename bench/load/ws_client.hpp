#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crdt/lib0/bytes.hpp"

namespace zeal::bench::load {

using clock_type = std::chrono::steady_clock;

class ws_conn;

/// What a connection reports. Every call happens on the io_context's thread; payload views are valid only
/// during the call.
class ws_handler {
 public:
  virtual void on_ws_open(ws_conn& c) = 0;
  /// One complete binary or text message; `at` is when the bytes carrying its end were read.
  virtual void on_ws_message(ws_conn& c, crdt::bytes_view payload, clock_type::time_point at) = 0;
  /// Called once, when the connection failed or closed; the connection sends nothing afterwards.
  virtual void on_ws_closed(ws_conn& c, std::string_view why) = 0;

 protected:
  ~ws_handler() = default;
};

/// A minimal WebSocket client over a raw non-blocking TCP socket: HTTP upgrade, masked client frames,
/// unmasked server frames (fragmented messages reassembled, pings answered). Reads go through one shared
/// scratch buffer; a connection only keeps the tail of a partial frame, so idle connections stay small.
/// Not movable: callbacks capture `this`.
class ws_conn {
 public:
  ws_conn(boost::asio::io_context& io, ws_handler& handler, std::uint64_t mask_seed);
  ws_conn(const ws_conn&) = delete;
  ws_conn& operator=(const ws_conn&) = delete;
  ~ws_conn();

  /// Connects (from `source` unless it is unspecified) and upgrades with GET `path`.
  void start(const boost::asio::ip::tcp::endpoint& server, const boost::asio::ip::address& source,
             std::string_view path);
  /// Sends one binary message (no-op unless open).
  void send(crdt::bytes_view payload);
  /// Closes the socket at once (no close handshake); reports nothing.
  void abort();

  bool is_open() const { return state_ == state::open; }
  std::size_t queued_bytes() const { return out_.size() - out_pos_; }

 private:
  enum class state { idle, connecting, handshake, open, closed };

  void on_connected(const boost::system::error_code& ec);
  void arm_read();
  void on_readable(const boost::system::error_code& ec);
  void consume(const std::uint8_t* data, std::size_t n, clock_type::time_point at);
  /// Parses the handshake and the frames buffered in in_.
  void process_in(clock_type::time_point at);
  /// Bytes still missing of a frame of 64 KiB or more whose start is in in_; 0 otherwise.
  std::size_t large_frame_missing() const;
  /// Parses frames from [data, data+n); returns the bytes consumed (complete frames).
  std::size_t parse_frames(const std::uint8_t* data, std::size_t n, clock_type::time_point at);
  bool parse_handshake();
  void write_frame(std::uint8_t opcode, crdt::bytes_view payload);
  void write_raw(const std::uint8_t* data, std::size_t n);
  void arm_write();
  void fail(std::string_view why);

  boost::asio::ip::tcp::socket sock_;
  ws_handler& handler_;
  state state_ = state::idle;
  std::uint32_t mask_ = 0;
  std::string request_;
  crdt::bytes in_;    // unparsed tail (partial frame or handshake)
  crdt::bytes frag_;  // a fragmented message being reassembled
  crdt::bytes out_;   // bytes not yet accepted by the kernel, from out_pos_
  std::size_t out_pos_ = 0;
  bool write_armed_ = false;
  bool read_armed_ = false;
};

}  // namespace zeal::bench::load
