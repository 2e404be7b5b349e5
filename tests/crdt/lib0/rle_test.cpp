#define CAF_SUITE lib0_rle
#include <caf/test/unit_test.hpp>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "crdt/lib0/error.hpp"
#include "crdt/lib0/rle.hpp"

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

bytes unhex(std::string_view s) {
  bytes out;
  for (std::size_t i = 0; i + 1 < s.size() + 1 && i < s.size();) {
    if (s[i] == ' ') {
      ++i;
      continue;
    }
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(s.substr(i, 2)), nullptr, 16)));
    i += 2;
  }
  return out;
}

template <class Enc, class T>
std::string enc_hex(const std::vector<T>& values) {
  Enc e;
  for (auto v : values) e.write(v);
  auto first = e.to_bytes();
  CAF_CHECK(first == e.to_bytes());  // to_bytes is not destructive
  return hex(first);
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

std::uint64_t rng_state = 42;
std::uint64_t next_rand() {
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return rng_state >> 33;
}

}  // namespace

// Expected bytes were produced with lib0's encoders (npm lib0, Node 20), e.g.
//   const e = new encoding.UintOptRleEncoder(); values.forEach(v => e.write(v)); hex(e.toUint8Array())
CAF_TEST(rle_vectors) {
  using V = std::vector<std::uint8_t>;
  CAF_CHECK_EQUAL(enc_hex<rle_encoder>(V{4, 4, 4, 0x84, 7}), "04 02 84 00 07");
  CAF_CHECK_EQUAL(enc_hex<rle_encoder>(V{}), "");
  CAF_CHECK_EQUAL(enc_hex<rle_encoder>(V{0}), "00");
  V long_run{1, 1};
  long_run.insert(long_run.end(), 130, 2);
  long_run.push_back(3);
  CAF_CHECK_EQUAL(enc_hex<rle_encoder>(long_run), "01 01 02 81 01 03");
}

CAF_TEST(uint_opt_rle_vectors) {
  using V = std::vector<std::uint64_t>;
  CAF_CHECK_EQUAL(enc_hex<uint_opt_rle_encoder>(V{0, 0, 0, 5, 7, 7}), "40 01 05 47 00");
  CAF_CHECK_EQUAL(enc_hex<uint_opt_rle_encoder>(V{}), "");
  CAF_CHECK_EQUAL(enc_hex<uint_opt_rle_encoder>(V{0}), "00");
  CAF_CHECK_EQUAL(enc_hex<uint_opt_rle_encoder>(V{3}), "03");
  CAF_CHECK_EQUAL(enc_hex<uint_opt_rle_encoder>(V{1, 2, 3, 1000, 1000, std::uint64_t{1} << 40, 0, 0}),
                  "01 02 03 e8 0f 00 80 80 80 80 80 40 40 00");
}

CAF_TEST(int_diff_opt_rle_vectors) {
  using V = std::vector<std::int64_t>;
  CAF_CHECK_EQUAL(enc_hex<int_diff_opt_rle_encoder>(V{1, 2, 3, 2, 2, 2, 10}), "03 01 42 01 00 10");
  CAF_CHECK_EQUAL(enc_hex<int_diff_opt_rle_encoder>(V{}), "");
  CAF_CHECK_EQUAL(enc_hex<int_diff_opt_rle_encoder>(V{0}), "00");
  CAF_CHECK_EQUAL(enc_hex<int_diff_opt_rle_encoder>(V{5, 3, 1, -1, 100, 100}), "0a 43 01 8a 03 00");
  CAF_CHECK_EQUAL(enc_hex<int_diff_opt_rle_encoder>(V{0, 0, 0}), "01 01");
  CAF_CHECK_EQUAL(enc_hex<int_diff_opt_rle_encoder>(V{std::int64_t{1} << 40, (std::int64_t{1} << 40) + 1, 7}),
                  "80 80 80 80 80 80 01 02 f4 ff ff ff ff 7f");
}

// A clock near 2^53 after a clock of 0 is a diff whose encoding (diff·2 + 1) needs 54 bits: the decoder
// must read back whatever the encoder writes for clocks within 2^53−1 (a fuzzer found v1 → v2 → v1 failing).
CAF_TEST(int_diff_opt_rle_extreme_diffs_round_trip) {
  const std::int64_t max = (std::int64_t{1} << 53) - 1;
  const std::vector<std::int64_t> values{0, max, max, 0, max, 1, max, 5629499534213119, 0};
  int_diff_opt_rle_encoder e;
  for (auto v : values) e.write(v);
  const auto b = e.to_bytes();
  int_diff_opt_rle_decoder d(b);
  for (auto v : values) CAF_CHECK_EQUAL(d.read(), v);
  // A running value beyond 2^53−1 is still refused.
  int_diff_opt_rle_encoder over;
  over.write(max);
  over.write(max + 2);
  const auto ob = over.to_bytes();
  int_diff_opt_rle_decoder od(ob);
  CAF_CHECK_EQUAL(od.read(), max);
  CAF_CHECK_EQUAL(error_offset([&] { od.read(); }), ob.size());
}

