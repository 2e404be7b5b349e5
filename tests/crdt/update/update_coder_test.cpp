#define CAF_SUITE update_coder
#include <caf/test/unit_test.hpp>

#include <cmath>
#include <functional>
#include <string>

#include "crdt/lib0/error.hpp"
#include "crdt/update/update_decoder.hpp"
#include "crdt/update/update_decoder_v1.hpp"
#include "crdt/update/update_decoder_v2.hpp"
#include "crdt/update/update_encoder.hpp"
#include "crdt/update/update_encoder_v1.hpp"
#include "crdt/update/update_encoder_v2.hpp"

using namespace zeal::crdt;
using lib0::any;

namespace {

std::string hex(bytes_view b) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (auto c : b) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

bytes unhex(std::string_view s) {
  bytes out;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(s.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::size_t error_offset(const std::function<void()>& f) {
  try {
    f();
  } catch (const decode_error& e) {
    CAF_MESSAGE("error: " << e.err().to_string());
    return e.err().offset;
  }
  return SIZE_MAX;
}

// The same call sequence was run through Yjs 13.6's UpdateEncoderV1/V2 (Node 20) to get the fixtures:
//   const r = e.restEncoder; encoding.writeVarUint(r, 1); ... ; hex(e.toUint8Array())
// It touches every encoder method: struct headers, String/Deleted-like items with origins, a Format item
// (parentSub, key, JSON value), Type items with keys (the repeated "bold" is written twice, as Yjs does),
// Any, Binary, GC, Skip, Embed and a two-client delete set.
void write_sequence(update_encoder& e) {
  auto& r = e.rest();
  r.write_var_uint(1);
  r.write_var_uint(11);
  e.write_client(7);
  r.write_var_uint(0);
  e.write_info(4);
  e.write_parent_info(true);
  e.write_string("root");
  e.write_string("ab\xf0\x9f\x98\x80");
  e.write_info(0x84);
  e.write_left_id({7, 3});
  e.write_string("c");
  e.write_info(0xc4);
  e.write_left_id({7, 0});
  e.write_right_id({7, 3});
  e.write_string("X");
  e.write_info(0x26);
  e.write_parent_info(false);
  e.write_left_id({7, 1});
  e.write_string("sub");
  e.write_key("bold");
  e.write_json(true);
  e.write_info(7);
  e.write_parent_info(true);
  e.write_string("x");
  e.write_type_ref(3);
  e.write_key("p");
  e.write_info(0x87);
  e.write_left_id({7, 9});
  e.write_type_ref(3);
  e.write_key("bold");
  e.write_info(0x88);
  e.write_left_id({7, 10});
  e.write_len(2);
  e.write_any(any::make_object({{"b", 1}, {"a", -0.0}}));
  e.write_any(any::array{1.5, "\xc3\xa9"});
  e.write_info(0x83);
  e.write_left_id({7, 12});
  e.write_buf(bytes{1, 2, 3});
  e.write_info(0);
  e.write_len(5);
  e.write_info(10);
  r.write_var_uint(4);
  e.write_info(0x85);
  e.write_left_id({7, 22});
  e.write_json(any::make_object({{"x", 1e21}, {"y", any::array{lib0::null_t{}}}}));
  r.write_var_uint(2);
  r.write_var_uint(7);
  r.write_var_uint(2);
  e.reset_ds_cur_val();
  e.write_ds_clock(1);
  e.write_ds_len(1);
  e.write_ds_clock(5);
  e.write_ds_len(3);
  r.write_var_uint(3);
  r.write_var_uint(1);
  e.reset_ds_cur_val();
  e.write_ds_clock(0);
  e.write_ds_len(1);
}

void read_sequence(update_decoder& d) {
  auto& r = d.rest();
  CAF_CHECK_EQUAL(r.read_var_uint(), 1u);
  CAF_CHECK_EQUAL(r.read_var_uint(), 11u);
  CAF_CHECK_EQUAL(d.read_client(), 7u);
  CAF_CHECK_EQUAL(r.read_var_uint(), 0u);
  CAF_CHECK_EQUAL(d.read_info(), 4u);
  CAF_CHECK(d.read_parent_info());
  CAF_CHECK_EQUAL(d.read_string(), "root");
  CAF_CHECK_EQUAL(d.read_string(), "ab\xf0\x9f\x98\x80");
  CAF_CHECK_EQUAL(d.read_info(), 0x84u);
  CAF_CHECK(d.read_left_id() == (id{7, 3}));
  CAF_CHECK_EQUAL(d.read_string(), "c");
  CAF_CHECK_EQUAL(d.read_info(), 0xc4u);
  CAF_CHECK(d.read_left_id() == (id{7, 0}));
  CAF_CHECK(d.read_right_id() == (id{7, 3}));
  CAF_CHECK_EQUAL(d.read_string(), "X");
  CAF_CHECK_EQUAL(d.read_info(), 0x26u);
  CAF_CHECK(!d.read_parent_info());
  CAF_CHECK(d.read_left_id() == (id{7, 1}));
  CAF_CHECK_EQUAL(d.read_string(), "sub");
  CAF_CHECK_EQUAL(d.read_key(), "bold");
  CAF_CHECK(d.read_json() == any(true));
  CAF_CHECK_EQUAL(d.read_info(), 7u);
  CAF_CHECK(d.read_parent_info());
  CAF_CHECK_EQUAL(d.read_string(), "x");
  CAF_CHECK_EQUAL(d.read_type_ref(), 3u);
  CAF_CHECK_EQUAL(d.read_key(), "p");
  CAF_CHECK_EQUAL(d.read_info(), 0x87u);
  CAF_CHECK(d.read_left_id() == (id{7, 9}));
  CAF_CHECK_EQUAL(d.read_type_ref(), 3u);
  CAF_CHECK_EQUAL(d.read_key(), "bold");
  CAF_CHECK_EQUAL(d.read_info(), 0x88u);
  CAF_CHECK(d.read_left_id() == (id{7, 10}));
  CAF_CHECK_EQUAL(d.read_len(), 2u);
  auto obj = d.read_any();
  CAF_CHECK(obj == any::make_object({{"b", 1}, {"a", -0.0}}));
  CAF_CHECK(obj.find("a") && std::signbit(obj.find("a")->as_number()));
  CAF_CHECK(d.read_any() == any(any::array{1.5, "\xc3\xa9"}));
  CAF_CHECK_EQUAL(d.read_info(), 0x83u);
  CAF_CHECK(d.read_left_id() == (id{7, 12}));
  CAF_CHECK(d.read_buf() == (bytes{1, 2, 3}));
  CAF_CHECK_EQUAL(d.read_info(), 0u);
  CAF_CHECK_EQUAL(d.read_len(), 5u);
  CAF_CHECK_EQUAL(d.read_info(), 10u);
  CAF_CHECK_EQUAL(r.read_var_uint(), 4u);
  CAF_CHECK_EQUAL(d.read_info(), 0x85u);
  CAF_CHECK(d.read_left_id() == (id{7, 22}));
  CAF_CHECK(d.read_json() == any::make_object({{"x", 1e21}, {"y", any::array{lib0::null_t{}}}}));
  CAF_CHECK_EQUAL(r.read_var_uint(), 2u);
  CAF_CHECK_EQUAL(r.read_var_uint(), 7u);
  CAF_CHECK_EQUAL(r.read_var_uint(), 2u);
  d.reset_ds_cur_val();
  CAF_CHECK_EQUAL(d.read_ds_clock(), 1u);
  CAF_CHECK_EQUAL(d.read_ds_len(), 1u);
  CAF_CHECK_EQUAL(d.read_ds_clock(), 5u);
  CAF_CHECK_EQUAL(d.read_ds_len(), 3u);
  CAF_CHECK_EQUAL(r.read_var_uint(), 3u);
  CAF_CHECK_EQUAL(r.read_var_uint(), 1u);
  d.reset_ds_cur_val();
  CAF_CHECK_EQUAL(d.read_ds_clock(), 0u);
  CAF_CHECK_EQUAL(d.read_ds_len(), 1u);
  CAF_CHECK(r.at_end());
}

constexpr std::string_view yjs_v1 =
    "010b0700040104726f6f74066162f09f98808407030163c4070007030158260007010373756204626f6c640474727565070101"
    "780301708707090304626f6c6488070a02760201627d0101617d4075027c3fc000007702c3a983070c0301020300050a048507"
    "16167b2278223a31652b32312c2279223a5b6e756c6c5d7d0207020101050303010001";
constexpr std::string_view yjs_v2 =
    "0003000300024707070646021002041401061504008400c4002600070087008800830000000a00852319726f6f746162f09f98"
    "806358737562626f6c647870626f6c64440041000304410004050100000001024300020205010b0078760201627d0101617d40"
    "75027c3fc000007702c3a90301020304760201787b444b1ae4d6e2ef50017975017e0207020100030203010000";

}  // namespace

CAF_TEST(v1_matches_yjs) {
  auto e = make_update_encoder(update_format::v1);
  CAF_CHECK(e->format() == update_format::v1);
  write_sequence(*e);
  auto b = e->to_bytes();
  CAF_CHECK_EQUAL(hex(b), yjs_v1);
  CAF_CHECK(e->to_bytes() == b);
  auto d = make_update_decoder(b, update_format::v1);
  CAF_CHECK(d->format() == update_format::v1);
  read_sequence(*d);
}

CAF_TEST(v2_matches_yjs) {
  auto e = make_update_encoder(update_format::v2);
  CAF_CHECK(e->format() == update_format::v2);
  write_sequence(*e);
  auto b = e->to_bytes();
  CAF_CHECK_EQUAL(hex(b), yjs_v2);
  CAF_CHECK(e->to_bytes() == b);  // non-destructive
  auto d = make_update_decoder(b, update_format::v2);
  CAF_CHECK(d->format() == update_format::v2);
  read_sequence(*d);
}

CAF_TEST(empty_encoders) {
  CAF_CHECK_EQUAL(hex(update_encoder_v1().to_bytes()), "");
  // Yjs: hex(new UpdateEncoderV2().toUint8Array()); the string column of an empty StringEncoder is `00`.
  CAF_CHECK_EQUAL(hex(update_encoder_v2().to_bytes()), "0000000000000100000000");
  update_encoder_v2 e;
  e.rest().write_var_uint(0);
  e.rest().write_var_uint(0);
  CAF_CHECK_EQUAL(hex(e.to_bytes()), "00000000000001000000000000");  // empty v2 update
  auto empty = e.to_bytes();
  update_decoder_v2 d(empty);  // decoders borrow: keep the bytes alive
  CAF_CHECK_EQUAL(d.rest().read_var_uint(), 0u);
  CAF_CHECK_EQUAL(d.rest().read_var_uint(), 0u);
  CAF_CHECK(d.rest().at_end());
}

// Y.encodeStateAsUpdateV2 of the yjs-format.md worked example (client 1 types "abc", inserts X at 1,
// deletes "b"), read field by field as Yjs's readClientsStructRefs / readDeleteSet would.
CAF_TEST(v2_worked_example) {
  auto b = unhex("000002410303000242010207040081008400c4070474616358410201010001010104000101010100");
  update_decoder_v2 d(b);
  auto& r = d.rest();
  CAF_CHECK_EQUAL(r.read_var_uint(), 1u);  // clients
  CAF_CHECK_EQUAL(r.read_var_uint(), 4u);  // structs
  CAF_CHECK_EQUAL(d.read_client(), 1u);
  CAF_CHECK_EQUAL(r.read_var_uint(), 0u);  // first clock
  CAF_CHECK_EQUAL(d.read_info(), 4u);
  CAF_CHECK(d.read_parent_info());
  CAF_CHECK_EQUAL(d.read_string(), "t");
  CAF_CHECK_EQUAL(d.read_string(), "a");
  CAF_CHECK_EQUAL(d.read_info(), 0x81u);
  CAF_CHECK(d.read_left_id() == (id{1, 0}));
  CAF_CHECK_EQUAL(d.read_len(), 1u);
  CAF_CHECK_EQUAL(d.read_info(), 0x84u);
  CAF_CHECK(d.read_left_id() == (id{1, 1}));
  CAF_CHECK_EQUAL(d.read_string(), "c");
  CAF_CHECK_EQUAL(d.read_info(), 0xc4u);
  CAF_CHECK(d.read_left_id() == (id{1, 0}));
  CAF_CHECK(d.read_right_id() == (id{1, 1}));
  CAF_CHECK_EQUAL(d.read_string(), "X");
  CAF_CHECK_EQUAL(r.read_var_uint(), 1u);  // delete set: clients
  d.reset_ds_cur_val();
  CAF_CHECK_EQUAL(r.read_var_uint(), 1u);  // client
  CAF_CHECK_EQUAL(r.read_var_uint(), 1u);  // ranges
  CAF_CHECK_EQUAL(d.read_ds_clock(), 1u);
  CAF_CHECK_EQUAL(d.read_ds_len(), 1u);
  CAF_CHECK(r.at_end());
  // the same update written through our encoder
  update_encoder_v2 e;
  e.rest().write_var_uint(1);
  e.rest().write_var_uint(4);
  e.write_client(1);
  e.rest().write_var_uint(0);
  e.write_info(4);
  e.write_parent_info(true);
  e.write_string("t");
  e.write_string("a");
  e.write_info(0x81);
  e.write_left_id({1, 0});
  e.write_len(1);
  e.write_info(0x84);
  e.write_left_id({1, 1});
  e.write_string("c");
  e.write_info(0xc4);
  e.write_left_id({1, 0});
  e.write_right_id({1, 1});
  e.write_string("X");
  e.rest().write_var_uint(1);
  e.reset_ds_cur_val();
  e.rest().write_var_uint(1);
  e.rest().write_var_uint(1);
  e.write_ds_clock(1);
  e.write_ds_len(1);
  CAF_CHECK(e.to_bytes() == b);
}

CAF_TEST(v2_key_back_references) {
  // Yjs never writes back-references, but its decoder accepts them: keyClock column 0, 1, 0 (diffs 0,1,-1)
  // with two strings "k0", "k1" in the string column.
  auto keys = lib0::int_diff_opt_rle_encoder{};
  keys.write(0);
  keys.write(1);
  keys.write(0);
  lib0::string_encoder strings;
  strings.write("k0");
  strings.write("k1");
  lib0::encoder e;
  e.write_var_uint(0);
  e.write_var_bytes(keys.to_bytes());
  for (int i = 0; i < 4; ++i) e.write_var_bytes(bytes{});
  e.write_var_bytes(strings.to_bytes());
  for (int i = 0; i < 3; ++i) e.write_var_bytes(bytes{});
  auto b = e.take();
  update_decoder_v2 d(b);
  CAF_CHECK_EQUAL(d.read_key(), "k0");
  CAF_CHECK_EQUAL(d.read_key(), "k1");
  CAF_CHECK_EQUAL(d.read_key(), "k0");
  CAF_CHECK(error_offset([&] { d.read_key(); }) != SIZE_MAX);  // keyClock column exhausted
}

CAF_TEST(v2_framing_errors) {
  auto full = unhex(yjs_v2);
  // Every prefix that cuts the flag or the column section must throw at construction, within the input.
  std::size_t columns_end = 0;
  {
    update_decoder_v2 d(full);
    columns_end = d.rest().position();
  }
  for (std::size_t n = 0; n < columns_end; ++n) {
    bytes prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    auto off = error_offset([&] { update_decoder_v2 d(prefix); });
    CAF_CHECK(off <= n);
  }
  // A huge column length is an error, not an allocation.
  auto huge = unhex("00ffffffffffff0f00");
  CAF_CHECK_EQUAL(error_offset([&] { make_update_decoder(huge, update_format::v2); }), 1u);
  // Invalid UTF-8 in the string column: column 6 starts after flag + 5 empty columns.
  auto bad = unhex("0000000000000302c3280000000000");
  CAF_CHECK_EQUAL(error_offset([&] { update_decoder_v2 d(bad); }), 8u);
}

CAF_TEST(v2_exhausted_columns) {
  auto b = unhex("0000000000000100000000");  // empty columns, empty rest
  auto calls = std::vector<std::function<void(update_decoder&)>>{
      [](update_decoder& d) { d.read_client(); },   [](update_decoder& d) { d.read_left_id(); },
      [](update_decoder& d) { d.read_right_id(); }, [](update_decoder& d) { d.read_info(); },
      [](update_decoder& d) { d.read_string(); },   [](update_decoder& d) { d.read_parent_info(); },
      [](update_decoder& d) { d.read_type_ref(); }, [](update_decoder& d) { d.read_len(); },
      [](update_decoder& d) { d.read_key(); },      [](update_decoder& d) { d.read_any(); },
      [](update_decoder& d) { d.read_buf(); },      [](update_decoder& d) { d.read_json(); },
      [](update_decoder& d) { d.read_ds_clock(); }, [](update_decoder& d) { d.read_ds_len(); },
  };
  for (auto& call : calls) {
    update_decoder_v2 d(b);
    auto off = error_offset([&] { call(d); });
    CAF_CHECK(off != SIZE_MAX && off <= b.size());
  }
  // The info column's last run repeats (lib0 semantics), while counted columns run out.
  update_encoder_v2 e;
  e.write_info(4);
  e.write_len(3);
  auto eb = e.to_bytes();
  update_decoder_v2 d(eb);
  CAF_CHECK_EQUAL(d.read_info(), 4u);
  CAF_CHECK_EQUAL(d.read_info(), 4u);
  CAF_CHECK_EQUAL(d.read_len(), 3u);
  CAF_CHECK(error_offset([&] { d.read_len(); }) != SIZE_MAX);
}

CAF_TEST(v2_range_checks) {
  // leftClock column going negative: IntDiffOptRle diff −1 (varInt(−2) = 42).
  lib0::encoder e;
  e.write_var_uint(0);
  e.write_var_bytes(bytes{});
  e.write_var_bytes(bytes{0x01});  // client 1
  e.write_var_bytes(bytes{0x42});  // left clock −1
  e.write_var_bytes(bytes{});
  e.write_var_bytes(bytes{});
  e.write_var_bytes(bytes{0x00});
  e.write_var_bytes(bytes{});
  e.write_var_bytes(bytes{0x81, 0x04});  // type ref 257
  e.write_var_bytes(bytes{});
  // rest: ds clock 2^53−1 then len 1 → overflow
  e.write_var_uint(lib0::max_safe_integer);
  e.write_var_uint(0);
  auto b = e.take();
  update_decoder_v2 d(b);
  CAF_CHECK(error_offset([&] { d.read_left_id(); }) != SIZE_MAX);
  CAF_CHECK(error_offset([&] { d.read_type_ref(); }) != SIZE_MAX);
  CAF_CHECK_EQUAL(d.read_ds_clock(), lib0::max_safe_integer);
  CAF_CHECK(error_offset([&] { d.read_ds_len(); }) != SIZE_MAX);
}

CAF_TEST(v1_errors) {
  auto b = unhex("8102");  // type ref 257
  update_decoder_v1 d(b, 10);
  CAF_CHECK_EQUAL(error_offset([&] { d.read_type_ref(); }), 10u);
  auto j = unhex(
      "027b7d"
      "027b2c");  // "{}" then "{,"
  update_decoder_v1 dj(j);
  CAF_CHECK(dj.read_json() == any::make_object({}));
  CAF_CHECK_EQUAL(error_offset([&] { dj.read_json(); }), 3u);
  auto u = unhex("09756e646566696e6564");  // "undefined"
  update_decoder_v1 du(u);
  CAF_CHECK(du.read_json().is_undefined());
  auto t = unhex("0561");  // truncated string
  update_decoder_v1 dt(t);
  CAF_CHECK_EQUAL(error_offset([&] { dt.read_string(); }), 0u);
  update_decoder_v1 de(bytes_view{});
  CAF_CHECK_EQUAL(error_offset([&] { de.read_info(); }), 0u);
  CAF_CHECK_EQUAL(error_offset([&] { de.read_left_id(); }), 0u);
}

// Seeded mutations of the Yjs v2 fixture, read back with the same call sequence: every outcome is a value or
// a decode_error (ASan build checks memory safety).
CAF_TEST(v2_mutations_never_crash) {
  auto base = unhex(yjs_v2);
  std::uint64_t s = 99;
  auto next = [&] {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return s >> 33;
  };
  int failures = 0;
  for (int round = 0; round < 2000; ++round) {
    bytes data = base;
    for (int k = 0; k < 1 + round % 4; ++k) data[next() % data.size()] = static_cast<std::uint8_t>(next());
    if (round % 5 == 0) data.resize(next() % data.size());
    try {
      update_decoder_v2 d(data);
      auto& r = d.rest();
      for (int i = 0; i < 40; ++i) {
        switch (next() % 12) {
          case 0:
            d.read_client();
            break;
          case 1:
            d.read_left_id();
            break;
          case 2:
            d.read_right_id();
            break;
          case 3:
            d.read_info();
            break;
          case 4:
            d.read_string();
            break;
          case 5:
            d.read_parent_info();
            break;
          case 6:
            d.read_type_ref();
            break;
          case 7:
            d.read_len();
            break;
          case 8:
            d.read_key();
            break;
          case 9:
            d.read_any();
            break;
          case 10:
            d.read_ds_clock();
            break;
          default:
            r.read_var_uint();
            break;
        }
      }
    } catch (const decode_error& e) {
      ++failures;
      CAF_CHECK(e.err().offset <= data.size());
    }
  }
  CAF_MESSAGE(failures << " of 2000 mutated inputs rejected");
  CAF_CHECK(failures > 0);
}
