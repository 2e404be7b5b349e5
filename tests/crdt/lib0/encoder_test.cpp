#define CAF_SUITE lib0_encoder
#include <caf/test/unit_test.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "crdt/lib0/decoder.hpp"
#include "crdt/lib0/encoder.hpp"

using namespace zeal::crdt;
using namespace zeal::crdt::lib0;

namespace {

std::string hex(const bytes& b) {
  std::string out;
  char buf[4];
  for (std::size_t i = 0; i < b.size(); ++i) {
    std::snprintf(buf, sizeof buf, i ? " %02x" : "%02x", b[i]);
    out += buf;
  }
  return out;
}

std::string var_uint(std::uint64_t v) {
  encoder e;
  e.write_var_uint(v);
  return hex(e.data());
}

std::string var_int(std::int64_t v) {
  encoder e;
  e.write_var_int(v);
  return hex(e.data());
}

std::string any_hex(const any& v) {
  encoder e;
  e.write_any(v);
  return hex(e.data());
}

}  // namespace

CAF_TEST(var_uint_vectors) {
  CAF_CHECK_EQUAL(var_uint(0), "00");
  CAF_CHECK_EQUAL(var_uint(127), "7f");
  CAF_CHECK_EQUAL(var_uint(128), "80 01");
  CAF_CHECK_EQUAL(var_uint(std::uint64_t{1} << 32), "80 80 80 80 10");
  CAF_CHECK_EQUAL(var_uint(max_safe_integer), "ff ff ff ff ff ff ff 0f");
}

CAF_TEST(var_int_vectors) {
  CAF_CHECK_EQUAL(var_int(0), "00");
  CAF_CHECK_EQUAL(var_int(-1), "41");
  CAF_CHECK_EQUAL(var_int(63), "3f");
  CAF_CHECK_EQUAL(var_int(-63), "7f");
  CAF_CHECK_EQUAL(var_int(64), "80 01");
  CAF_CHECK_EQUAL(var_int(-64), "c0 01");
  CAF_CHECK_EQUAL(var_int(static_cast<std::int64_t>(max_safe_integer)), "bf ff ff ff ff ff ff 1f");
  CAF_CHECK_EQUAL(var_int(-static_cast<std::int64_t>(max_safe_integer)), "ff ff ff ff ff ff ff 1f");
  encoder e;
  e.write_var_int(0, true);
  CAF_CHECK_EQUAL(hex(e.data()), "40");
}

CAF_TEST(strings_floats_bigint) {
  encoder e;
  e.write_var_string(std::string_view("h\xc3\xa9"));
  CAF_CHECK_EQUAL(hex(e.take()), "03 68 c3 a9");
  e.write_var_string(
      std::u16string_view(u"a\xd800"
                          u"b"));  // lone surrogate → U+FFFD
  CAF_CHECK_EQUAL(hex(e.take()), "05 61 ef bf bd 62");
  e.write_var_string(std::u16string_view(u"\U0001F600"));
  CAF_CHECK_EQUAL(hex(e.take()), "04 f0 9f 98 80");
  e.write_float32(1.5f);
  CAF_CHECK_EQUAL(hex(e.take()), "3f c0 00 00");
  e.write_float64(0.1);
  CAF_CHECK_EQUAL(hex(e.take()), "3f b9 99 99 99 99 99 9a");
  e.write_bigint64(-5);
  CAF_CHECK_EQUAL(hex(e.take()), "ff ff ff ff ff ff ff fb");
  e.write_var_bytes(bytes{1, 2, 3});
  CAF_CHECK_EQUAL(hex(e.take()), "03 01 02 03");
}

// Expected bytes below were produced with lib0 (npm lib0, Node 20):
//   const e = encoding.createEncoder(); encoding.writeAny(e, VALUE); hex(encoding.toUint8Array(e))
CAF_TEST(any_number_tags_match_lib0) {
  CAF_CHECK_EQUAL(any_hex(0), "7d 00");
  CAF_CHECK_EQUAL(any_hex(-0.0), "7d 40");
  CAF_CHECK_EQUAL(any_hex(2147483647), "7d bf ff ff ff 0f");
  CAF_CHECK_EQUAL(any_hex(-2147483647), "7d ff ff ff ff 0f");
  CAF_CHECK_EQUAL(any_hex(2147483648.0), "7c 4f 00 00 00");
  CAF_CHECK_EQUAL(any_hex(-2147483648.0), "7c cf 00 00 00");
  CAF_CHECK_EQUAL(any_hex(1.5), "7c 3f c0 00 00");
  CAF_CHECK_EQUAL(any_hex(std::numeric_limits<double>::infinity()), "7c 7f 80 00 00");
  CAF_CHECK_EQUAL(any_hex(-std::numeric_limits<double>::infinity()), "7c ff 80 00 00");
  CAF_CHECK_EQUAL(any_hex(std::numeric_limits<double>::quiet_NaN()), "7b 7f f8 00 00 00 00 00 00");
  CAF_CHECK_EQUAL(any_hex(0.1), "7b 3f b9 99 99 99 99 99 9a");
  CAF_CHECK_EQUAL(any_hex(9007199254740992.0), "7c 5a 00 00 00");
  CAF_CHECK_EQUAL(any_hex(-1), "7d 41");
  CAF_CHECK_EQUAL(any_hex(64), "7d 80 01");
  CAF_CHECK_EQUAL(any_hex(1e300), "7b 7e 37 e4 3c 88 00 75 9c");  // beyond float range: float64
}

CAF_TEST(any_other_tags_match_lib0) {
  CAF_CHECK_EQUAL(any_hex("h\xc3\xa9llo\xf0\x9f\x98\x80"), "77 0a 68 c3 a9 6c 6c 6f f0 9f 98 80");
  CAF_CHECK_EQUAL(any_hex(bigint{-5}), "7a ff ff ff ff ff ff ff fb");
  CAF_CHECK_EQUAL(any_hex(any::array{1, "a", null_t{}, undefined_t{}, true, false}),
                  "75 06 7d 01 77 01 61 7e 7f 78 79");
  CAF_CHECK_EQUAL(any_hex(bytes{1, 2, 3}), "74 03 01 02 03");
  // {b: 1, 10: 2, a: 3, 2: 4, '4294967295': 5, '4294967294': 6, '01': 7}
  auto obj = any::make_object(
      {{"b", 1}, {"10", 2}, {"a", 3}, {"2", 4}, {"4294967295", 5}, {"4294967294", 6}, {"01", 7}});
  CAF_CHECK_EQUAL(
      any_hex(obj),
      "76 07 01 32 7d 04 02 31 30 7d 02 0a 34 32 39 34 39 36 37 32 39 34 7d 06 01 62 7d 01 01 61 7d "
      "03 0a 34 32 39 34 39 36 37 32 39 35 7d 05 02 30 31 7d 07");
  // {x: [{y: {}}], '': []}
  auto nested = any::make_object(
      {{"x", any::array{any::make_object({{"y", any::make_object({})}})}}, {"", any::array{}}});
  CAF_CHECK_EQUAL(any_hex(nested), "76 02 01 78 75 01 76 01 01 79 76 00 00 75 00");
}