CAF_TEST(string_encoder_vectors) {
  using V = std::vector<std::string_view>;
  CAF_CHECK_EQUAL(enc_hex<string_encoder>(V{"ab", "\xf0\x9f\x98\x80", "", "xyz"}),
                  "09 61 62 f0 9f 98 80 78 79 7a 42 00 00 03");
  CAF_CHECK_EQUAL(enc_hex<string_encoder>(V{}), "00");
  CAF_CHECK_EQUAL(enc_hex<string_encoder>(V{""}), "00 00");
  CAF_CHECK_EQUAL(
      enc_hex<string_encoder>(
          V{"abcdefghijklmnopqrstuvwxyz", "\xc3\xa9", "\xc3\xa9", "\xe2\x82\xac\xe2\x82\xac"}),
      "24 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75 76 77 78 79 7a c3 a9 c3 a9 "
      "e2 82 ac e2 82 ac 1a 41 00 02");
}

CAF_TEST(to_bytes_then_more_writes) {
  uint_opt_rle_encoder u;
  u.write(7);
  u.write(7);
  CAF_CHECK_EQUAL(hex(u.to_bytes()), "47 00");
  u.write(7);
  u.write(1);
  CAF_CHECK_EQUAL(hex(u.to_bytes()), "47 01 01");
  int_diff_opt_rle_encoder d;
  d.write(1);
  CAF_CHECK_EQUAL(hex(d.to_bytes()), "02");
  d.write(2);
  CAF_CHECK_EQUAL(hex(d.to_bytes()), "03 00");
}

CAF_TEST(decoders_read_vectors) {
  {
    auto b = unhex("04 02 84 00 07");
    rle_decoder d(b);
    for (int v : {4, 4, 4, 0x84, 7, 7, 7}) CAF_CHECK_EQUAL(d.read(), v);  // last run repeats forever
  }
  {
    auto b = unhex("40 01 05 47 00");
    uint_opt_rle_decoder d(b);
    for (int v : {0, 0, 0, 5, 7, 7}) CAF_CHECK_EQUAL(d.read(), static_cast<std::uint64_t>(v));
    CAF_CHECK_EQUAL(error_offset([&] { d.read(); }), 5u);
  }
  {
    auto b = unhex("03 01 42 01 00 10");
    int_diff_opt_rle_decoder d(b);
    for (int v : {1, 2, 3, 2, 2, 2, 10}) CAF_CHECK_EQUAL(d.read(), v);
    CAF_CHECK_EQUAL(error_offset([&] { d.read(); }), 6u);
  }
  {
    auto b = unhex("0a 43 01 8a 03 00");
    int_diff_opt_rle_decoder d(b);
    for (int v : {5, 3, 1, -1, 100, 100}) CAF_CHECK_EQUAL(d.read(), v);
  }
  {
    auto b = unhex("09 61 62 f0 9f 98 80 78 79 7a 42 00 00 03");
    string_decoder d(b);
    CAF_CHECK_EQUAL(d.read(), "ab");
    CAF_CHECK_EQUAL(d.read(), "\xf0\x9f\x98\x80");
    CAF_CHECK_EQUAL(d.read(), "");
    CAF_CHECK_EQUAL(d.read(), "xyz");
    CAF_CHECK_EQUAL(error_offset([&] { d.read(); }), 14u);
  }
}

