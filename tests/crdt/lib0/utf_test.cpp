#define CAF_SUITE lib0_utf
#include <caf/test/unit_test.hpp>

#include "crdt/lib0/utf.hpp"

using namespace zeal::crdt::lib0;

CAF_TEST(validation) {
  CAF_CHECK(is_valid_utf8(""));
  CAF_CHECK(is_valid_utf8("abc"));
  CAF_CHECK(is_valid_utf8("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"));
  CAF_CHECK(!is_valid_utf8("\x80"));
  CAF_CHECK(!is_valid_utf8("\xc0\x80"));          // overlong
  CAF_CHECK(!is_valid_utf8("\xc1\xbf"));          // overlong
  CAF_CHECK(!is_valid_utf8("\xe0\x9f\xbf"));      // overlong
  CAF_CHECK(!is_valid_utf8("\xf0\x8f\xbf\xbf"));  // overlong
  CAF_CHECK(!is_valid_utf8("\xed\xa0\x80"));      // surrogate
  CAF_CHECK(!is_valid_utf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  CAF_CHECK(!is_valid_utf8("\xf5\x80\x80\x80"));
  CAF_CHECK(!is_valid_utf8("\xe2\x82"));  // truncated
  CAF_CHECK(!is_valid_utf8("\xe2\x28\xa1"));
  CAF_CHECK(!is_valid_utf8("\xff"));
}

CAF_TEST(conversions) {
  std::string s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
  auto u = utf8_to_utf16(s);
  CAF_CHECK(u == std::u16string(u"a\u00e9\u20ac\U0001F600"));
  CAF_CHECK_EQUAL(u.size(), 5u);
  CAF_CHECK_EQUAL(utf16_length(s), 5u);
  CAF_CHECK_EQUAL(utf16_to_utf8(u), s);
  CAF_CHECK_EQUAL(utf16_to_utf8(std::u16string(u"x\xdc00y\xd800")), "x\xef\xbf\xbdy\xef\xbf\xbd");
  std::u16string swapped = {0xDE00, 0xD83D};  // low then high: both lone
  CAF_CHECK_EQUAL(utf16_to_utf8(swapped), "\xef\xbf\xbd\xef\xbf\xbd");
  CAF_CHECK_EQUAL(utf16_length(""), 0u);
}
