#include "net/ws_frame.hpp"

#include <algorithm>
#include <cstring>

#include "crdt/lib0/utf.hpp"

namespace zeal::net::ws {

namespace {

constexpr std::size_t max_close_reason = max_control_payload - 2;

bool is_control(opcode op) {
  return static_cast<std::uint8_t>(op) >= 8;
}

bool known_opcode(std::uint8_t op) {
  return op <= 2 || (op >= 8 && op <= 10);
}

/// Close codes a peer may send (RFC 6455 7.4 and the IANA registry; 1005, 1006 and 1015 never go on the
/// wire).
bool valid_close_code(std::uint16_t code) {
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}

std::uint64_t read_be(const std::uint8_t* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

frame_header encode_header(opcode op, std::size_t payload_size) {
  frame_header h;
  h.bytes[0] = static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(op));
  if (payload_size < 126) {
    h.bytes[1] = static_cast<std::uint8_t>(payload_size);
    h.size = 2;
  } else if (payload_size <= 0xFFFF) {
    h.bytes[1] = 126;
    h.bytes[2] = static_cast<std::uint8_t>(payload_size >> 8);
    h.bytes[3] = static_cast<std::uint8_t>(payload_size);
    h.size = 4;
  } else {
    h.bytes[1] = 127;
    const auto v = static_cast<std::uint64_t>(payload_size);
    for (int i = 0; i < 8; ++i) h.bytes[2 + i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
    h.size = 10;
  }
  return h;
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
  if (code == 0) return {};
  std::size_t n = std::min(reason.size(), max_close_reason);
  while (n < reason.size() && n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80) --n;
  std::string out;
  out.reserve(2 + n);
  out.push_back(static_cast<char>(code >> 8));
  out.push_back(static_cast<char>(code & 0xFF));
  out.append(reason.substr(0, n));
  return out;
}

bool frame_reader::fail(frame_events& events, std::uint16_t code, std::string reason) {
  stopped_ = true;
  message_ = {};
  control_ = {};
  events.on_error(code, std::move(reason));
  return false;
}

bool frame_reader::parse_header(frame_events& events) {
  const std::uint8_t b0 = header_[0];
  const std::uint8_t b1 = header_[1];
  if (b0 & 0x70) return fail(events, 1002, "reserved bits set (no extension was negotiated)");
  const std::uint8_t raw_op = b0 & 0x0F;
  if (!known_opcode(raw_op)) return fail(events, 1002, "unknown opcode " + std::to_string(raw_op));
  const auto op = static_cast<opcode>(raw_op);
  const bool fin = (b0 & 0x80) != 0;
  const std::uint8_t len7 = b1 & 0x7F;
  std::size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
  std::uint64_t len = ext == 0 ? len7 : read_be(header_.data() + 2, ext);
  if (ext == 8 && (len >> 63)) return fail(events, 1002, "frame length over 2^63");
  std::memcpy(mask_.data(), header_.data() + 2 + ext, 4);
  if (is_control(op)) {
    if (!fin) return fail(events, 1002, "fragmented control frame");
    if (len > max_control_payload) return fail(events, 1002, "control frame over 125 bytes");
  } else {
    if (op == opcode::continuation) {
      if (!in_message_) return fail(events, 1002, "continuation frame without a message");
    } else {
      if (in_message_) return fail(events, 1002, "new data frame inside a fragmented message");
      in_message_ = true;
      message_text_ = op == opcode::text;
    }
    if (len > max_message_size_ - std::min(message_.size(), max_message_size_))
      return fail(events, 1009,
                  "message exceeds max-message-size (" + std::to_string(max_message_size_) + " bytes)");
    // A declared length is not yet data: reserve at most 64 KiB ahead (slow senders of big frames).
    message_.reserve(message_.size() + static_cast<std::size_t>(std::min<std::uint64_t>(len, 64 * 1024)));
  }
  in_frame_ = true;
  fin_ = fin;
  op_ = op;
  remaining_ = len;
  mask_pos_ = 0;
  return true;
}

bool frame_reader::finish_frame(frame_events& events) {
  in_frame_ = false;
  switch (op_) {
    case opcode::ping:
      events.on_ping(control_);
      std::string().swap(control_);
      break;
    case opcode::pong:
      std::string().swap(control_);
      events.on_pong();
      break;
    case opcode::close: {
      std::uint16_t code = 1005;
      std::string_view reason;
      if (control_.size() == 1) return fail(events, 1002, "close frame with a 1-byte payload");
      if (control_.size() >= 2) {
        code = static_cast<std::uint16_t>(read_be(reinterpret_cast<const std::uint8_t*>(control_.data()), 2));
        if (!valid_close_code(code)) return fail(events, 1002, "invalid close code " + std::to_string(code));
        reason = std::string_view(control_).substr(2);
        if (!crdt::lib0::is_valid_utf8(reason)) return fail(events, 1007, "close reason is not valid UTF-8");
      }
      stopped_ = true;
      events.on_close(code, reason);
      return false;
    }
    default:
      if (!fin_) break;
      in_message_ = false;
      if (message_text_ && !crdt::lib0::is_valid_utf8(std::string_view(
                               reinterpret_cast<const char*>(message_.data()), message_.size())))
        return fail(events, 1007, "text message is not valid UTF-8");
      {
        auto payload = std::move(message_);
        message_ = {};
        events.on_message(message_text_, std::move(payload));
      }
      break;
  }
  return !stopped_;
}

bool frame_reader::feed(std::uint8_t* data, std::size_t size, frame_events& events) {
  std::size_t pos = 0;
  while (!stopped_) {
    if (!in_frame_) {
      if (pos == size && header_size_ == 0) return true;
      while (header_size_ < 2 && pos < size) header_[header_size_++] = data[pos++];
      if (header_size_ < 2) return true;
      if (!(header_[1] & 0x80)) return fail(events, 1002, "unmasked client frame");
      const std::uint8_t len7 = header_[1] & 0x7F;
      const std::size_t needed = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
      while (header_size_ < needed && pos < size) header_[header_size_++] = data[pos++];
      if (header_size_ < needed) return true;
      header_size_ = 0;
      if (!parse_header(events)) return false;
      if (remaining_ == 0) {
        if (!finish_frame(events)) return false;
        continue;
      }
    }
    if (pos == size) return true;
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, size - pos));
    std::uint8_t* p = data + pos;
    std::size_t i = 0;
    while (i < n && mask_pos_ != 0) {
      p[i++] ^= mask_[mask_pos_];
      mask_pos_ = (mask_pos_ + 1) & 3;
    }
    std::uint8_t m8[8] = {mask_[0], mask_[1], mask_[2], mask_[3], mask_[0], mask_[1], mask_[2], mask_[3]};
    std::uint64_t m;
    std::memcpy(&m, m8, 8);
    for (; i + 8 <= n; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      w ^= m;
      std::memcpy(p + i, &w, 8);
    }
    while (i < n) {
      p[i++] ^= mask_[mask_pos_];
      mask_pos_ = (mask_pos_ + 1) & 3;
    }
    if (is_control(op_))
      control_.append(reinterpret_cast<const char*>(p), n);
    else
      message_.insert(message_.end(), p, p + n);
    pos += n;
    remaining_ -= n;
    if (remaining_ == 0 && !finish_frame(events)) return false;
  }
  return false;
}

}  // namespace zeal::net::ws
