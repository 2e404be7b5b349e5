#define CAF_SUITE update_content
#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include "crdt/lib0/error.hpp"
#include "crdt/update/content.hpp"
#include "crdt/update/update_decoder.hpp"
#include "crdt/update/update_encoder.hpp"
#include "tests/crdt/update/hex.hpp"

using namespace zeal::crdt;
using zeal::crdt::test::from_hex;
using zeal::crdt::test::to_hex;

namespace {

/// v1 bytes of c.write(enc, offset).
std::string v1_hex(const content& c, std::uint64_t offset = 0) {
  auto enc = make_update_encoder(update_format::v1);
  c.write(*enc, offset);
  return to_hex(enc->to_bytes());
}

/// Writes c in `format` and reads it back.
content round_trip(const content& c, update_format format) {
  auto enc = make_update_encoder(format);
  c.write(*enc, 0);
  auto data = enc->to_bytes();
  auto dec = make_update_decoder(data, format);
  return content::read(*dec, static_cast<std::uint8_t>(c.ref()));
}

content read_v1(std::string_view hex, std::uint8_t ref) {
  auto data = from_hex(hex);
  auto dec = make_update_decoder(data, update_format::v1);
  return content::read(*dec, ref);
}

std::u16string u16(std::initializer_list<char16_t> units) {
  return std::u16string(units);
}

}  // namespace

CAF_TEST(refs_lengths_and_flags) {
  CAF_CHECK(content(content_deleted{3}).ref() == content_ref::deleted);
  CAF_CHECK(content(content_json{}).ref() == content_ref::json);
  CAF_CHECK(content(content_binary{}).ref() == content_ref::binary);
  CAF_CHECK(content(content_string{}).ref() == content_ref::string);
  CAF_CHECK(content(content_embed{}).ref() == content_ref::embed);
  CAF_CHECK(content(content_format{}).ref() == content_ref::format);
  CAF_CHECK(content(content_type{}).ref() == content_ref::type);
  CAF_CHECK(content(content_any{}).ref() == content_ref::any);
  CAF_CHECK(content(content_doc{}).ref() == content_ref::doc);

  CAF_CHECK_EQUAL(content(content_deleted{3}).length(), 3u);
  // UTF-16 units: "a😀" is 3 units.
  CAF_CHECK_EQUAL(content(content_string{u"a\U0001F600"}).length(), 3u);
  CAF_CHECK_EQUAL(content(content_any{{1, "x", lib0::null_t{}}}).length(), 3u);
  CAF_CHECK_EQUAL(content(content_json{{1, 2}}).length(), 2u);
  CAF_CHECK_EQUAL(content(content_binary{{1, 2, 3}}).length(), 1u);
  CAF_CHECK_EQUAL(content(content_format{"bold", true}).length(), 1u);
  CAF_CHECK_EQUAL(content(content_type{}).length(), 1u);

  CAF_CHECK(!content(content_deleted{1}).countable());
  CAF_CHECK(!content(content_format{"b", true}).countable());
  CAF_CHECK(content(content_string{u"x"}).countable());
  CAF_CHECK(content(content_embed{}).countable());
  CAF_CHECK(content(content_doc{}).countable());

  CAF_CHECK(content(content_deleted{2}).splittable());
  CAF_CHECK(content(content_string{u"ab"}).splittable());
  CAF_CHECK(content(content_any{{1, 2}}).splittable());
  CAF_CHECK(content(content_json{{1, 2}}).splittable());
  CAF_CHECK(!content(content_binary{}).splittable());
  CAF_CHECK(!content(content_type{}).splittable());
  CAF_CHECK(!content(content_format{}).splittable());
  CAF_CHECK(!content(content_embed{}).splittable());
  CAF_CHECK(!content(content_doc{}).splittable());
}

