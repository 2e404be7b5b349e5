#define CAF_SUITE update_block
#include <caf/test/unit_test.hpp>

#include <string>

#include "crdt/lib0/error.hpp"
#include "crdt/update/block.hpp"
#include "crdt/update/update_decoder.hpp"
#include "crdt/update/update_encoder.hpp"
#include "tests/crdt/update/hex.hpp"

using namespace zeal::crdt;
using zeal::crdt::test::from_hex;
using zeal::crdt::test::to_hex;

namespace {

std::string write_hex(const block& b, std::uint64_t offset, update_format format = update_format::v1) {
  auto enc = make_update_encoder(format);
  write_block(*enc, b, offset);
  return to_hex(enc->to_bytes());
}

block read_hex(std::string_view hex, id at, update_format format = update_format::v1) {
  auto data = from_hex(hex);
  auto dec = make_update_decoder(data, format);
  return read_block(*dec, at);
}

item_block make_item(id at, std::optional<id> origin, std::optional<id> right, parent_ref parent,
                     std::optional<std::string> sub, content c) {
  item_block it;
  it.id = at;
  it.origin = origin;
  it.right_origin = right;
  it.parent = std::move(parent);
  it.parent_sub = std::move(sub);
  it.content = std::move(c);
  return it;
}

}  // namespace

CAF_TEST(gc_and_skip) {
  block gc = gc_block{{3, 4}, 5};
  CAF_CHECK_EQUAL(block_length(gc), 5u);
  CAF_CHECK_EQUAL(write_hex(gc, 0), "0005");
  CAF_CHECK_EQUAL(write_hex(gc, 2), "0003");
  auto back = read_hex("0005", {3, 4});
  CAF_REQUIRE(std::holds_alternative<gc_block>(back));
  CAF_CHECK(block_id(back) == (id{3, 4}));
  CAF_CHECK_EQUAL(block_length(back), 5u);

  block skip = skip_block{{3, 9}, 5};
  CAF_CHECK_EQUAL(write_hex(skip, 0), "0a05");
  CAF_CHECK_EQUAL(write_hex(skip, 1), "0a04");
  // v2: the Skip length goes to the rest stream, not the len column. Bytes from Yjs 13.6.33:
  // e = new UpdateEncoderV2(); e.writeInfo(10); encoding.writeVarUint(e.restEncoder, 5)
  CAF_CHECK_EQUAL(write_hex(skip, 0, update_format::v2), "0000000000010a010000000005");
  auto sk = read_hex("0000000000010a010000000005", {1, 2}, update_format::v2);
  CAF_REQUIRE(std::holds_alternative<skip_block>(sk));
  CAF_CHECK_EQUAL(block_length(sk), 5u);
  // Any info byte with low bits 0 is GC (readClientsStructRefs switches on info & 31).
  CAF_CHECK(std::holds_alternative<gc_block>(read_hex("8002", {0, 0})));
}

// Expected bytes: Yjs 13.6.33 `new Item(...).write(new UpdateEncoderV1(), offset)`.
CAF_TEST(item_write_like_yjs) {
  // Origin (5,3), right origin (6,1), parentSub "key": info e4, parentSub flag set but not written.
  block a = make_item({5, 10}, id{5, 3}, id{6, 1}, std::monostate{}, "key", content_string{u"hello"});
  CAF_CHECK_EQUAL(write_hex(a, 0), "e4050306010568656c6c6f");
  // From offset 2: origin becomes (5, 11), content "llo".
  CAF_CHECK_EQUAL(write_hex(a, 2), "e4050b0601036c6c6f");
  // Parent is a nested type (ID), with a map key.
  block b = make_item({5, 10}, std::nullopt, std::nullopt, id{4, 2}, "key", content_any{{1, 2, 3}});
  CAF_CHECK_EQUAL(write_hex(b, 0), "28000402036b6579037d017d027d03");
  CAF_CHECK_EQUAL(write_hex(b, 1), "a8050a027d027d03");
  CAF_CHECK_EQUAL(write_hex(b, 0, update_format::v2), "00000104010400012805036b65790301000001037d017d027d03");
  block c =
      make_item({5, 10}, std::nullopt, std::nullopt, std::string("root"), std::nullopt, content_deleted{4});
  CAF_CHECK_EQUAL(write_hex(c, 0), "010104726f6f7404");
}

