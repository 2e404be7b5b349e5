#define CAF_SUITE lib0_decoder
#include <caf/test/unit_test.hpp>

#include <cmath>
#include <functional>
#include <initializer_list>
#include <limits>
#include <string>

#include "crdt/lib0/decoder.hpp"
#include "crdt/lib0/encoder.hpp"
#include "crdt/lib0/error.hpp"

using namespace zeal::crdt;
using namespace zeal::crdt::lib0;

namespace {

bytes B(std::initializer_list<int> l) {
  bytes out;
  for (int v : l) out.push_back(static_cast<std::uint8_t>(v));
  return out;
}

/// Runs `f` on a decoder over `data`; returns the decode_error offset, or SIZE_MAX if nothing was thrown.
std::size_t error_offset(const bytes& data, const std::function<void(decoder&)>& f, std::size_t base = 0) {
  decoder d(data, base);
  try {
    f(d);
  } catch (const decode_error& e) {
    CAF_MESSAGE("error: " << e.err().to_string());
    return e.err().offset;
  }
  return SIZE_MAX;
}

any round_trip(const any& v) {
  encoder e;
  e.write_any(v);
  decoder d(e.data());
  auto out = d.read_any();
  CAF_CHECK(d.at_end());
  return out;
}

}  // namespace

CAF_TEST(var_uint) {
  auto data = B({0x00, 0x7f, 0x80, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                 0xff, 0x0f, 0x80, 0x00});
  decoder d(data);
  CAF_CHECK_EQUAL(d.read_var_uint(), 0u);
  CAF_CHECK_EQUAL(d.read_var_uint(), 127u);
  CAF_CHECK_EQUAL(d.read_var_uint(), 128u);
  CAF_CHECK_EQUAL(d.read_var_uint(), std::uint64_t{1} << 32);
  CAF_CHECK_EQUAL(d.read_var_uint(), max_safe_integer);
  CAF_CHECK_EQUAL(d.read_var_uint(), 0u);  // non-canonical, accepted like lib0
  CAF_CHECK(d.at_end());
}

CAF_TEST(var_uint_malformed) {
  auto rd = [](decoder& d) { d.read_var_uint(); };
  CAF_CHECK_EQUAL(error_offset(B({}), rd), 0u);
  CAF_CHECK_EQUAL(error_offset(B({0x80}), rd), 0u);
  CAF_CHECK_EQUAL(error_offset(B({0x01, 0x80, 0x80}), [](decoder& d) { d.read_u8(), d.read_var_uint(); }),
                  1u);
  // 2^53: last byte pushes past the limit.
  CAF_CHECK_EQUAL(error_offset(B({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10}), rd), 0u);
  CAF_CHECK_EQUAL(error_offset(B({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}), rd), 0u);
  CAF_CHECK_EQUAL(error_offset(B({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}), rd), 0u);
  // base offset is added
  CAF_CHECK_EQUAL(error_offset(B({0x80}), rd, 100), 100u);
}

CAF_TEST(var_int) {
  auto data = B({0x41, 0x80, 0x01, 0xc0, 0x01, 0x40, 0x00, 0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f});
  decoder d(data);
  CAF_CHECK_EQUAL(d.read_var_int(), -1);
  CAF_CHECK_EQUAL(d.read_var_int(), 64);
  CAF_CHECK_EQUAL(d.read_var_int(), -64);
  auto z = d.read_var_int_signed();
  CAF_CHECK(z.negative);
  CAF_CHECK_EQUAL(z.magnitude, 0u);
  z = d.read_var_int_signed();
  CAF_CHECK(!z.negative);
  CAF_CHECK_EQUAL(d.read_var_int(), static_cast<std::int64_t>(max_safe_integer));
  CAF_CHECK(d.at_end());
  auto rd = [](decoder& d) { d.read_var_int(); };
  CAF_CHECK_EQUAL(error_offset(B({}), rd), 0u);
  CAF_CHECK_EQUAL(error_offset(B({0xc0}), rd), 0u);
  CAF_CHECK_EQUAL(error_offset(B({0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x20}), rd), 0u);  // 2^53
}

