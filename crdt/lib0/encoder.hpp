#pragma once

#include <cstdint>
#include <string_view>

#include "crdt/lib0/any.hpp"
#include "crdt/lib0/bytes.hpp"

namespace zeal::crdt::lib0 {

/// lib0 encoding.js: an append-only byte buffer with the lib0 primitive writers.
class encoder {
 public:
  void write_u8(std::uint8_t v) { buf_.push_back(v); }
  void write_raw(bytes_view data) { buf_.insert(buf_.end(), data.begin(), data.end()); }
  /// 7 bits per byte, least significant group first.
  void write_var_uint(std::uint64_t v);
  /// Sign-magnitude varInt (not zigzag).
  void write_var_int(std::int64_t v);
  /// Sign-magnitude varInt with an explicit sign, so that −0 (`40`) can be written.
  void write_var_int(std::uint64_t magnitude, bool negative);
  /// varUint byte length + UTF-8 bytes (`utf8` must be valid UTF-8).
  void write_var_string(std::string_view utf8);
  /// Converts UTF-16 to UTF-8; lone surrogates become U+FFFD (as JS TextEncoder does).
  void write_var_string(std::u16string_view utf16);
  /// varUint length + bytes.
  void write_var_bytes(bytes_view data);
  /// IEEE-754 big-endian.
  void write_float32(float v);
  void write_float64(double v);
  /// int64 big-endian.
  void write_bigint64(std::int64_t v);
  /// lib0 writeAny: tag byte + payload, Yjs's number-tag choice.
  void write_any(const any& v);

  std::size_t size() const { return buf_.size(); }
  bool empty() const { return buf_.empty(); }
  const bytes& data() const { return buf_; }
  bytes take() { return std::move(buf_); }
  void clear() { buf_.clear(); }

 private:
  bytes buf_;
};

}  // namespace zeal::crdt::lib0
