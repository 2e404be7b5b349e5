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
  /// The column bytes (the last run has no count, as in lib0). Non-destructive.
  bytes to_bytes() const;

 private:
  encoder enc_;
  std::uint8_t state_ = 0;
  std::uint64_t count_ = 0;
};

class rle_decoder {
 public:
  explicit rle_decoder(bytes_view data, std::size_t base_offset = 0) : dec_(data, base_offset) {}
  /// The last run has no count and repeats forever (as in lib0); an empty column throws.
  std::uint8_t read();

 private:
  decoder dec_;
  std::uint8_t state_ = 0;
  std::uint64_t count_ = 0;
  bool forever_ = false;
};

/// Run of 1 → varInt(v); longer → varInt(−v) (−0 included) then varUint(count−2).
class uint_opt_rle_encoder {
 public:
  void write(std::uint64_t v);
  /// The column bytes. Does not change the encoder (unlike lib0's toUint8Array, which flushes the last run
  /// into the buffer): calling it again, or writing more and calling it again, gives the right bytes.
  bytes to_bytes() const;

 private:
  void flush_into(encoder& e) const;
  encoder enc_;
  std::uint64_t state_ = 0;
  std::uint64_t count_ = 0;
};

class uint_opt_rle_decoder {
 public:
  explicit uint_opt_rle_decoder(bytes_view data, std::size_t base_offset = 0) : dec_(data, base_offset) {}
  /// Throws decode_error when the column is exhausted.
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
  /// As uint_opt_rle_encoder::to_bytes: non-destructive.
  bytes to_bytes() const;

 private:
  void flush_into(encoder& e) const;
  encoder enc_;
  std::int64_t state_ = 0;
  std::int64_t diff_ = 0;
  std::uint64_t count_ = 0;
};

class int_diff_opt_rle_decoder {
 public:
  explicit int_diff_opt_rle_decoder(bytes_view data, std::size_t base_offset = 0) : dec_(data, base_offset) {}
  /// Throws decode_error when the column is exhausted or the running value leaves ±(2^53−1).
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
  /// `utf8` must be valid UTF-8.
  void write(std::string_view utf8);
  /// write(utf16_to_utf8(utf16)) without the intermediate string (lone surrogates become U+FFFD, which
  /// keeps the UTF-16 length).
  void write_utf16(std::u16string_view utf16);
  /// varString(joined) + the length column (no length prefix). Non-destructive.
  bytes to_bytes() const;

 private:
  std::string joined_;
  uint_opt_rle_encoder lengths_;
};

class string_decoder {
 public:
  /// Reads the joined varString (validated UTF-8; throws on bad framing); the rest is the length column.
  explicit string_decoder(bytes_view data, std::size_t base_offset = 0);
  /// Next string (UTF-8); its UTF-16 length comes from the length column. Throws when the length column is
  /// exhausted or a length runs past the end of the joined string. A length that ends between the two halves
  /// of a surrogate pair yields U+FFFD for each half (UTF-16 lengths are preserved; Yjs's own
  /// ContentString.splice does the same).
  std::string read();
  /// read(), converted to UTF-16 without the intermediate UTF-8 copy.
  std::u16string read_utf16();

 private:
  struct next_string {
    std::size_t start = 0;  // byte range [start, end) of joined_
    std::size_t end = 0;
    bool lead_replacement = false;   // U+FFFD before the range (low half of a split pair)
    bool trail_replacement = false;  // U+FFFD after it (high half of a split pair)
  };
  next_string advance();
  string_decoder(decoder d, std::size_t base_offset);
  std::string joined_;         // the concatenation, UTF-8
  std::size_t pos_ = 0;        // byte position in joined_
  bool split_pair_ = false;    // the previous string ended inside the 4-byte sequence at pos_
  std::size_t joined_offset_;  // absolute offset of joined_'s first byte
  uint_opt_rle_decoder lengths_;
};

}  // namespace zeal::crdt::lib0
