#pragma once

// The WebSocket framing of RFC 6455 for the server side of a connection, after Beast's handshake: server
// frames are written unmasked and unfragmented (a 2–10 byte header in front of the payload, so several
// queued frames go out in one gathered write); client frames are parsed incrementally from whatever the
// socket delivered. No Asio or Beast here: pure bytes in, events out.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace zeal::net::ws {

enum class opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

/// The longest header of a server frame (no mask): 2 bytes + a 64-bit length.
constexpr std::size_t max_server_header = 10;
/// RFC 6455: control frames carry at most 125 bytes.
constexpr std::size_t max_control_payload = 125;

/// A server frame header (FIN set, unmasked) for a payload of `size` bytes.
struct frame_header {
  std::array<std::uint8_t, max_server_header> bytes{};
  std::uint8_t size = 0;
};
frame_header encode_header(opcode op, std::size_t payload_size);

/// A close frame's payload: the code in network byte order, then the reason (cut to fit a control frame on
/// a UTF-8 character boundary). Code 0 → an empty payload (no status).
std::string close_payload(std::uint16_t code, std::string_view reason);

/// What the reader found; the callbacks of `frame_reader::feed`.
class frame_events {
 public:
  virtual ~frame_events() = default;
  /// A complete data message (fragments joined); `payload` is the reader's buffer, moved out.
  virtual void on_message(bool text, std::vector<std::uint8_t>&& payload) = 0;
  virtual void on_ping(std::string_view payload) = 0;
  virtual void on_pong() = 0;
  /// The peer's close frame: code 1005 if it had no status, the reason as sent (valid UTF-8).
  virtual void on_close(std::uint16_t code, std::string_view reason) = 0;
  /// A protocol violation: close the connection with `code` (1002 protocol error, 1007 invalid UTF-8,
  /// 1009 too big) and `reason`. The reader delivers nothing after it.
  virtual void on_error(std::uint16_t code, std::string reason) = 0;
};

/// Parses client frames (masked, as RFC 6455 requires of clients) from successive reads; text messages and
/// close reasons must be UTF-8 (crdt/lib0/utf.hpp's is_valid_utf8). Holds no memory
/// between messages except what an incomplete message or frame header needs.
class frame_reader {
 public:
  explicit frame_reader(std::size_t max_message_size) : max_message_size_(max_message_size) {}

  /// Consumes `data` (unmasked in place, so it must be writable). Events are delivered in order; after
  /// on_close or on_error nothing more is parsed (the result is false then).
  bool feed(std::uint8_t* data, std::size_t size, frame_events& events);

  /// True while a message or a frame is incomplete (data is expected).
  bool partial() const { return header_size_ > 0 || in_frame_ || in_message_; }
  bool stopped() const { return stopped_; }

 private:
  bool parse_header(frame_events& events);
  bool finish_frame(frame_events& events);
  bool fail(frame_events& events, std::uint16_t code, std::string reason);

  std::size_t max_message_size_;
  // The current frame header, possibly split over reads (2–14 bytes).
  std::array<std::uint8_t, 14> header_{};
  std::uint8_t header_size_ = 0;
  // The frame being read.
  bool in_frame_ = false;
  bool fin_ = false;
  opcode op_ = opcode::binary;
  std::uint64_t remaining_ = 0;
  std::array<std::uint8_t, 4> mask_{};
  std::uint8_t mask_pos_ = 0;
  // The data message being assembled (its opcode), and a control frame's payload.
  bool in_message_ = false;
  bool message_text_ = false;
  std::vector<std::uint8_t> message_;
  std::string control_;
  bool stopped_ = false;
};

}  // namespace zeal::net::ws
