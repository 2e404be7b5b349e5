#include "crdt/lib0/decoder.hpp"

#include <bit>
#include <string>

#include "crdt/lib0/error.hpp"
#include "crdt/lib0/utf.hpp"

namespace zeal::crdt::lib0 {

void decoder::fail(std::string_view message) const {
  throw decode_error(std::string(message), offset());
}

std::uint8_t decoder::read_u8() {
  if (pos_ >= data_.size()) fail("unexpected end of input");
  return data_[pos_++];
}

std::uint8_t decoder::peek_u8() const {
  if (pos_ >= data_.size()) fail("unexpected end of input");
  return data_[pos_];
}

bytes_view decoder::read_raw(std::size_t n) {
  if (n > remaining()) fail("length exceeds input");
  auto out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

bytes_view decoder::read_rest() {
  auto out = data_.subspan(pos_);
  pos_ = data_.size();
  return out;
}

std::uint64_t decoder::read_var_uint() {
  const std::size_t start = pos_;
  std::uint64_t num = 0;
  unsigned shift = 0;
  while (true) {
    if (pos_ >= data_.size()) {
      pos_ = start;
      fail("unexpected end of input in varUint");
    }
    std::uint8_t r = data_[pos_++];
    std::uint64_t payload = r & 0x7F;
    if (payload != 0) {
      // max_safe_integer has 53 bits: a payload at shift >= 53 always overflows.
      if (shift >= 53 || (payload << shift) > max_safe_integer - num) {
        pos_ = start;
        fail("varUint exceeds 2^53-1");
      }
      num += payload << shift;
    }
    if (r < 0x80) return num;
    shift += 7;
  }
}

signed_var_int decoder::read_var_int_signed(std::uint64_t max) {
  const std::size_t start = pos_;
  if (pos_ >= data_.size()) fail("unexpected end of input in varInt");
  std::uint8_t r = data_[pos_++];
  signed_var_int out;
  out.negative = (r & 0x40) != 0;
  out.magnitude = r & 0x3F;
  unsigned shift = 6;
  while (r & 0x80) {
    if (pos_ >= data_.size()) {
      pos_ = start;
      fail("unexpected end of input in varInt");
    }
    r = data_[pos_++];
    std::uint64_t payload = r & 0x7F;
    if (payload != 0) {
      if (shift >= 63 || (payload << shift) >> shift != payload || (payload << shift) > max - out.magnitude) {
        pos_ = start;
        fail(max == max_safe_integer ? "varInt exceeds 2^53-1" : "varInt out of range");
      }
      out.magnitude += payload << shift;
    }
    shift += 7;
  }
  return out;
}

std::string_view decoder::read_var_string_view() {
  const std::size_t start = pos_;
  std::uint64_t len = read_var_uint();
  if (len > remaining()) {
    pos_ = start;
    fail("string length exceeds input");
  }
  std::string_view s(reinterpret_cast<const char*>(data_.data() + pos_), static_cast<std::size_t>(len));
  if (!is_valid_utf8(s)) fail("invalid UTF-8 in string");
  pos_ += static_cast<std::size_t>(len);
  return s;
}

std::string decoder::read_var_string() {
  return std::string(read_var_string_view());
}

bytes_view decoder::read_var_bytes() {
  const std::size_t start = pos_;
  std::uint64_t len = read_var_uint();
  if (len > remaining()) {
    pos_ = start;
    fail("byte array length exceeds input");
  }
  auto out = data_.subspan(pos_, static_cast<std::size_t>(len));
  pos_ += static_cast<std::size_t>(len);
  return out;
}

float decoder::read_float32() {
  if (remaining() < 4) fail("unexpected end of input in float32");
  std::uint32_t bits = 0;
  for (int i = 0; i < 4; ++i) bits = (bits << 8) | data_[pos_++];
  return std::bit_cast<float>(bits);
}

double decoder::read_float64() {
  if (remaining() < 8) fail("unexpected end of input in float64");
  std::uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits = (bits << 8) | data_[pos_++];
  return std::bit_cast<double>(bits);
}

std::int64_t decoder::read_bigint64() {
  if (remaining() < 8) fail("unexpected end of input in bigint64");
  std::uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits = (bits << 8) | data_[pos_++];
  return static_cast<std::int64_t>(bits);
}

any decoder::read_any(int depth) {
  if (depth > max_any_depth) fail("Any nested too deeply");
  const std::size_t start = pos_;
  std::uint8_t tag = read_u8();
  switch (tag) {
    case 127:
      return undefined_t{};
    case 126:
      return null_t{};
    case 125: {
      auto v = read_var_int_signed();
      double mag = static_cast<double>(v.magnitude);
      return v.negative ? -mag : mag;
    }
    case 124:
      return static_cast<double>(read_float32());
    case 123:
      return read_float64();
    case 122:
      return bigint{read_bigint64()};
    case 121:
      return false;
    case 120:
      return true;
    case 119:
      return read_var_string();
    case 118: {
      const std::size_t len_pos = pos_;
      std::uint64_t n = read_var_uint();
      // Every entry takes at least 2 bytes (key length + value tag).
      if (n > remaining() / 2) {
        pos_ = len_pos;
        fail("object size exceeds input");
      }
      any::object entries;
      entries.reserve(static_cast<std::size_t>(n));
      for (std::uint64_t i = 0; i < n; ++i) {
        std::string key = read_var_string();
        any value = read_any(depth + 1);
        // `obj["__proto__"] = v` on a JS object literal sets the prototype instead of an own property, so
        // lib0's readAny never produces such a key: drop it to behave (and re-encode) like Yjs.
        if (key == "__proto__") continue;
        entries.emplace_back(std::move(key), std::move(value));
      }
      return any::make_object(std::move(entries));
    }
    case 117: {
      const std::size_t len_pos = pos_;
      std::uint64_t n = read_var_uint();
      if (n > remaining()) {
        pos_ = len_pos;
        fail("array size exceeds input");
      }
      any::array arr;
      arr.reserve(static_cast<std::size_t>(n));
      for (std::uint64_t i = 0; i < n; ++i) arr.push_back(read_any(depth + 1));
      return arr;
    }
    case 116: {
      auto b = read_var_bytes();
      return bytes(b.begin(), b.end());
    }
    default:
      pos_ = start;
      fail("unknown Any tag " + std::to_string(tag));
  }
}

}  // namespace zeal::crdt::lib0