CAF_TEST(round_trips_seeded) {
  for (int round = 0; round < 20; ++round) {
    std::vector<std::uint8_t> r;
    std::vector<std::uint64_t> u;
    std::vector<std::int64_t> s;
    std::vector<std::string> strs;
    rle_encoder re;
    uint_opt_rle_encoder ue;
    int_diff_opt_rle_encoder se;
    string_encoder ste;
    std::int64_t clock = 0;
    const char* pieces[] = {"", "a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "xyz"};
    for (int i = 0; i < 300; ++i) {
      auto x = next_rand();
      std::uint8_t rv =
          static_cast<std::uint8_t>(x % 3 == 0 ? next_rand() % 256 : (r.empty() ? 0 : r.back()));
      std::uint64_t uv =
          x % 4 == 0 ? next_rand() % 5 : (x % 4 == 1 ? next_rand() : (u.empty() ? 0 : u.back()));
      clock += (x % 5 == 0) ? static_cast<std::int64_t>(next_rand() % 100) - 50 : 1;
      std::string str;
      for (auto k = next_rand() % 4; k > 0; --k) str += pieces[next_rand() % 6];
      r.push_back(rv), u.push_back(uv), s.push_back(clock), strs.push_back(str);
      re.write(rv), ue.write(uv), se.write(clock), ste.write(str);
    }
    auto rb = re.to_bytes(), ub = ue.to_bytes(), sb = se.to_bytes(), stb = ste.to_bytes();
    rle_decoder rd(rb);
    uint_opt_rle_decoder ud(ub);
    int_diff_opt_rle_decoder sd(sb);
    string_decoder std_(stb);
    bool ok = true;
    for (std::size_t i = 0; i < r.size(); ++i) {
      ok = ok && rd.read() == r[i] && ud.read() == u[i] && sd.read() == s[i] && std_.read() == strs[i];
    }
    CAF_CHECK(ok);
    CAF_CHECK_EQUAL(error_offset([&] { ud.read(); }), ub.size());
    CAF_CHECK_EQUAL(error_offset([&] { sd.read(); }), sb.size());
  }
}

CAF_TEST(malformed_columns) {
  {
    bytes empty;
    rle_decoder r(empty, 10);
    CAF_CHECK_EQUAL(error_offset([&] { r.read(); }), 10u);
    uint_opt_rle_decoder u(empty, 10);
    CAF_CHECK_EQUAL(error_offset([&] { u.read(); }), 10u);
    int_diff_opt_rle_decoder d(empty, 10);
    CAF_CHECK_EQUAL(error_offset([&] { d.read(); }), 10u);
    CAF_CHECK_EQUAL(error_offset([&] { string_decoder s(empty, 10); }), 10u);
  }
  {
    auto b = unhex("05 80");  // run value 5, truncated count
    rle_decoder r(b);
    CAF_CHECK_EQUAL(error_offset([&] { r.read(); }), 1u);
  }
  {
    auto b = unhex("45");  // run of 5s, count missing
    uint_opt_rle_decoder u(b);
    CAF_CHECK_EQUAL(error_offset([&] { u.read(); }), 1u);
  }
  {
    // diff 2^52−1 three times: the third value exceeds 2^53−1
    auto b = unhex("bf ff ff ff ff ff ff 1f 01");
    int_diff_opt_rle_decoder d(b);
    CAF_CHECK_EQUAL(d.read(), (std::int64_t{1} << 52) - 1);
    CAF_CHECK_EQUAL(d.read(), (std::int64_t{1} << 53) - 2);
    CAF_CHECK_EQUAL(error_offset([&] { d.read(); }), 9u);
  }
  {
    auto b = unhex("03 61 ff 62 01");  // invalid UTF-8 in the joined string
    CAF_CHECK_EQUAL(error_offset([&] { string_decoder s(b, 100); }), 101u);
  }
  {
    auto b = unhex("05 61 62");  // joined string truncated
    CAF_CHECK_EQUAL(error_offset([&] { string_decoder s(b); }), 0u);
  }
  {
    auto b = unhex("02 61 62 03");  // length 3 > 2 units available
    string_decoder s(b, 50);
    CAF_CHECK_EQUAL(error_offset([&] { s.read(); }), 53u);
  }
}

CAF_TEST(string_split_surrogate_pair) {
  // joined "a😀b", lengths 2, 2: lib0 yields "a\ud83d" and "\ude00b"; we write U+FFFD for each lone half.
  auto b = unhex("06 61 f0 9f 98 80 62 02 02");
  string_decoder s(b);
  CAF_CHECK_EQUAL(s.read(), "a\xef\xbf\xbd");
  CAF_CHECK_EQUAL(s.read(),
                  "\xef\xbf\xbd"
                  "b");
  // split at the very start / zero-length strings in between
  auto c = unhex("04 f0 9f 98 80 41 00 01");
  string_decoder t(c);
  CAF_CHECK_EQUAL(t.read(), "\xef\xbf\xbd");
  CAF_CHECK_EQUAL(t.read(), "\xef\xbf\xbd");
  auto z = unhex("04 f0 9f 98 80 01 00 01");  // lengths 1, 0, 1
  string_decoder w(z);
  CAF_CHECK_EQUAL(w.read(), "\xef\xbf\xbd");
  CAF_CHECK_EQUAL(w.read(), "");
  CAF_CHECK_EQUAL(w.read(), "\xef\xbf\xbd");
}
