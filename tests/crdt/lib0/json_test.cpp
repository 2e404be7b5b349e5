#define CAF_SUITE lib0_json
#include <caf/test/unit_test.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "crdt/lib0/decoder.hpp"
#include "crdt/lib0/json.hpp"

using namespace zeal::crdt;
using namespace zeal::crdt::lib0;

namespace {

/// parse_json then to_json (what Yjs does to v1 JSON text when it re-encodes).
std::string normalize(std::string_view text) {
  auto r = parse_json(text);
  if (!r) return "ERR@" + std::to_string(r.err().offset);
  return to_json(*r);
}

double parse_number(std::string_view text) {
  auto r = parse_json(text);
  CAF_REQUIRE(r.ok());
  CAF_REQUIRE(r->is_number());
  return r->as_number();
}

}  // namespace

// Expected strings from Node 20: String(x) / JSON.stringify(JSON.parse(text)).
CAF_TEST(js_number_formatting) {
  CAF_CHECK_EQUAL(js_number_to_string(1.0), "1");
  CAF_CHECK_EQUAL(js_number_to_string(100), "100");
  CAF_CHECK_EQUAL(js_number_to_string(0.0000001), "1e-7");
  CAF_CHECK_EQUAL(js_number_to_string(0.000001), "0.000001");
  CAF_CHECK_EQUAL(js_number_to_string(1.5e-7), "1.5e-7");
  CAF_CHECK_EQUAL(js_number_to_string(1e21), "1e+21");
  CAF_CHECK_EQUAL(js_number_to_string(1.2345e21), "1.2345e+21");
  CAF_CHECK_EQUAL(js_number_to_string(1.2345e20), "123450000000000000000");
  CAF_CHECK_EQUAL(js_number_to_string(123456789012345680000.0), "123456789012345680000");
  CAF_CHECK_EQUAL(js_number_to_string(-0.0), "0");
  CAF_CHECK_EQUAL(js_number_to_string(0.1 + 0.2), "0.30000000000000004");
  CAF_CHECK_EQUAL(js_number_to_string(5e-324), "5e-324");
  CAF_CHECK_EQUAL(js_number_to_string(1.7976931348623157e+308), "1.7976931348623157e+308");
  CAF_CHECK_EQUAL(js_number_to_string(9007199254740992.0), "9007199254740992");
  CAF_CHECK_EQUAL(js_number_to_string(-1.25e-10), "-1.25e-10");
  CAF_CHECK_EQUAL(js_number_to_string(1e301), "1e+301");
  CAF_CHECK_EQUAL(js_number_to_string(4.35), "4.35");
  CAF_CHECK_EQUAL(js_number_to_string(-123.456), "-123.456");
  CAF_CHECK_EQUAL(js_number_to_string(std::numeric_limits<double>::quiet_NaN()), "NaN");
  CAF_CHECK_EQUAL(js_number_to_string(-std::numeric_limits<double>::infinity()), "-Infinity");
}

