#include "crdt/lib0/encoder.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "crdt/lib0/utf.hpp"

namespace zeal::crdt::lib0 {

void encoder::write_var_uint(std::uint64_t v) {
  while (v > 0x7F) {
    buf_.push_back(static_cast<std::uint8_t>(0x80 | (v & 0x7F)));
    v >>= 7;
  }
  buf_.push_back(static_cast<std::uint8_t>(v));
}

void encoder::write_var_int(std::int64_t v) {
  bool negative = v < 0;
  std::uint64_t magnitude = negative ? (~static_cast<std::uint64_t>(v) + 1) : static_cast<std::uint64_t>(v);
  write_var_int(magnitude, negative);
}

void encoder::write_var_int(std::uint64_t magnitude, bool negative) {
  buf_.push_back(
      static_cast<std::uint8_t>((magnitude > 0x3F ? 0x80 : 0) | (negative ? 0x40 : 0) | (magnitude & 0x3F)));
  magnitude >>= 6;
  while (magnitude > 0) {
    buf_.push_back(static_cast<std::uint8_t>((magnitude > 0x7F ? 0x80 : 0) | (magnitude & 0x7F)));
    magnitude >>= 7;
  }
}

void encoder::write_var_string(std::string_view utf8) {
  write_var_uint(utf8.size());
  buf_.insert(buf_.end(), utf8.begin(), utf8.end());
}

void encoder::write_var_string(std::u16string_view utf16) {
  write_var_string(utf16_to_utf8(utf16));
}

void encoder::write_var_bytes(bytes_view data) {
  write_var_uint(data.size());
  write_raw(data);
}

void encoder::write_float32(float v) {
  auto bits = std::bit_cast<std::uint32_t>(v);
  for (int shift = 24; shift >= 0; shift -= 8) buf_.push_back(static_cast<std::uint8_t>(bits >> shift));
}

void encoder::write_float64(double v) {
  auto bits = std::bit_cast<std::uint64_t>(v);
  for (int shift = 56; shift >= 0; shift -= 8) buf_.push_back(static_cast<std::uint8_t>(bits >> shift));
}

void encoder::write_bigint64(std::int64_t v) {
  auto bits = static_cast<std::uint64_t>(v);
  for (int shift = 56; shift >= 0; shift -= 8) buf_.push_back(static_cast<std::uint8_t>(bits >> shift));
}

namespace {

/// lib0 isFloat32: the value survives a round trip through float32 (NaN never does, ±Infinity does).
bool is_float32(double d) {
  if (std::isnan(d)) return false;
  if (std::isinf(d)) return true;
  if (std::fabs(d) > static_cast<double>(std::numeric_limits<float>::max())) return false;  // avoid UB cast
  return static_cast<double>(static_cast<float>(d)) == d;
}

}  // namespace

void encoder::write_any(const any& v) {
  const auto& value = v.value();
  switch (value.index()) {
    case 0:  // undefined
      write_u8(127);
      break;
    case 1:  // null
      write_u8(126);
      break;
    case 2:  // bool
      write_u8(std::get<bool>(value) ? 120 : 121);
      break;
    case 3: {  // number
      double d = std::get<double>(value);
      if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) <= 2147483647.0) {
        write_u8(125);
        write_var_int(static_cast<std::uint64_t>(std::fabs(d)), std::signbit(d));
      } else if (is_float32(d)) {
        write_u8(124);
        write_float32(static_cast<float>(d));
      } else {
        write_u8(123);
        // JS DataView writes the canonical quiet NaN.
        write_float64(std::isnan(d) ? std::numeric_limits<double>::quiet_NaN() : d);
      }
      break;
    }
    case 4:  // string
      write_u8(119);
      write_var_string(std::get<std::string>(value));
      break;
    case 5:  // bytes
      write_u8(116);
      write_var_bytes(std::get<bytes>(value));
      break;
    case 6:  // bigint
      write_u8(122);
      write_bigint64(std::get<bigint>(value).value);
      break;
    case 7: {  // array
      const auto& arr = std::get<any::array>(value);
      write_u8(117);
      write_var_uint(arr.size());
      for (const auto& e : arr) write_any(e);
      break;
    }
    case 8: {  // object
      const auto& obj = std::get<any::object>(value);
      write_u8(118);
      write_var_uint(obj.size());
      for (const auto& [k, e] : obj) {
        write_var_string(k);
        write_any(e);
      }
      break;
    }
    default:
      break;
  }
}

}  // namespace zeal::crdt::lib0