CAF_TEST(round_trip_ints) {
  encoder e;
  std::uint64_t x = 1;
  for (int i = 0; i < 200; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    std::uint64_t v = (x >> 11) >> (i % 53);
    e.write_var_uint(v);
    e.write_var_int(static_cast<std::int64_t>(v) * ((i & 1) ? -1 : 1));
  }
  decoder d(e.data());
  x = 1;
  for (int i = 0; i < 200; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    std::uint64_t v = (x >> 11) >> (i % 53);
    CAF_CHECK_EQUAL(d.read_var_uint(), v);
    CAF_CHECK_EQUAL(d.read_var_int(), static_cast<std::int64_t>(v) * ((i & 1) ? -1 : 1));
  }
  CAF_CHECK(d.at_end());
}

CAF_TEST(strings) {
  auto data = B({0x03, 0x68, 0xc3, 0xa9, 0x03, 0xef, 0xbb, 0xbf});
  decoder d(data);
  CAF_CHECK_EQUAL(d.read_var_string(), "h\xc3\xa9");
  CAF_CHECK_EQUAL(d.read_var_string(), "\xef\xbb\xbf");  // BOM kept
  CAF_CHECK(d.at_end());
  auto rd = [](decoder& d) { d.read_var_string(); };
  CAF_CHECK_EQUAL(error_offset(B({0x05, 0x61}), rd), 0u);                    // length past end
  CAF_CHECK_EQUAL(error_offset(B({0x01, 0x80}), rd), 1u);                    // stray continuation
  CAF_CHECK_EQUAL(error_offset(B({0x02, 0xc0, 0x80}), rd), 1u);              // overlong
  CAF_CHECK_EQUAL(error_offset(B({0x03, 0xed, 0xa0, 0x80}), rd), 1u);        // surrogate
  CAF_CHECK_EQUAL(error_offset(B({0x04, 0xf4, 0x90, 0x80, 0x80}), rd), 1u);  // > U+10FFFF
  CAF_CHECK_EQUAL(error_offset(B({0x02, 0xe2, 0x82}), rd), 1u);              // truncated sequence
  CAF_CHECK_EQUAL(error_offset(B({0x04, 0x01, 0x02}), [](decoder& d) { d.read_var_bytes(); }), 0u);
}

CAF_TEST(floats_and_raw) {
  auto data = B({0x3f, 0xc0, 0x00, 0x00, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99,
                 0x9a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfb, 0x01, 0x02});
  decoder d(data);
  CAF_CHECK_EQUAL(d.read_float32(), 1.5f);
  CAF_CHECK(d.read_float64() == 0.1);
  CAF_CHECK_EQUAL(d.read_bigint64(), -5);
  CAF_CHECK_EQUAL(d.peek_u8(), 1u);
  CAF_CHECK_EQUAL(d.remaining(), 2u);
  CAF_CHECK_EQUAL(d.read_rest().size(), 2u);
  CAF_CHECK(d.at_end());
  CAF_CHECK_EQUAL(error_offset(B({1, 2, 3}), [](decoder& d) { d.read_float32(); }), 0u);
  CAF_CHECK_EQUAL(error_offset(B({1, 2, 3, 4, 5, 6, 7}), [](decoder& d) { d.read_float64(); }), 0u);
  CAF_CHECK_EQUAL(error_offset(B({1, 2}), [](decoder& d) { d.read_raw(3); }), 0u);
  CAF_CHECK_EQUAL(error_offset(B({}), [](decoder& d) { d.peek_u8(); }), 0u);
}

CAF_TEST(any_round_trip) {
  auto v =
      any::make_object({{"b", 1},
                        {"10", 2.5},
                        {"s", "x\xf0\x9f\x98\x80"},
                        {"arr", any::array{null_t{}, undefined_t{}, true, false, bigint{-7}, bytes{9, 8}}},
                        {"o", any::make_object({{"k", -0.0}})}});
  CAF_CHECK(round_trip(v) == v);
  auto z = round_trip(-0.0);
  CAF_CHECK(std::signbit(z.as_number()));
  CAF_CHECK(std::isnan(round_trip(std::numeric_limits<double>::quiet_NaN()).as_number()));
  CAF_CHECK(round_trip(1e300).as_number() == 1e300);
  CAF_CHECK(round_trip(-2147483648.0).as_number() == -2147483648.0);
}