// Random doubles (seeded LCG over bit patterns, biased toward the fixed/exponent boundary) and String(x)
// as printed by Node 20; generated with a small script in /tmp/yjsref (see report).
CAF_TEST(js_number_formatting_random_fixture) {
  struct entry {
    std::uint64_t bits;
    const char* expected;
  };
  static const entry fixture[] = {{0x1c0d57f10c894254ULL, "1.4830122828920016e-173"},
                                  {0x3f704a6ece53d613ULL, "0.003977234683806968"},
                                  {0x401ee2d8dd7c4779ULL, "7.7215304"},
                                  {0x8f7b1bac9609eaf7ULL, "-4.262874002980358e-234"},
                                  {0xc0aaf636587957baULL, "-3451.1061437530125"},
                                  {0x4163088056666666ULL, "9978882.7"},
                                  {0xfd70522e931f790eULL, "-1.6677967842578716e+296"},
                                  {0xc219a1630e23bac5ULL, "-27520451464.932392"},
                                  {0x44b22d93f6696022ULL, "8.5843362e+22"},
                                  {0x552e421879d836c9ULL, "2.1178316544328792e+102"},
                                  {0xc34e8eaf3493d9a4ULL, "-17202264907690824"},
                                  {0x40f5c293a9fbe76dULL, "89129.229"},
                                  {0x07727df42b81c598ULL, "8.54570675525937e-273"},
                                  {0x40b635e91fb5a507ULL, "5685.910640099325"},
                                  {0x45bfc820d9b3a3f7ULL, "9.8359756e+27"},
                                  {0x83785723e5c9c12bULL, "-6.097780315332402e-292"},
                                  {0xc1e33022a4b9cadeULL, "-2575373605.806014"},
                                  {0x4020c541f0655849ULL, "8.3852687"},
                                  {0xf33082c146e3d672ULL, "-7.215120195549942e+246"},
                                  {0x445799f31d30c159ULL, "1.7414734243908113e+21"},
                                  {0x4150242e8ccccccdULL, "4231354.2"},
                                  {0x48a12d9e7a7f7e9dULL, "7.482161107104073e+41"},
                                  {0x440b2a840d01a5e8ULL, "62640709742175780000"},
                                  {0x44b218f6647abba5ULL, "8.546307299999999e+22"},
                                  {0xd75f5767c6aece1cULL, "-7.537323673202209e+112"},
                                  {0x3f7fc827e2ada03bULL, "0.007759242823205221"},
                                  {0x40f06b210624dd2fULL, "67250.064"},
                                  {0x52db68d069da079fULL, "1.3958498820165765e+91"},
                                  {0xbf2685c1600db942ULL, "-0.00017183290040229988"},
                                  {0x45a41bcfbc7742d4ULL, "3.1116611e+27"},
                                  {0xeb7d555532ece316ULL, "-6.027238632455651e+209"},
                                  {0xc41299e52381562dULL, "-85782675505661300000"},
                                  {0x4022d80749a05d02ULL, "9.4219306"},
                                  {0x0342921fe2b6b8b1ULL, "5.815469976147267e-293"},
                                  {0x404c5add822ac76cULL, "56.70988490189379"},
                                  {0x4151cb7c86666666ULL, "4664818.1"},
                                  {0x28a233c74a11ffe0ULL, "5.913123370859785e-113"},
                                  {0x423f621657e19bafULL, "134789617633.60814"},
                                  {0x44b02f9fc05cbe9eULL, "7.6436372e+22"},
                                  {0xb29fb30ce895d253ULL, "-7.525098736431211e-65"},
                                  {0xc46b4a613b63a6e6ULL, "-4.027373762567147e+21"},
                                  {0x40f419382d0e5604ULL, "82323.511"},
                                  {0xf8b096f3e50962faULL, "-2.243641892571957e+273"},
                                  {0x425cc8c8b5a9ed41ULL, "494510724775.7071"},
                                  {0x45b73601900ffd98ULL, "7.1834446e+27"},
                                  {0xb17b50af66719905ULL, "-2.4735747140749734e-70"},
                                  {0xc38fb192e031e230ULL, "-285470997207598600"},
                                  {0x4015e5d1bcf695f4ULL, "5.4744329"},
                                  {0x464aa1d581b03ee4ULL, "4.2200348511762445e+30"},
                                  {0x44f205b17d49ab63ULL, "1.3617219179446306e+24"},
                                  {0x4157a23f00000000ULL, "6195452"},
                                  {0x1bbe6c05464e7547ULL, "4.8047374242587294e-175"},
                                  {0xc22f964395b357caULL, "-67832498905.67146"},
                                  {0x44a3312a318ca549ULL, "4.5315947e+22"},
                                  {0xf76acc8dd7255a1eULL, "-1.7282453501858931e+267"},
                                  {0xc1968cedac233a95ULL, "-94583659.03440316"},
                                  {0x40e5a30fef9db22dULL, "44312.498"},
                                  {0x06b44fac234c1399ULL, "2.2916062981826227e-276"},
                                  {0xc1cf4941bd8cda34ULL, "-1049789307.100409"},
                                  {0x45beeeb7b11ddaf4ULL, "9.5731421e+27"}};
  for (const auto& e : fixture) {
    double v = std::bit_cast<double>(e.bits);
    CAF_CHECK_EQUAL(js_number_to_string(v), e.expected);
    CAF_CHECK(parse_number(e.expected) == v);
  }
}

CAF_TEST(normalize_like_json_stringify) {
  CAF_CHECK_EQUAL(normalize(" { \"b\" : 1.0 , \"2\":1e2,\"a\":[0.0000001, 1e21, -0] } "),
                  "{\"2\":100,\"b\":1,\"a\":[1e-7,1e+21,0]}");
  CAF_CHECK_EQUAL(normalize("0.1e1"), "1");
  CAF_CHECK_EQUAL(normalize("123456789012345678901234567890"), "1.2345678901234568e+29");
  CAF_CHECK_EQUAL(normalize("1e400"), "null");  // Infinity
  CAF_CHECK_EQUAL(normalize("{\"__proto__\":1,\"a\":2,\"a\":3, \"1\": 4}"),
                  "{\"1\":4,\"__proto__\":1,\"a\":3}");
  CAF_CHECK_EQUAL(normalize("\"\\u00e9\\ud83d\\ude00\\/\""), "\"\xc3\xa9\xf0\x9f\x98\x80/\"");
  CAF_CHECK_EQUAL(normalize("\"x\\ud800y\""), "\"x\xef\xbf\xbdy\"");  // lone surrogate → U+FFFD (UTF-8)
  CAF_CHECK_EQUAL(normalize("[true,false,null,\"\",{},[]]"), "[true,false,null,\"\",{},[]]");
}

