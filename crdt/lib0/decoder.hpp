#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crdt/lib0/any.hpp"
#include "crdt/lib0/bytes.hpp"

namespace zeal::crdt::lib0 {

/// Largest integer a JS number holds exactly; lib0 values above it are rejected.
inline constexpr std::uint64_t max_safe_integer = (std::uint64_t{1} << 53) - 1;
/// Deepest Any nesting we accept (Yjs itself overflows its stack at ~10k).
inline constexpr int max_any_depth = 1000;

/// A varInt as written: magnitude and sign kept apart so that −0 survives.
struct signed_var_int {
  std::uint64_t magnitude = 0;
  bool negative = false;
  std::int64_t value() const {
    return negative ? -static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude);
  }
};

/// lib0 decoding.js over borrowed bytes. Strict: every read past the end, every value above 2^53−1,
/// every invalid UTF-8 string and every unknown Any tag throws crdt::decode_error carrying the absolute
/// byte offset (base_offset + position). Length prefixes are checked against the remaining input before
/// anything is allocated.
class decoder {
 public:
  explicit decoder(bytes_view data, std::size_t base_offset = 0) : data_(data), base_(base_offset) {}

  bool at_end() const { return pos_ >= data_.size(); }
  std::size_t remaining() const { return data_.size() - pos_; }
  /// Absolute offset of the next byte (for error messages).
  std::size_t offset() const { return base_ + pos_; }
  std::size_t position() const { return pos_; }

  std::uint8_t read_u8();
  std::uint8_t peek_u8() const;
  /// The next `n` bytes, borrowed.
  bytes_view read_raw(std::size_t n);
  /// Everything not read yet, borrowed (the decoder is then at its end).
  bytes_view read_rest();
  std::uint64_t read_var_uint();
  std::int64_t read_var_int() { return read_var_int_signed().value(); }
  /// `max` bounds the magnitude (2^53−1 unless a caller needs one more bit, as IntDiffOptRle does).
  signed_var_int read_var_int_signed(std::uint64_t max = max_safe_integer);
  /// Validated UTF-8 (a leading BOM is kept, as lib0 does).
  std::string read_var_string();
  std::string_view read_var_string_view();
  bytes_view read_var_bytes();
  float read_float32();
  double read_float64();
  std::int64_t read_bigint64();
  any read_any(int depth = 0);

  /// Throws decode_error at the current offset.
  [[noreturn]] void fail(std::string_view message) const;

 private:
  bytes_view data_;
  std::size_t base_ = 0;
  std::size_t pos_ = 0;
};

}  // namespace zeal::crdt::lib0