CAF_TEST(item_read) {
  auto a = read_hex("e4050306010568656c6c6f", {5, 10});
  CAF_REQUIRE(std::holds_alternative<item_block>(a));
  const auto& ia = std::get<item_block>(a);
  CAF_CHECK(ia.origin == (id{5, 3}));
  CAF_CHECK(ia.right_origin == (id{6, 1}));
  // With a neighbour the parent (and parentSub) is not encoded: copied on integration.
  CAF_CHECK(std::holds_alternative<std::monostate>(ia.parent));
  CAF_CHECK(!ia.parent_sub);
  CAF_CHECK(ia.content.get_if<content_string>()->text == u"hello");
  CAF_CHECK_EQUAL(block_length(a), 5u);

  auto b = read_hex("28000402036b6579037d017d027d03", {5, 10});
  const auto& ib = std::get<item_block>(b);
  CAF_CHECK(!ib.origin);
  CAF_CHECK(!ib.right_origin);
  CAF_REQUIRE(std::holds_alternative<id>(ib.parent));
  CAF_CHECK(std::get<id>(ib.parent) == (id{4, 2}));
  CAF_CHECK(ib.parent_sub == std::optional<std::string>("key"));
  CAF_CHECK_EQUAL(block_length(b), 3u);

  auto c = read_hex("010104726f6f7404", {5, 10});
  const auto& ic = std::get<item_block>(c);
  CAF_REQUIRE(std::holds_alternative<std::string>(ic.parent));
  CAF_CHECK_EQUAL(std::get<std::string>(ic.parent), "root");
  CAF_CHECK_EQUAL(ic.content.get_if<content_deleted>()->length, 4u);

  // v2 round trip of the nested-parent item.
  auto b2 = read_hex("00000104010400012805036b65790301000001037d017d027d03", {5, 10}, update_format::v2);
  CAF_CHECK(std::get<id>(std::get<item_block>(b2).parent) == (id{4, 2}));
}

CAF_TEST(slice) {
  block a = make_item({5, 10}, std::nullopt, id{6, 1}, std::string("t"), "k", content_string{u"hello"});
  auto s = slice_block(a, 2);
  const auto& is = std::get<item_block>(s);
  CAF_CHECK(is.id == (id{5, 12}));
  CAF_CHECK(is.origin == (id{5, 11}));
  CAF_CHECK(is.right_origin == (id{6, 1}));
  CAF_CHECK_EQUAL(std::get<std::string>(is.parent), "t");
  CAF_CHECK(is.parent_sub == std::optional<std::string>("k"));
  CAF_CHECK(is.content.get_if<content_string>()->text == u"llo");
  // The source is untouched.
  CAF_CHECK(std::get<item_block>(a).content.get_if<content_string>()->text == u"hello");
  // Writing the slice equals writing the original from the offset.
  CAF_CHECK_EQUAL(write_hex(s, 0), write_hex(a, 2));
  auto g = slice_block(gc_block{{1, 0}, 10}, 4);
  CAF_CHECK(block_id(g) == (id{1, 4}));
  CAF_CHECK_EQUAL(block_length(g), 6u);
  auto k = slice_block(skip_block{{1, 0}, 10}, 9);
  CAF_CHECK(std::holds_alternative<skip_block>(k));
  CAF_CHECK_EQUAL(block_length(k), 1u);
}

CAF_TEST(read_errors) {
  auto error_of = [](std::string_view hex) -> std::string {
    try {
      read_hex(hex, {0, 0});
      return "";
    } catch (const decode_error& e) {
      return e.err().message;
    }
  };
  CAF_CHECK_EQUAL(error_of("11"), "unknown content ref 17");
  CAF_CHECK_EQUAL(error_of("0b"), "unknown content ref 11");
  CAF_CHECK_EQUAL(error_of("0000"), "struct of length 0");
  CAF_CHECK_EQUAL(error_of("0a00"), "struct of length 0");
  CAF_CHECK_EQUAL(error_of("04010174"
                           "00"),
                  "struct of length 0");         // empty string item
  CAF_CHECK(!error_of("0401").empty());          // truncated parent info
  CAF_CHECK(!error_of("840101").empty());        // truncated content
  CAF_CHECK(!error_of("040101740561").empty());  // string longer than the input
}
