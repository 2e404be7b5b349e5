#include "bench/load/ws_client.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <array>
#include <boost/asio/error.hpp>
#include <cstring>

namespace zeal::bench::load {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// The RFC 6455 example key and its accept value: the key needs no randomness for a load generator.
constexpr std::string_view ws_key = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::string_view ws_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
constexpr std::size_t max_message_bytes = 256u << 20;
constexpr std::size_t max_handshake_bytes = 16u << 10;

/// One scratch buffer for every read: the process is single-threaded.
std::array<std::uint8_t, 256 * 1024>& scratch() {
  static std::array<std::uint8_t, 256 * 1024> buf;
  return buf;
}

std::uint32_t mix32(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return static_cast<std::uint32_t>(x ^ (x >> 31)) | 1u;
}

bool contains_ci(std::string_view hay, std::string_view needle) {
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

}  // namespace

ws_conn::ws_conn(asio::io_context& io, ws_handler& handler, std::uint64_t mask_seed)
    : sock_(io), handler_(handler), mask_(mix32(mask_seed)) {}

ws_conn::~ws_conn() {
  boost::system::error_code ec;
  sock_.close(ec);
}

void ws_conn::start(const tcp::endpoint& server, const asio::ip::address& source, std::string_view path) {
  boost::system::error_code ec;
  sock_.open(tcp::v4(), ec);
  if (ec) return fail("socket: " + ec.message());
  if (!source.is_unspecified()) {
    // Let connect() pick the port, so that one source address serves every destination port range.
    int one = 1;
    ::setsockopt(sock_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sock_.bind(tcp::endpoint(source, 0), ec);
    if (ec) return fail("bind " + source.to_string() + ": " + ec.message());
  }
  request_ = "GET ";
  request_ += path;
  request_ += " HTTP/1.1\r\nHost: " + server.address().to_string() + ":" + std::to_string(server.port()) +
              "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ";
  request_ += ws_key;
  request_ += "\r\nSec-WebSocket-Version: 13\r\n\r\n";
  state_ = state::connecting;
  sock_.async_connect(server, [this](const boost::system::error_code& e) {
    if (e == asio::error::operation_aborted) return;
    on_connected(e);
  });
}

void ws_conn::on_connected(const boost::system::error_code& ec) {
  if (state_ != state::connecting) return;
  if (ec) return fail("connect: " + ec.message());
  boost::system::error_code e;
  sock_.set_option(tcp::no_delay(true), e);
  sock_.non_blocking(true, e);
  state_ = state::handshake;
  write_raw(reinterpret_cast<const std::uint8_t*>(request_.data()), request_.size());
  std::string().swap(request_);
  arm_read();
}

void ws_conn::arm_read() {
  if (read_armed_ || state_ == state::closed) return;
  read_armed_ = true;
  sock_.async_wait(tcp::socket::wait_read, [this](const boost::system::error_code& e) {
    if (e == asio::error::operation_aborted) return;
    read_armed_ = false;
    on_readable(e);
  });
}

void ws_conn::on_readable(const boost::system::error_code& ec) {
  if (state_ == state::closed) return;
  if (ec) return fail("wait: " + ec.message());
  auto& buf = scratch();
  // The reactor is edge-triggered: read until a short read says the socket is drained.
  for (;;) {
    boost::system::error_code e;
    // The rest of a large frame is read straight into in_ (no copy through the scratch buffer).
    const std::size_t want = large_frame_missing();
    std::size_t n = 0;
    if (want > 0) {
      const std::size_t old = in_.size();
      in_.resize(old + want);
      n = sock_.read_some(asio::buffer(in_.data() + old, want), e);
      in_.resize(old + (e ? 0 : n));
    } else {
      n = sock_.read_some(asio::buffer(buf), e);
    }
    if (e == asio::error::would_block || e == asio::error::try_again) break;
    if (e == asio::error::eof) return fail("connection closed by the server");
    if (e) return fail("read: " + e.message());
    if (want > 0) {
      if (n == want) process_in(clock_type::now());
    } else {
      consume(buf.data(), n, clock_type::now());
    }
    if (state_ == state::closed || n < (want > 0 ? want : buf.size())) break;
  }
  arm_read();
}

std::size_t ws_conn::large_frame_missing() const {
  if (state_ != state::open || in_.size() < 2) return 0;
  std::uint64_t len = in_[1] & 0x7f;
  std::size_t header = 2;
  if (len == 126) {
    if (in_.size() < 4) return 0;
    len = (std::uint64_t{in_[2]} << 8) | in_[3];
    header = 4;
  } else if (len == 127) {
    if (in_.size() < 10) return 0;
    len = 0;
    for (int i = 0; i < 8; ++i) len = (len << 8) | in_[2 + i];
    header = 10;
  }
  if (in_[1] & 0x80) header += 4;
  if (len > max_message_bytes) return 0;  // parse_frames rejects it
  const std::size_t total = header + static_cast<std::size_t>(len);
  if (total <= in_.size() || total - in_.size() < 64 * 1024) return 0;
  return total - in_.size();
}

void ws_conn::consume(const std::uint8_t* data, std::size_t n, clock_type::time_point at) {
  if (in_.empty() && state_ == state::open) {
    const std::size_t used = parse_frames(data, n, at);
    if (state_ == state::open && used < n) in_.assign(data + used, data + n);
    return;
  }
  in_.insert(in_.end(), data, data + n);
  process_in(at);
}

void ws_conn::process_in(clock_type::time_point at) {
  if (state_ == state::handshake) {
    if (!parse_handshake()) return;
  }
  if (state_ != state::open || in_.empty()) return;
  const std::size_t used = parse_frames(in_.data(), in_.size(), at);
  if (state_ != state::open) return;
  if (used == in_.size()) {
    in_.clear();
    if (in_.capacity() > 64 * 1024) crdt::bytes().swap(in_);
  } else if (used > 0) {
    in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(used));
  }
}

bool ws_conn::parse_handshake() {
  const std::string_view text(reinterpret_cast<const char*>(in_.data()), in_.size());
  const auto end = text.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (in_.size() > max_handshake_bytes) fail("handshake response too large");
    return false;
  }
  const std::string_view head = text.substr(0, end);
  if (head.substr(0, 12) != "HTTP/1.1 101") {
    fail("upgrade refused: " + std::string(head.substr(0, head.find("\r\n"))));
    return false;
  }
  if (!contains_ci(head, ws_accept)) {
    fail("upgrade response without the expected Sec-WebSocket-Accept");
    return false;
  }
  in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(end + 4));
  state_ = state::open;
  handler_.on_ws_open(*this);
  return state_ == state::open;
}

