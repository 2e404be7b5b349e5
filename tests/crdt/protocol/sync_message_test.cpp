#define CAF_SUITE protocol_sync_message
#include <caf/test/unit_test.hpp>

#include "crdt/protocol/sync_message.hpp"
#include "tests/crdt/protocol/test_util.hpp"

using namespace zeal::crdt;
using namespace zeal::crdt::protocol;
using test::from_hex;
using test::to_hex;

namespace {

// node tests/crdt/protocol/js/hpout.cjs: y-protocols 1.0.7 writeSyncStep1 / writeSyncStep2(sv = 00) /
// writeUpdate for a Y.Doc (clientID 1234) holding getText('t') = "hi".
constexpr std::string_view js_step1 = "000401d20902";
constexpr std::string_view js_step2 = "010d0101d209000401017402686900";
constexpr std::string_view js_update = "020d0101d209000401017402686900";
constexpr std::string_view js_state_vector = "01d20902";
constexpr std::string_view js_doc_update = "0101d209000401017402686900";

}  // namespace

CAF_TEST(encode_matches_y_protocols) {
  CAF_CHECK_EQUAL(to_hex(encode_sync_step1(from_hex(js_state_vector))), js_step1);
  CAF_CHECK_EQUAL(to_hex(encode_sync_step2(from_hex(js_doc_update))), js_step2);
  CAF_CHECK_EQUAL(to_hex(encode_sync_update(from_hex(js_doc_update))), js_update);
  lib0::encoder e;
  write_sync_message(e, sync_type::update, from_hex(js_doc_update));
  CAF_CHECK_EQUAL(to_hex(e.data()), js_update);
  CAF_CHECK_EQUAL(to_hex(encode_sync_step1({})), "0000");
}

CAF_TEST(decode_borrows_payload) {
  const std::pair<std::string_view, sync_type> cases[] = {
      {js_step1, sync_type::step1}, {js_step2, sync_type::step2}, {js_update, sync_type::update}};
  for (const auto& [hex, type] : cases) {
    const bytes frame = from_hex(hex);
    auto m = decode_sync_message(frame);
    CAF_REQUIRE(m.ok());
    CAF_CHECK(m->type == type);
    CAF_CHECK(test::borrows_from(m->payload, frame));
    CAF_CHECK_EQUAL(m->payload.data(), frame.data() + 2);
    CAF_CHECK_EQUAL(to_hex(m->payload), hex.substr(4));
    CAF_CHECK_EQUAL(to_hex(encode_sync_message(m->type, m->payload)), hex);
  }
  CAF_CHECK_EQUAL(to_string(sync_type::step2), "SyncStep2");
}

CAF_TEST(trailing_bytes_are_ignored) {
  bytes frame = from_hex(js_step1);
  frame.push_back(0x42);
  auto m = decode_sync_message(frame);
  CAF_REQUIRE(m.ok());
  CAF_CHECK_EQUAL(to_hex(m->payload), js_state_vector);
}

CAF_TEST(unknown_subtype_is_an_error) {
  for (std::string_view hex : {"0300", "0400", "7f00", "ff0100"}) {
    auto m = decode_sync_message(from_hex(hex));
    CAF_REQUIRE(!m.ok());
    CAF_CHECK_EQUAL(m.err().offset, 0u);
  }
  // Offsets are absolute when the message sits inside a frame.
  auto m = decode_sync_message(from_hex("0300"), 5);
  CAF_REQUIRE(!m.ok());
  CAF_CHECK_EQUAL(m.err().offset, 5u);
}

CAF_TEST(truncated_at_every_byte_is_an_error) {
  for (std::string_view hex : {js_step1, js_step2, js_update}) {
    const bytes frame = from_hex(hex);
    for (std::size_t n = 0; n < frame.size(); ++n) {
      auto m = decode_sync_message(test::prefix(frame, n));
      CAF_CHECK(!m.ok());
      if (!m.ok()) CAF_CHECK_LESS_OR_EQUAL(m.err().offset, n);
    }
  }
}

CAF_TEST(length_beyond_input_and_huge_varuints) {
  // Length 2^53-1 with 1 byte left: an error, nothing allocated.
  auto m = decode_sync_message(from_hex("01ffffffffffffff0f00"));
  CAF_REQUIRE(!m.ok());
  CAF_CHECK_EQUAL(m.err().offset, 1u);
  // A length past 2^53.
  CAF_CHECK(!decode_sync_message(from_hex("0180808080808080808001")).ok());
  // A subtype past 2^53.
  CAF_CHECK(!decode_sync_message(from_hex("80808080808080808001")).ok());
}