CAF_TEST(split_and_merge) {
  content d = content_deleted{5};
  auto rd = d.split(2);
  CAF_CHECK_EQUAL(d.length(), 2u);
  CAF_CHECK_EQUAL(rd.length(), 3u);
  CAF_CHECK(d.try_merge(rd));
  CAF_CHECK_EQUAL(d.length(), 5u);

  content s = content_string{u"hello"};
  auto rs = s.split(2);
  CAF_CHECK(s.get_if<content_string>()->text == u"he");
  CAF_CHECK(rs.get_if<content_string>()->text == u"llo");
  CAF_CHECK(s.try_merge(rs));
  CAF_CHECK(s.get_if<content_string>()->text == u"hello");

  content a = content_any{{1, "x", true}};
  auto ra = a.split(1);
  CAF_CHECK_EQUAL(a.length(), 1u);
  CAF_REQUIRE_EQUAL(ra.length(), 2u);
  CAF_CHECK(ra.get_if<content_any>()->values[0] == lib0::any("x"));
  CAF_CHECK(a.try_merge(ra));
  CAF_CHECK(a.get_if<content_any>()->values == (std::vector<lib0::any>{1, "x", true}));

  content j = content_json{{1, lib0::undefined_t{}}};
  auto rj = j.split(1);
  CAF_CHECK(rj.get_if<content_json>()->values[0].is_undefined());
  CAF_CHECK(j.try_merge(rj));
  CAF_CHECK_EQUAL(j.length(), 2u);

  // Different kinds, and kinds that never merge.
  content s2 = content_string{u"x"};
  CAF_CHECK(!s2.try_merge(content_any{{1}}));
  CAF_CHECK(!s2.try_merge(content_deleted{1}));
  content t = content_type{};
  CAF_CHECK(!t.try_merge(content_type{}));
  content b = content_binary{{1}};
  CAF_CHECK(!b.try_merge(content_binary{{2}}));
  content f = content_format{"b", true};
  CAF_CHECK(!f.try_merge(content_format{"b", true}));
}

CAF_TEST(split_inside_surrogate_pair) {
  // "a😀b": a, D83D, DE00, b. Splitting at 2 cuts the pair: both halves get U+FFFD (yjs issue 248).
  content s = content_string{u16({u'a', 0xD83D, 0xDE00, u'b'})};
  auto right = s.split(2);
  CAF_CHECK(s.get_if<content_string>()->text == u16({u'a', 0xFFFD}));
  CAF_CHECK(right.get_if<content_string>()->text == u16({0xFFFD, u'b'}));
  CAF_CHECK_EQUAL(s.length(), 2u);
  CAF_CHECK_EQUAL(right.length(), 2u);
  // Splitting before or after the pair keeps it.
  content s2 = content_string{u16({u'a', 0xD83D, 0xDE00, u'b'})};
  auto r2 = s2.split(3);
  CAF_CHECK(s2.get_if<content_string>()->text == u16({u'a', 0xD83D, 0xDE00}));
  CAF_CHECK(r2.get_if<content_string>()->text == u16({u'b'}));
  content s3 = content_string{u16({0xD83D, 0xDE00})};
  auto r3 = s3.split(1);
  CAF_CHECK(s3.get_if<content_string>()->text == u16({0xFFFD}));
  CAF_CHECK(r3.get_if<content_string>()->text == u16({0xFFFD}));
}