std::size_t ws_conn::parse_frames(const std::uint8_t* data, std::size_t n, clock_type::time_point at) {
  std::size_t pos = 0;
  while (state_ == state::open && n - pos >= 2) {
    const std::uint8_t b0 = data[pos];
    const std::uint8_t b1 = data[pos + 1];
    std::size_t header = 2;
    std::uint64_t len = b1 & 0x7f;
    if (len == 126) {
      if (n - pos < 4) break;
      len = (std::uint64_t{data[pos + 2]} << 8) | data[pos + 3];
      header = 4;
    } else if (len == 127) {
      if (n - pos < 10) break;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | data[pos + 2 + i];
      header = 10;
    }
    const bool masked = (b1 & 0x80) != 0;
    if (masked) header += 4;
    if (len > max_message_bytes) {
      fail("frame of " + std::to_string(len) + " bytes exceeds the limit");
      return pos;
    }
    if (n - pos < header + len) break;
    std::uint8_t* payload = const_cast<std::uint8_t*>(data + pos + header);
    if (masked) {
      const std::uint8_t* key = data + pos + header - 4;
      for (std::uint64_t i = 0; i < len; ++i) payload[i] ^= key[i & 3];
    }
    const crdt::bytes_view body(payload, static_cast<std::size_t>(len));
    pos += header + static_cast<std::size_t>(len);
    const bool fin = (b0 & 0x80) != 0;
    const std::uint8_t opcode = b0 & 0x0f;
    switch (opcode) {
      case 0x0:  // continuation
        if (frag_.size() + body.size() > max_message_bytes) {
          fail("fragmented message exceeds the limit");
          return pos;
        }
        frag_.insert(frag_.end(), body.begin(), body.end());
        if (fin) {
          crdt::bytes whole;
          whole.swap(frag_);
          handler_.on_ws_message(*this, whole, at);
        }
        break;
      case 0x1:
      case 0x2:
        if (fin) {
          handler_.on_ws_message(*this, body, at);
        } else {
          frag_.assign(body.begin(), body.end());
        }
        break;
      case 0x8:
        write_frame(0x8, {});
        fail("close frame from the server");
        return pos;
      case 0x9:
        write_frame(0xa, body);
        break;
      case 0xa:
        break;
      default:
        fail("unknown opcode " + std::to_string(opcode));
        return pos;
    }
  }
  return pos;
}

