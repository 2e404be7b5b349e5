#define CAF_SUITE lib0_json_check
#include <caf/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

#include "crdt/lib0/json.hpp"
#include "crdt/lib0/json_check.hpp"

using namespace zeal::crdt::lib0;

namespace {

bool ok(std::string_view s) {
  return !check_json(s).has_value();
}

}  // namespace

CAF_TEST(json values are accepted) {
  for (const char* s :
       {"null", "true", "false", "0", "-0", "12.5e-3", "1E+9", "\"\"", "\"a\\n\\u00e9\\\"\"", "[]", "{}",
        " [1, 2 ,{\"a\":[null]}] ", "{\"user\":{\"name\":\"u\",\"color\":\"#abc\"}}", "\"caf\xC3\xA9\""})
    if (!ok(s)) CAF_FAIL("refused: " << s);
  CAF_CHECK(ok("[0]"));
}

CAF_TEST(what is not json is refused with a reason and offset) {
  for (const char* s :
       {"",      "undefined", "01",         "1.",       ".5",    "-",       "1e",          "+1",
        "[1,]",  "{\"a\"}",   "{a:1}",      "[1 2]",    "\"abc", "\"\\x\"", "\"\\u12g4\"", "nul",
        "truex", "[]]",       "{\"a\":1,}", "\"a\x01\""})
    if (ok(s)) CAF_FAIL("accepted: " << s);
  auto e = check_json("[1,]");
  CAF_REQUIRE(e);
  CAF_CHECK_EQUAL(e->offset, 3u);
  CAF_CHECK(!e->message.empty());
  CAF_CHECK(!ok(std::string(2000, '[') + std::string(2000, ']')));  // deeper than parse_json allows
}

CAF_TEST(check_json agrees with parse_json on seeded mutations) {
  std::mt19937 rng(7);
  const std::vector<std::string> seeds{
      "{\"user\":{\"name\":\"u123\",\"color\":\"#abcdef\"},\"cursor\":{\"anchor\":5,\"head\":-7.5e2}}",
      "[true,false,null,\"x\\\\y\\u0041\",[[],{}],0.25]"};
  const std::string alphabet = "{}[]\":,.-+eE0123456789\\u tnrfalsx";
  int compared = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s = seeds[i % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < edits && !s.empty(); ++k) {
      const auto pos = rng() % s.size();
      switch (rng() % 3) {
        case 0:
          s[pos] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          s.erase(pos, 1);
          break;
        default:
          s.insert(pos, 1, alphabet[rng() % alphabet.size()]);
      }
    }
    if (s == "undefined") continue;  // parse_json's extension
    const bool parsed = parse_json(s).ok();
    if (parsed != ok(s)) CAF_FAIL("check_json and parse_json disagree on " << s);
    ++compared;
  }
  CAF_CHECK_GREATER(compared, 19000);
}