CAF_TEST(write_v1_bytes) {
  CAF_CHECK_EQUAL(v1_hex(content_deleted{3}), "03");
  CAF_CHECK_EQUAL(v1_hex(content_deleted{3}, 1), "02");
  CAF_CHECK_EQUAL(v1_hex(content_string{u"abc"}), "03616263");
  CAF_CHECK_EQUAL(v1_hex(content_string{u"abc"}, 2), "0163");
  // From an offset inside a surrogate pair the lone low surrogate is written as U+FFFD (§8.8).
  CAF_CHECK_EQUAL(v1_hex(content_string{u16({u'a', 0xD83D, 0xDE00, u'b'})}, 2), "04efbfbd62");
  CAF_CHECK_EQUAL(v1_hex(content_string{u16({u'a', 0xD83D, 0xDE00, u'b'})}, 1), "05f09f988062");
  CAF_CHECK_EQUAL(v1_hex(content_any{{1, "x"}}), "027d01770178");
  CAF_CHECK_EQUAL(v1_hex(content_any{{1, "x"}}, 1), "01770178");
  // JSON: count, then JSON.stringify texts; undefined as the text "undefined".
  CAF_CHECK_EQUAL(v1_hex(content_json{{1, "x", lib0::undefined_t{}}}), "0301310322782209756e646566696e6564");
  CAF_CHECK_EQUAL(v1_hex(content_binary{{1, 2, 3}}), "03010203");
  CAF_CHECK_EQUAL(v1_hex(content_embed{lib0::any::make_object({{"image", "x"}})}),
                  "0d7b22696d616765223a2278227d");
  CAF_CHECK_EQUAL(v1_hex(content_format{"bold", true}), "04626f6c640474727565");
  CAF_CHECK_EQUAL(v1_hex(content_format{"bold", lib0::null_t{}}), "04626f6c64046e756c6c");
  CAF_CHECK_EQUAL(v1_hex(content_type{type_ref::text, "", nullptr}), "02");
  CAF_CHECK_EQUAL(v1_hex(content_type{type_ref::xml_element, "p", nullptr}), "030170");
  CAF_CHECK_EQUAL(v1_hex(content_type{type_ref::xml_hook, "h", nullptr}), "050168");
  CAF_CHECK_EQUAL(v1_hex(content_type{type_ref::xml_fragment, "ignored", nullptr}), "04");
  // Doc: guid, then only gc:false, autoLoad:true, meta (in that order) survive.
  auto opts = lib0::any::make_object({{"meta", 1}, {"shouldLoad", true}, {"autoLoad", true}, {"gc", false}});
  CAF_CHECK_EQUAL(v1_hex(content_doc{"g", opts}),
                  "0167"
                  "7603"
                  "026763"
                  "79"
                  "086175746f4c6f6164"
                  "78"
                  "046d657461"
                  "7d01");
  CAF_CHECK_EQUAL(v1_hex(content_doc{"g", lib0::any::make_object({{"gc", true}})}), "01677600");
}

CAF_TEST(read_v1_every_content) {
  auto d = read_v1("05", 1);
  CAF_CHECK_EQUAL(d.get_if<content_deleted>()->length, 5u);
  auto j = read_v1("0301310322782209756e646566696e6564", 2);
  CAF_REQUIRE(j.get_if<content_json>() != nullptr);
  CAF_REQUIRE_EQUAL(j.length(), 3u);
  CAF_CHECK(j.get_if<content_json>()->values[0] == lib0::any(1));
  CAF_CHECK(j.get_if<content_json>()->values[1] == lib0::any("x"));
  CAF_CHECK(j.get_if<content_json>()->values[2].is_undefined());
  auto b = read_v1("03010203", 3);
  CAF_CHECK(b.get_if<content_binary>()->data == (bytes{1, 2, 3}));
  auto s = read_v1("05f09f988062", 4);
  CAF_CHECK(s.get_if<content_string>()->text == u16({0xD83D, 0xDE00, u'b'}));
  auto e = read_v1("0d7b22696d616765223a2278227d", 5);
  CAF_REQUIRE(e.get_if<content_embed>() != nullptr);
  CAF_CHECK(e.get_if<content_embed>()->value == lib0::any::make_object({{"image", "x"}}));
  auto f = read_v1("04626f6c640474727565", 6);
  CAF_CHECK_EQUAL(f.get_if<content_format>()->key, "bold");
  CAF_CHECK(f.get_if<content_format>()->value == lib0::any(true));
  auto t = read_v1("030170", 7);
  CAF_CHECK(t.get_if<content_type>()->ref == type_ref::xml_element);
  CAF_CHECK_EQUAL(t.get_if<content_type>()->name, "p");
  auto a = read_v1("027d01770178", 8);
  CAF_CHECK(a.get_if<content_any>()->values == (std::vector<lib0::any>{1, "x"}));
  // Doc options are re-derived as Yjs's ContentDoc does.
  auto doc = read_v1(
      "0167"
      "7603"
      "02676379"
      "046d657461"
      "7d01"
      "086175746f4c6f6164"
      "78",
      9);
  CAF_REQUIRE(doc.get_if<content_doc>() != nullptr);
  CAF_CHECK_EQUAL(doc.get_if<content_doc>()->guid, "g");
  CAF_CHECK(doc.get_if<content_doc>()->opts ==
            lib0::any::make_object({{"gc", false}, {"autoLoad", true}, {"meta", 1}}));
}