void ws_conn::send(crdt::bytes_view payload) {
  if (state_ != state::open) return;
  write_frame(0x2, payload);
}

void ws_conn::write_frame(std::uint8_t opcode, crdt::bytes_view payload) {
  std::array<std::uint8_t, 14> head{};
  std::size_t h = 0;
  head[h++] = static_cast<std::uint8_t>(0x80 | opcode);
  const std::size_t len = payload.size();
  if (len < 126) {
    head[h++] = static_cast<std::uint8_t>(0x80 | len);
  } else if (len < 65536) {
    head[h++] = 0x80 | 126;
    head[h++] = static_cast<std::uint8_t>(len >> 8);
    head[h++] = static_cast<std::uint8_t>(len);
  } else {
    head[h++] = 0x80 | 127;
    for (int i = 7; i >= 0; --i)
      head[h++] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(len) >> (8 * i));
  }
  std::uint8_t key[4];
  std::memcpy(key, &mask_, 4);
  std::memcpy(head.data() + h, key, 4);
  h += 4;
  // Small frames are built on the stack and written at once; large ones go through out_.
  if (out_pos_ == out_.size() && h + len <= 512) {
    std::array<std::uint8_t, 512> frame;
    std::memcpy(frame.data(), head.data(), h);
    for (std::size_t i = 0; i < len; ++i) frame[h + i] = payload[i] ^ key[i & 3];
    write_raw(frame.data(), h + len);
    return;
  }
  const std::size_t start = out_.size();
  out_.resize(start + h + len);
  std::memcpy(out_.data() + start, head.data(), h);
  std::uint8_t* dst = out_.data() + start + h;
  for (std::size_t i = 0; i < len; ++i) dst[i] = payload[i] ^ key[i & 3];
  write_raw(nullptr, 0);
}

void ws_conn::write_raw(const std::uint8_t* data, std::size_t n) {
  if (n > 0) {
    if (out_pos_ == out_.size()) {
      boost::system::error_code e;
      const std::size_t w = sock_.write_some(asio::buffer(data, n), e);
      if (e && e != asio::error::would_block && e != asio::error::try_again)
        return fail("write: " + e.message());
      const std::size_t done = e ? 0 : w;
      if (done == n) return;
      out_.clear();
      out_pos_ = 0;
      out_.insert(out_.end(), data + done, data + n);
    } else {
      out_.insert(out_.end(), data, data + n);
    }
  } else if (!write_armed_ && out_pos_ < out_.size()) {
    boost::system::error_code e;
    const std::size_t w = sock_.write_some(asio::buffer(out_.data() + out_pos_, out_.size() - out_pos_), e);
    if (e && e != asio::error::would_block && e != asio::error::try_again)
      return fail("write: " + e.message());
    if (!e) out_pos_ += w;
  }
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
    if (out_.capacity() > 64 * 1024) crdt::bytes().swap(out_);
    return;
  }
  arm_write();
}

void ws_conn::arm_write() {
  if (write_armed_ || state_ == state::closed) return;
  write_armed_ = true;
  sock_.async_wait(tcp::socket::wait_write, [this](const boost::system::error_code& e) {
    if (e == asio::error::operation_aborted) return;
    write_armed_ = false;
    if (state_ == state::closed) return;
    if (e) return fail("wait: " + e.message());
    write_raw(nullptr, 0);
  });
}

void ws_conn::abort() {
  state_ = state::closed;
  boost::system::error_code ec;
  // Reset instead of FIN: thousands of closed connections must not leave their ports in TIME_WAIT.
  sock_.set_option(asio::socket_base::linger(true, 0), ec);
  sock_.close(ec);
}

void ws_conn::fail(std::string_view why) {
  if (state_ == state::closed) return;
  state_ = state::closed;
  boost::system::error_code ec;
  sock_.close(ec);
  handler_.on_ws_closed(*this, why);
}

}  // namespace zeal::bench::load
