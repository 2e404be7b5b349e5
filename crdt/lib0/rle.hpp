#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/lib0/bytes.hpp"
#include "crdt/lib0/decoder.hpp"
#include "crdt/lib0/encoder.hpp"

namespace zeal::crdt::lib0 {

// lib0's v2 column encoders (encoding.js RleEncoder, UintOptRleEncoder, IntDiffOptRleEncoder,
// StringEncoder) and their decoders. Decoders are strict: reading from an exhausted column throws
// decode_error (lib0 would silently return 0/undefined).

/// Run-length encoding of bytes: value, then varUint(count−1) when a different value follows.
class rle_encoder {
 public:
  void write(std::uint8_t v);
  bytes to_bytes() const;

 private:
  mutable encoder enc_;
  std::uint8_t state_ = 0;
  std::uint64_t count_ = 0;
};

class rle_decoder {
 public:
  explicit rle_decoder(bytes_view data, std::size_t base_offset = 0) : dec_(data, base_offset) {}
  std::uint8_t read();

 private:
  decoder dec_;
  std::uint8_t state_ = 0;
  std::uint64_t count_ = 0;
};

/// Run of 1 → varInt(v); longer → varInt(−v) (−0 included) then varUint(count−2).
class uint_opt_rle_encoder {
 public:
  void write(std::uint64_t v);
  bytes to_bytes() const;

 private:
  void flush() const;
  mutable encoder enc_;
  std::uint64_t state_ = 0;
  mutable std::uint64_t count_ = 0;
};

class uint_opt_rle_decoder {
 public:
  explicit uint_opt_rle_decoder(bytes_view data, std::size_t base_offset = 0) : dec_(data, base_offset) {}
  std::uint64_t read();

 private:
  decoder dec_;
  std::uint64_t state_ = 0;
  std::uint64_t count_ = 0;
};

/// Running sum s, diff d; each run varInt(d·2 + (count>1)) then varUint(count−2) if count>1.
class int_diff_opt_rle_encoder {
 public:
  void write(std::int64_t v);
  bytes to_bytes() const;

 private:
  void flush() const;
  mutable encoder enc_;
  std::int64_t state_ = 0;
  std::int64_t diff_ = 0;
  mutable std::uint64_t count_ = 0;
};

class int_diff_opt_rle_decoder {
 public:
  explicit int_diff_opt_rle_decoder(bytes_view data, std::size_t base_offset = 0) : dec_(data, base_offset) {}
  std::int64_t read();

 private:
  decoder dec_;
  std::int64_t state_ = 0;
  std::int64_t diff_ = 0;
  std::uint64_t count_ = 0;
};

/// All strings concatenated into one varString, then a UintOptRle column of their UTF-16 lengths.
class string_encoder {
 public:
  void write(std::string_view utf8);
  bytes to_bytes() const;

 private:
  std::string joined_;
  uint_opt_rle_encoder lengths_;
};

class string_decoder {
 public:
  explicit string_decoder(bytes_view data, std::size_t base_offset = 0);
  /// Next string (UTF-8); its UTF-16 length comes from the length column.
  std::string read();

 private:
  std::string joined_;        // the concatenation, UTF-8
  std::size_t pos_ = 0;       // byte position in joined_
  uint_opt_rle_decoder lengths_;
  std::size_t base_ = 0;
};

}  // namespace zeal::crdt::lib0