CAF_TEST(parse_numbers_like_js) {
  CAF_CHECK(std::signbit(parse_number("-0")));
  CAF_CHECK(parse_number("5e-324") == 5e-324);
  CAF_CHECK(parse_number("3e-324") == 5e-324);
  CAF_CHECK(parse_number("2e-324") == 0.0);
  CAF_CHECK(parse_number("1e-400") == 0.0);
  CAF_CHECK(parse_number("1.7976931348623158e308") == 1.7976931348623157e+308);
  CAF_CHECK(std::isinf(parse_number("1.7976931348623159e308")));
  CAF_CHECK(parse_number("-1e400") == -std::numeric_limits<double>::infinity());
  CAF_CHECK(parse_number("2.4703282292062328e-324") == 5e-324);
  CAF_CHECK(parse_number("0.00000000000000000000000000000000000000001e41") == 1.0);
}

CAF_TEST(stringify) {
  auto v = any::make_object(
      {{"b", 1},
       {"2", 2},
       {"a", undefined_t{}},
       {"c", any::array{undefined_t{}, std::nan(""), -std::numeric_limits<double>::infinity()}},
       {"s", "\x01\x1f\"\\\b\f\n\r\t\x7f\xe2\x80\xa8/\xc3\xa9"}});
  CAF_CHECK_EQUAL(to_json(v),
                  "{\"2\":2,\"b\":1,\"c\":[null,null,null],\"s\":\"\\u0001\\u001f\\\"\\\\\\b\\f\\n\\r\\t\x7f"
                  "\xe2\x80\xa8/\xc3\xa9\"}");
  CAF_CHECK_EQUAL(to_json(undefined_t{}), "undefined");
  CAF_CHECK_EQUAL(to_json(bytes{1, 2}), "{\"0\":1,\"1\":2}");
  CAF_CHECK_EQUAL(to_json(bytes{}), "{}");
  CAF_CHECK_EQUAL(to_json(bigint{-12}), "-12");
  CAF_CHECK_EQUAL(to_json(any::make_object({{"u", undefined_t{}}})), "{}");
  std::string s;
  append_json_string(s, "a\"b");
  CAF_CHECK_EQUAL(s, "\"a\\\"b\"");
}

CAF_TEST(undefined_word) {
  auto r = parse_json("undefined");
  CAF_REQUIRE(r.ok());
  CAF_CHECK(r->is_undefined());
  CAF_CHECK(!parse_json(" undefined").ok());
  CAF_CHECK(!parse_json("[undefined]").ok());
}

CAF_TEST(parse_errors) {
  for (auto bad : {"",        "01",        "1.",          ".5",  "+1",  "1e",        "[1,]",  "{\"a\":1,}",
                   "\"\\x\"", "\"\t\"",    "tru",         "nul", "NaN", "{\"a\" 1}", "{1:2}", "[1 2]",
                   "\"abc",   "\"\\u12\"", "\"\\u12g4\"", "-",   "[",   "{",         "1 2"}) {
    auto r = parse_json(bad);
    CAF_CHECK(!r.ok());
    if (!r.ok()) CAF_MESSAGE(bad << " -> " << r.err().to_string());
  }
  auto r1 = parse_json("[1, x]");
  CAF_REQUIRE(!r1.ok());
  CAF_CHECK_EQUAL(r1.err().offset, 4u);
  auto r2 = parse_json("01");
  CAF_REQUIRE(!r2.ok());
  CAF_CHECK_EQUAL(r2.err().offset, 1u);
  CAF_CHECK(!parse_json("\"\xff\"").ok());  // invalid UTF-8
  CAF_CHECK(parse_json(" 1 ").ok());
}

CAF_TEST(depth_limit) {
  std::string ok(max_any_depth + 0, '[');
  ok += std::string(max_any_depth + 0, ']');
  CAF_CHECK(parse_json(ok).ok());
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  auto r = parse_json(deep);
  CAF_REQUIRE(!r.ok());
  CAF_CHECK_EQUAL(r.err().offset, static_cast<std::size_t>(max_any_depth + 1));
}
