#define CAF_SUITE protocol_message
#include <caf/test/unit_test.hpp>

#include <string_view>

#include "crdt/protocol/message.hpp"
#include "tests/crdt/protocol/test_util.hpp"

using namespace zeal::crdt;
using namespace zeal::crdt::protocol;
using test::from_hex;
using test::to_hex;

namespace {

// Captured with node tests/crdt/protocol/js/ywsgen.cjs: y-websocket 1.5.4's bundled server (bin/utils.js)
// and two WebsocketProvider clients (clientIDs 1234 and 99) talking over ws on localhost.
constexpr std::string_view server_step1_empty = "00000100";    // server → client: SyncStep1 of an empty doc
constexpr std::string_view client_step1 = "00000401d20902";    // client → server: SyncStep1 {1234: 2}
constexpr std::string_view server_step2_empty = "0001020000";  // server → client: SyncStep2, empty update
constexpr std::string_view client_step2 = "00010d0101d209000401017402686900";
constexpr std::string_view server_update_echo = "00020c0101d2090284d20901012100";
constexpr std::string_view client_awareness =
    "012b01d20901267b2275736572223a7b226e616d65223a22416e6e222c22636f6c6f72223a2223663030227d7d";
constexpr std::string_view server_awareness_all =
    "013502d20901267b2275736572223a7b226e616d65223a22416e6e222c22636f6c6f72223a2223663030227d7d6301077b"
    "226e223a317d";
constexpr std::string_view client_awareness_null = "010901d20901046e756c6c";
// node tests/crdt/protocol/js/hpout.cjs: messageAuth (2) + y-protocols auth.writePermissionDenied.
constexpr std::string_view auth_denied = "0200096e6f20616363657373";

}  // namespace

CAF_TEST(decode_captured_y_websocket_frames) {
  {
    const bytes f = from_hex(server_step1_empty);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK(m->type == message_type::sync);
    CAF_CHECK(m->sync.type == sync_type::step1);
    CAF_CHECK_EQUAL(to_hex(m->sync.payload), "00");
  }
  {
    const bytes f = from_hex(client_step1);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK(m->sync.type == sync_type::step1);
    CAF_CHECK_EQUAL(to_hex(m->sync.payload), "01d20902");
    CAF_CHECK(test::borrows_from(m->sync.payload, f));
  }
  {
    const bytes f = from_hex(server_step2_empty);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK(m->sync.type == sync_type::step2);
    CAF_CHECK_EQUAL(to_hex(m->sync.payload), "0000");
  }
  {
    const bytes f = from_hex(server_update_echo);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK(m->sync.type == sync_type::update);
    CAF_CHECK_EQUAL(m->sync.payload.size(), 12u);
  }
  {
    const bytes f = from_hex(client_awareness);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK(m->type == message_type::awareness);
    CAF_CHECK_EQUAL(m->awareness.size(), 0x2bu);
    CAF_CHECK_EQUAL(m->awareness_offset, 2u);
    CAF_CHECK_EQUAL(m->awareness.data(), f.data() + 2);
  }
  {
    const bytes f = from_hex(auth_denied);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK(m->type == message_type::auth);
    CAF_CHECK(m->auth.type == auth_type::permission_denied);
    CAF_CHECK_EQUAL(m->auth.reason, "no access");
  }
}

CAF_TEST(encode_matches_y_websocket) {
  CAF_CHECK_EQUAL(to_hex(encode_sync_step1_frame(from_hex("00"))), server_step1_empty);
  CAF_CHECK_EQUAL(to_hex(encode_sync_step1_frame(from_hex("01d20902"))), client_step1);
  CAF_CHECK_EQUAL(to_hex(encode_sync_step2_frame(from_hex("0000"))), server_step2_empty);
  CAF_CHECK_EQUAL(to_hex(encode_update_frame(from_hex("0101d2090284d20901012100"))), server_update_echo);
  CAF_CHECK_EQUAL(to_hex(encode_awareness_frame(from_hex(std::string(client_awareness.substr(4))))),
                  client_awareness);
  CAF_CHECK_EQUAL(to_hex(encode_permission_denied_frame("no access")), auth_denied);
  CAF_CHECK_EQUAL(to_hex(encode_permission_granted_frame()), "0201");  // yrs
  CAF_CHECK_EQUAL(to_hex(encode_query_awareness_frame()), "03");
  CAF_CHECK_EQUAL(to_hex(encode_custom_frame(from_hex("abcd"))), "04abcd");
}

CAF_TEST(reencode_is_identity) {
  for (std::string_view hex :
       {server_step1_empty, client_step1, server_step2_empty, client_step2, server_update_echo,
        client_awareness, server_awareness_all, client_awareness_null, auth_denied, std::string_view("0201"),
        std::string_view("03"), std::string_view("04"), std::string_view("04000102ff")}) {
    const bytes f = from_hex(hex);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK_EQUAL(to_hex(encode_message(*m)), hex);
  }
}

CAF_TEST(custom_frames_relay_the_rest) {
  const bytes f = from_hex("04deadbeef");
  auto m = decode_message(f);
  CAF_REQUIRE(m.ok());
  CAF_CHECK(m->type == message_type::custom);
  CAF_CHECK_EQUAL(to_hex(m->custom), "deadbeef");
  CAF_CHECK_EQUAL(m->custom.data(), f.data() + 1);
  CAF_CHECK_EQUAL(to_string(m->type), "custom");
}

CAF_TEST(bad_types_are_errors) {
  // Outer types 5.. are unknown.
  for (std::string_view hex : {"05", "0500", "7f", "8001"}) {
    auto m = decode_message(from_hex(hex));
    CAF_REQUIRE(!m.ok());
    CAF_CHECK_EQUAL(m.err().offset, 0u);
  }
  // Unknown sync subtype at offset 1.
  auto s = decode_message(from_hex("000300"));
  CAF_REQUIRE(!s.ok());
  CAF_CHECK_EQUAL(s.err().offset, 1u);
  // Unknown auth subtype at offset 1.
  auto a = decode_message(from_hex("0202"));
  CAF_REQUIRE(!a.ok());
  CAF_CHECK_EQUAL(a.err().offset, 1u);
  // Invalid UTF-8 in a denial reason.
  CAF_CHECK(!decode_message(from_hex("020002c328")).ok());
  // Empty frame.
  CAF_CHECK(!decode_message({}).ok());
}

CAF_TEST(truncated_at_every_byte_is_an_error) {
  for (std::string_view hex : {server_step1_empty, client_step1, server_step2_empty, client_step2,
                               server_update_echo, client_awareness, server_awareness_all,
                               client_awareness_null, auth_denied, std::string_view("0201")}) {
    const bytes f = from_hex(hex);
    for (std::size_t n = 0; n < f.size(); ++n) {
      auto m = decode_message(test::prefix(f, n));
      CAF_CHECK(!m.ok());
      if (!m.ok()) CAF_CHECK_LESS_OR_EQUAL(m.err().offset, n);
    }
  }
}