// Byte strings built with lib0's encoder (Node 20); results checked against lib0's readAny.
CAF_TEST(any_object_key_order_and_duplicates) {
  // {a:1, __proto__:{z:1}, b:2} written key by key: lib0 readAny yields {a:1, b:2}.
  auto proto = B({0x76, 0x03, 0x01, 0x61, 0x7d, 0x01, 0x09, 0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74,
                  0x6f, 0x5f, 0x5f, 0x76, 0x01, 0x01, 0x7a, 0x7d, 0x01, 0x01, 0x62, 0x7d, 0x02});
  decoder d(proto);
  CAF_CHECK(d.read_any() == any::make_object({{"a", 1}, {"b", 2}}));
  // keys a, b, a → {a:3, b:2} (first position, last value)
  auto dup = B({0x76, 0x03, 0x01, 0x61, 0x7d, 0x01, 0x01, 0x62, 0x7d, 0x02, 0x01, 0x61, 0x7d, 0x03});
  decoder d2(dup);
  auto o = d2.read_any();
  CAF_REQUIRE(o.is_object());
  CAF_REQUIRE_EQUAL(o.as_object().size(), 2u);
  CAF_CHECK_EQUAL(o.as_object()[0].first, "a");
  CAF_CHECK(o.as_object()[0].second == any(3));
  // keys "x", "5", "1" → order 1, 5, x
  auto ord = B({0x76, 0x03, 0x01, 0x78, 0x7e, 0x01, 0x35, 0x7e, 0x01, 0x31, 0x7e});
  decoder d3(ord);
  o = d3.read_any();
  CAF_REQUIRE_EQUAL(o.as_object().size(), 3u);
  CAF_CHECK_EQUAL(o.as_object()[0].first, "1");
  CAF_CHECK_EQUAL(o.as_object()[1].first, "5");
  CAF_CHECK_EQUAL(o.as_object()[2].first, "x");
}

CAF_TEST(any_malformed) {
  auto rd = [](decoder& d) { d.read_any(); };
  CAF_CHECK_EQUAL(error_offset(B({}), rd), 0u);
  CAF_CHECK_EQUAL(error_offset(B({0x73}), rd), 0u);                          // unknown tag 115
  CAF_CHECK_EQUAL(error_offset(B({0x80}), rd), 0u);                          // unknown tag 128
  CAF_CHECK_EQUAL(error_offset(B({0x75, 0x02, 0x7e, 0x10}), rd), 3u);        // unknown nested tag
  CAF_CHECK_EQUAL(error_offset(B({0x75, 0xff, 0xff, 0xff, 0x0f}), rd), 1u);  // huge count, no allocation
  CAF_CHECK_EQUAL(error_offset(B({0x76, 0x05, 0x01, 0x61, 0x7e}), rd), 1u);
  CAF_CHECK_EQUAL(error_offset(B({0x75, 0x02, 0x7d, 0x80}), rd), 3u);  // truncated varInt
  CAF_CHECK_EQUAL(error_offset(B({0x7b, 0x00}), rd), 1u);
  CAF_CHECK_EQUAL(error_offset(B({0x77, 0x01, 0xff}), rd), 2u);
  // too deep: nested one-element arrays
  auto deep = [](int n) {
    bytes b;
    for (int i = 0; i < n; ++i) b.insert(b.end(), {0x75, 0x01});
    b.push_back(0x7e);
    return b;
  };
  CAF_CHECK_EQUAL(error_offset(deep(max_any_depth), rd), SIZE_MAX);
  CAF_CHECK_EQUAL(error_offset(deep(max_any_depth + 1), rd), 2u * (max_any_depth + 1));
  CAF_CHECK_EQUAL(error_offset(deep(100000), rd), 2u * (max_any_depth + 1));
}

// Seeded garbage: every read either succeeds or throws decode_error within the input; never crashes (the
// ASan build checks memory safety) and never reads past the end.
CAF_TEST(garbage_input_never_crashes) {
  std::uint64_t s = 7;
  auto next = [&] {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint8_t>(s >> 56);
  };
  std::size_t errors = 0;
  std::size_t values = 0;
  for (int round = 0; round < 3000; ++round) {
    bytes data(1 + round % 40);
    for (auto& b : data) b = next();
    // Bias toward Any tags so that nested values get exercised.
    data[0] = static_cast<std::uint8_t>(116 + data[0] % 12);
    decoder d(data);
    try {
      while (!d.at_end()) {
        d.read_any();
        ++values;
      }
    } catch (const decode_error& e) {
      ++errors;
      CAF_CHECK(e.err().offset <= data.size());
    }
    CAF_CHECK(d.position() <= data.size());
  }
  CAF_MESSAGE(values << " values, " << errors << " errors");
  CAF_CHECK(errors > 0);
  CAF_CHECK(values > 0);
}
