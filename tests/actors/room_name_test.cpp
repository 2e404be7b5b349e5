#define CAF_SUITE actors_room_name
#include <caf/test/unit_test.hpp>

#include <string>

#include "actors/room_name.hpp"

using zeal::actors::room_name_error;

namespace {

std::string why(const std::string& name, std::size_t max = 256) {
  auto e = room_name_error(name, max);
  return e ? *e : std::string{"ok"};
}

}  // namespace

CAF_TEST(valid names) {
  CAF_CHECK_EQUAL(why("r"), "ok");
  CAF_CHECK_EQUAL(why("my-room/with spaces?and+plus"), "ok");
  CAF_CHECK_EQUAL(why("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "ok");  // café € 😀
  CAF_CHECK_EQUAL(why(std::string(256, 'x')), "ok");
  CAF_CHECK_EQUAL(why("abc", 3), "ok");
}

CAF_TEST(empty and too long names) {
  CAF_CHECK_EQUAL(why(""), "empty");
  CAF_CHECK_EQUAL(why(std::string(257, 'x')), "longer than 256 bytes");
  CAF_CHECK_EQUAL(why("abcd", 3), "longer than 3 bytes");
  // The limit counts bytes, not characters: 2 × 2-byte characters.
  CAF_CHECK_EQUAL(why("\xc3\xa9\xc3\xa9", 3), "longer than 3 bytes");
}

CAF_TEST(invalid utf8) {
  CAF_CHECK_EQUAL(why("\xff"), "not valid UTF-8");
  CAF_CHECK_EQUAL(why("a\xc0\x80"), "not valid UTF-8");     // overlong NUL
  CAF_CHECK_EQUAL(why("\xed\xa0\x80"), "not valid UTF-8");  // surrogate
  CAF_CHECK_EQUAL(why("\xe2\x82"), "not valid UTF-8");      // truncated
}

CAF_TEST(control characters) {
  CAF_CHECK_EQUAL(why(std::string("a\0b", 3)), "contains a control character");
  CAF_CHECK_EQUAL(why("a\nb"), "contains a control character");
  CAF_CHECK_EQUAL(why("\x1f"), "contains a control character");
  CAF_CHECK_EQUAL(why("del\x7f"), "contains a control character");
  CAF_CHECK_EQUAL(why("\xc2\x80"), "ok");  // U+0080 is not in the excluded ranges
}