CAF_TEST(round_trip_v1_and_v2) {
  std::vector<content> all = {
      content_deleted{4},
      content_json{{1, "x", lib0::undefined_t{}, lib0::any::make_object({{"a", lib0::any::array{1, 2}}})}},
      content_binary{{0, 255, 7}},
      content_string{u"h\u00e9llo \U0001F600"},
      content_embed{lib0::any::make_object({{"image", "x.png"}})},
      content_format{"color", "#f00"},
      content_type{type_ref::array, "", nullptr},
      content_type{type_ref::map, "", nullptr},
      content_type{type_ref::text, "", nullptr},
      content_type{type_ref::xml_element, "div", nullptr},
      content_type{type_ref::xml_fragment, "", nullptr},
      content_type{type_ref::xml_hook, "hook", nullptr},
      content_type{type_ref::xml_text, "", nullptr},
      content_any{{1, 1.5, "s", lib0::null_t{}, lib0::undefined_t{}, true, bytes{1, 2}, lib0::bigint{-5}}},
      content_doc{"guid-1", lib0::any::make_object({{"gc", false}, {"meta", "m"}})},
  };
  for (auto format : {update_format::v1, update_format::v2}) {
    for (const auto& c : all) {
      auto back = round_trip(c, format);
      CAF_CHECK(back.ref() == c.ref());
      CAF_CHECK_EQUAL(back.length(), c.length());
      if (auto* t = c.get_if<content_type>()) {
        CAF_REQUIRE(back.get_if<content_type>() != nullptr);
        CAF_CHECK(back.get_if<content_type>()->ref == t->ref);
        CAF_CHECK_EQUAL(back.get_if<content_type>()->name, t->name);
      } else if (auto* j = c.get_if<content_json>()) {
        CAF_CHECK(back.get_if<content_json>()->values == j->values);
      } else if (auto* a = c.get_if<content_any>()) {
        CAF_CHECK(back.get_if<content_any>()->values == a->values);
      } else if (auto* s = c.get_if<content_string>()) {
        CAF_CHECK(back.get_if<content_string>()->text == s->text);
      } else if (auto* f = c.get_if<content_format>()) {
        CAF_CHECK_EQUAL(back.get_if<content_format>()->key, f->key);
        CAF_CHECK(back.get_if<content_format>()->value == f->value);
      } else if (auto* e = c.get_if<content_embed>()) {
        CAF_CHECK(back.get_if<content_embed>()->value == e->value);
      } else if (auto* b = c.get_if<content_binary>()) {
        CAF_CHECK(back.get_if<content_binary>()->data == b->data);
      } else if (auto* doc = c.get_if<content_doc>()) {
        CAF_CHECK_EQUAL(back.get_if<content_doc>()->guid, doc->guid);
        CAF_CHECK(back.get_if<content_doc>()->opts == doc->opts);
      }
    }
  }
}

CAF_TEST(read_errors) {
  auto fails = [](std::string_view hex, std::uint8_t ref) {
    try {
      read_v1(hex, ref);
      return false;
    } catch (const decode_error&) {
      return true;
    }
  };
  CAF_CHECK(fails("00", 0));   // GC is not content
  CAF_CHECK(fails("00", 10));  // Skip is not content
  CAF_CHECK(fails("00", 17));
  CAF_CHECK(fails("07", 7));                 // type ref 7 does not exist
  CAF_CHECK(fails("ffffff7f00", 8));         // absurd Any count
  CAF_CHECK(fails("ffffff7f00", 2));         // absurd JSON count
  CAF_CHECK(fails("01027b7d", 2) == false);  // "{}" is fine
  CAF_CHECK(fails("01027b7b", 2));           // "{{" is not JSON
  CAF_CHECK(fails("0361", 4));               // truncated string
  CAF_CHECK(
      fails("0167"
            "7e",
            9));  // null subdocument options (Yjs throws)
  try {
    read_v1("00", 17);
    CAF_FAIL("no error");
  } catch (const decode_error& e) {
    CAF_CHECK_EQUAL(e.err().message, "unknown content ref 17");
  }
}
