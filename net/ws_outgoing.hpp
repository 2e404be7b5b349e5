#pragma once

// A frame waiting in a WebSocket session's send queue (net/ws_session.cpp).

#include <cstdint>
#include <cstring>
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

/// The frames at the front of `queue` that one write takes: at most `max_frames`, more only while under
/// `max_bytes`, nothing after a close frame. Their header and payload buffers are appended to `bufs`.
struct write_batch {
  std::size_t frames = 0;
  std::size_t payload_bytes = 0;  // what the send-queue bound counts
  std::size_t wire_bytes = 0;     // headers + payloads
};
template <class Queue>
write_batch gather_frames(const Queue& queue, std::size_t max_frames, std::size_t max_bytes,
                          std::vector<boost::asio::const_buffer>& bufs) {
  write_batch b;
  for (const auto& m : queue) {
    if (b.frames == max_frames || (b.frames > 0 && b.payload_bytes >= max_bytes)) break;
    bufs.emplace_back(m.header.bytes.data(), m.header.size);
    const auto p = m.payload();
    if (p.size() > 0) bufs.push_back(p);
    b.payload_bytes += m.size();
    b.wire_bytes += m.header.size + p.size();
    ++b.frames;
    if (m.kind == out_kind::close) break;
  }
  return b;
}

/// Copies `bufs` (wire_bytes in all) into `out` (which must hold them): small frames go out as one
/// contiguous send() instead of a sendmsg() over many pieces.
inline void copy_buffers(const std::vector<boost::asio::const_buffer>& bufs, std::uint8_t* out) {
  for (const auto& b : bufs) {
    if (b.size() == 0) continue;
    std::memcpy(out, b.data(), b.size());
    out += b.size();
  }
}

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
