#pragma once

// A frame waiting in a WebSocket session's send queue (net/ws_session.cpp).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/buffer.hpp>

#include "net/ws_frame.hpp"

namespace zeal::net {

enum class out_kind : std::uint8_t { binary, text, ping, pong, close };

using shared_frame = std::shared_ptr<const std::vector<std::uint8_t>>;

/// One queued frame: its header and a payload (owned, or shared by every receiver of a relayed update).
struct ws_outgoing {
  out_kind kind = out_kind::binary;
  ws::frame_header header;
  std::vector<std::uint8_t> bin;
  std::string text;  // text payload, or a control frame's payload
  shared_frame shared;

  boost::asio::const_buffer payload() const {
    if (shared) return boost::asio::buffer(*shared);
    if (!bin.empty()) return boost::asio::buffer(bin);
    return boost::asio::buffer(text);
  }
  std::size_t size() const { return payload().size(); }
  bool data() const { return kind == out_kind::binary || kind == out_kind::text; }
};

inline ws::opcode opcode_of(out_kind k) {
  switch (k) {
    case out_kind::binary:
      return ws::opcode::binary;
    case out_kind::text:
      return ws::opcode::text;
    case out_kind::ping:
      return ws::opcode::ping;
    case out_kind::pong:
      return ws::opcode::pong;
    case out_kind::close:
      break;
  }
  return ws::opcode::close;
}

}  // namespace zeal::net
