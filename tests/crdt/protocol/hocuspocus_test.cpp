#define CAF_SUITE protocol_hocuspocus
#include <caf/test/unit_test.hpp>

#include <string>
#include <string_view>

#include "crdt/protocol/hocuspocus.hpp"
#include "tests/crdt/protocol/test_util.hpp"

using namespace zeal::crdt;
using namespace zeal::crdt::protocol;
using namespace zeal::crdt::protocol::hocuspocus;
using test::from_hex;
using test::to_hex;

namespace {

// Captured with node tests/crdt/protocol/js/hpgen.mjs: @hocuspocus/server 4.7.0 and @hocuspocus/provider
// 4.8.0 over ws on localhost (provider doc clientID 1234, text "hi", token "secret", document "doc1").
constexpr std::string_view v4_token =
    "04646f633102000673656372657405342e382e30";  // + providerVersion "4.8.0"
constexpr std::string_view step1 = "04646f633100000401d20902";
constexpr std::string_view awareness_ann =
    "04646f6331011c01d20901177b2275736572223a7b226e616d65223a22416e6e227d7d";
constexpr std::string_view authenticated_rw = "04646f633102020a726561642d7772697465";
constexpr std::string_view server_step1 = "04646f633100000100";
constexpr std::string_view step2 = "04646f633100010d0101d209000401017402686900";
constexpr std::string_view server_step2 = "04646f63310001020000";
constexpr std::string_view sync_status_ok = "04646f63310801";
constexpr std::string_view update = "04646f633100020c0101d2090284d20901012100";
constexpr std::string_view stateless = "04646f6331050470696e67";
constexpr std::string_view stateless_echo = "04646f633105096563686f3a70696e67";
constexpr std::string_view denied =
    "04646f63320201117065726d697373696f6e2d64656e696564";  // "permission-denied"
constexpr std::string_view awareness_null = "04646f6331010901d20902046e756c6c";
constexpr std::string_view client_close = "04646f633107";
constexpr std::string_view server_close = "04646f6331071270726f76696465725f696e69746961746564";
// hpgen.mjs with @hocuspocus/server + provider 3.4.4: the token has no providerVersion.
constexpr std::string_view v3_token = "04646f6331020006736563726574";
// node tests/crdt/protocol/js/hpout.cjs: @hocuspocus/server 4.7.0 OutgoingMessage.
constexpr std::string_view sync_status_refused = "04646f63310800";
constexpr std::string_view token_request = "04646f63310200";
constexpr std::string_view authenticated_ro = "04646f6331020208726561646f6e6c79";
constexpr std::string_view denied_go_away = "04646f6331020107676f2061776179";
constexpr std::string_view query_awareness = "04646f633103";
constexpr std::string_view broadcast_stateless = "04646f633106077b2261223a317d";
constexpr std::string_view sync_reply_step1 = "04646f633104000401d20902";
constexpr std::string_view close_bye = "04646f63310703627965";
constexpr std::string_view empty_name_query = "0003";
constexpr std::string_view session_key_query = "08646f63310061626303";  // "doc1\0abc"
constexpr std::string_view unicode_name_update =
    "0864c3b66bf09f988000020d0101d209000401017402686900";  // "dök😀"
// The Pong a real HocuspocusProviderWebsocket 4.8.0 sent back for a bare Ping (09).
constexpr std::string_view pong = "0a";

const std::string_view all_frames[] = {v4_token,
                                       step1,
                                       awareness_ann,
                                       authenticated_rw,
                                       server_step1,
                                       step2,
                                       server_step2,
                                       sync_status_ok,
                                       update,
                                       stateless,
                                       stateless_echo,
                                       denied,
                                       awareness_null,
                                       client_close,
                                       server_close,
                                       v3_token,
                                       sync_status_refused,
                                       token_request,
                                       authenticated_ro,
                                       denied_go_away,
                                       query_awareness,
                                       broadcast_stateless,
                                       sync_reply_step1,
                                       close_bye,
                                       empty_name_query,
                                       session_key_query,
                                       unicode_name_update,
                                       pong,
                                       "09"};

}  // namespace

CAF_TEST(decode_captured_frames) {
  {
    const bytes f = from_hex(v4_token);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK_EQUAL(m->document_name, "doc1");
    CAF_CHECK(m->type == message_type::auth);
    CAF_CHECK(m->auth.type == auth_type::token);
    CAF_CHECK(m->auth.has_token);
    CAF_CHECK_EQUAL(m->auth.token, "secret");
    CAF_CHECK(m->auth.has_provider_version);
    CAF_CHECK_EQUAL(m->auth.provider_version, "4.8.0");
  }
  {
    const bytes f = from_hex(v3_token);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK_EQUAL(m->auth.token, "secret");
    CAF_CHECK(!m->auth.has_provider_version);
  }
  {
    const bytes f = from_hex(token_request);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK(m->auth.type == auth_type::token);
    CAF_CHECK(!m->auth.has_token);
  }
  {
    const bytes f = from_hex(step1);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK(m->type == message_type::sync);
    CAF_CHECK(m->sync.type == sync_type::step1);
    CAF_CHECK_EQUAL(to_hex(m->sync.payload), "01d20902");
    CAF_CHECK_EQUAL(m->sync.payload.data(), f.data() + 8);
  }
  {
    const bytes f = from_hex(sync_reply_step1);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK(m->type == message_type::sync_reply);
    CAF_CHECK(m->sync.type == sync_type::step1);
  }
  {
    const bytes f = from_hex(awareness_ann);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK(m->type == message_type::awareness);
    CAF_CHECK_EQUAL(m->awareness_offset, 7u);
    CAF_CHECK_EQUAL(m->awareness.size(), 0x1cu);
    CAF_CHECK_EQUAL(m->awareness.data(), f.data() + 7);
  }
  {
    const bytes f = from_hex(authenticated_rw);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK(m->auth.type == auth_type::authenticated);
    CAF_CHECK_EQUAL(m->auth.scope, "read-write");
    CAF_CHECK(!m->auth.readonly());
  }
  {
    const bytes f = from_hex(authenticated_ro);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK(m->auth.readonly());
  }
  {
    const bytes f = from_hex(denied);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK_EQUAL(m->document_name, "doc2");
    CAF_CHECK(m->auth.type == auth_type::permission_denied);
    CAF_CHECK_EQUAL(m->auth.reason, "permission-denied");
  }
  {
    const bytes f = from_hex(sync_status_ok);
    auto ok = decode_message(f);
    CAF_REQUIRE(ok.ok());
    CAF_CHECK(ok->type == message_type::sync_status);
    CAF_CHECK(ok->applied);
    const bytes g = from_hex(sync_status_refused);
    auto refused = decode_message(g);
    CAF_REQUIRE(refused.ok());
    CAF_CHECK(!refused->applied);
  }
  {
    const bytes f = from_hex(stateless_echo);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK(m->type == message_type::stateless);
    CAF_CHECK_EQUAL(m->text, "echo:ping");
    const bytes g = from_hex(broadcast_stateless);
    auto b = decode_message(g);
    CAF_REQUIRE(b.ok());
    CAF_CHECK(b->type == message_type::broadcast_stateless);
    CAF_CHECK_EQUAL(b->text, "{\"a\":1}");
  }
  {
    const bytes f = from_hex(client_close);
    auto c = decode_message(f);
    CAF_REQUIRE(c.ok());
    CAF_CHECK(c->type == message_type::close);
    CAF_CHECK(!c->has_text);
    const bytes g = from_hex(server_close);
    auto s = decode_message(g);
    CAF_REQUIRE(s.ok());
    CAF_CHECK(s->has_text);
    CAF_CHECK_EQUAL(s->text, "provider_initiated");
  }
  {
    const bytes f = from_hex(unicode_name_update);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK_EQUAL(m->document_name, "d\xc3\xb6k\xf0\x9f\x98\x80");
    CAF_CHECK(m->sync.type == sync_type::update);
  }
  {
    const bytes f = from_hex(empty_name_query);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK_EQUAL(m->document_name, "");
    CAF_CHECK(m->type == message_type::query_awareness);
  }
}

CAF_TEST(ping_pong_are_bare) {
  const bytes ping = from_hex("09");
  auto p = decode_message(ping);
  CAF_REQUIRE(p.ok());
  CAF_CHECK(p->type == message_type::ping);
  CAF_CHECK_EQUAL(p->document_name, "");
  const bytes po = from_hex(pong);
  auto q = decode_message(po);
  CAF_REQUIRE(q.ok());
  CAF_CHECK(q->type == message_type::pong);
  CAF_CHECK_EQUAL(to_hex(encode_ping()), "09");
  CAF_CHECK_EQUAL(to_hex(encode_pong()), "0a");
  // A named frame whose name is 9 bytes long starts with 09 too.
  const bytes named = from_hex(
      "09616161616161616161"
      "03");
  auto n = decode_message(named);
  CAF_REQUIRE(n.ok());
  CAF_CHECK_EQUAL(n->document_name, "aaaaaaaaa");
  CAF_CHECK(n->type == message_type::query_awareness);
  // Ping/Pong inside a named frame are unknown types.
  auto bad = decode_message(from_hex("000a"));
  CAF_REQUIRE(!bad.ok());
  CAF_CHECK_EQUAL(bad.err().offset, 1u);
  // Any other single byte is truncated.
  CAF_CHECK(!decode_message(from_hex("08")).ok());
  CAF_CHECK(!decode_message(from_hex("00")).ok());
}

CAF_TEST(encode_matches_hocuspocus) {
  CAF_CHECK_EQUAL(to_hex(encode_token("doc1", "secret", "4.8.0")), v4_token);
  CAF_CHECK_EQUAL(to_hex(encode_token("doc1", "secret")), v3_token);
  CAF_CHECK_EQUAL(to_hex(encode_token_request("doc1")), token_request);
  CAF_CHECK_EQUAL(to_hex(encode_sync("doc1", sync_type::step1, from_hex("01d20902"))), step1);
  CAF_CHECK_EQUAL(to_hex(encode_sync("doc1", sync_type::step1, from_hex("00"))), server_step1);
  CAF_CHECK_EQUAL(to_hex(encode_sync("doc1", sync_type::step2, from_hex("0000"))), server_step2);
  CAF_CHECK_EQUAL(to_hex(encode_sync("doc1", sync_type::update, from_hex("0101d2090284d20901012100"))),
                  update);
  CAF_CHECK_EQUAL(to_hex(encode_sync_reply("doc1", sync_type::step1, from_hex("01d20902"))),
                  sync_reply_step1);
  CAF_CHECK_EQUAL(to_hex(encode_awareness("doc1", from_hex(std::string(awareness_ann.substr(14))))),
                  awareness_ann);
  CAF_CHECK_EQUAL(to_hex(encode_authenticated("doc1", false)), authenticated_rw);
  CAF_CHECK_EQUAL(to_hex(encode_authenticated("doc1", true)), authenticated_ro);
  CAF_CHECK_EQUAL(to_hex(encode_permission_denied("doc2", "permission-denied")), denied);
  CAF_CHECK_EQUAL(to_hex(encode_permission_denied("doc1", "go away")), denied_go_away);
  CAF_CHECK_EQUAL(to_hex(encode_query_awareness("doc1")), query_awareness);
  CAF_CHECK_EQUAL(to_hex(encode_query_awareness("")), empty_name_query);
  CAF_CHECK_EQUAL(to_hex(encode_query_awareness(std::string_view("doc1\0abc", 8))), session_key_query);
  CAF_CHECK_EQUAL(to_hex(encode_stateless("doc1", "ping")), stateless);
  CAF_CHECK_EQUAL(to_hex(encode_broadcast_stateless("doc1", "{\"a\":1}")), broadcast_stateless);
  CAF_CHECK_EQUAL(to_hex(encode_close("doc1")), client_close);
  CAF_CHECK_EQUAL(to_hex(encode_close("doc1", "provider_initiated")), server_close);
  CAF_CHECK_EQUAL(to_hex(encode_close("doc1", "bye")), close_bye);
  CAF_CHECK_EQUAL(to_hex(encode_sync_status("doc1", true)), sync_status_ok);
  CAF_CHECK_EQUAL(to_hex(encode_sync_status("doc1", false)), sync_status_refused);
}

CAF_TEST(reencode_is_identity) {
  for (auto hex : all_frames) {
    const bytes f = from_hex(hex);
    auto m = decode_message(f);
    CAF_REQUIRE(m.ok());
    CAF_CHECK_EQUAL(to_hex(encode_message(*m)), hex);
  }
}

CAF_TEST(session_routing_keys) {
  const bytes f = from_hex(session_key_query);
  auto m = decode_message(f);
  CAF_REQUIRE(m.ok());
  auto key = split_document_name(m->document_name);
  CAF_CHECK(key.has_session);
  CAF_CHECK_EQUAL(key.document_name, "doc1");
  CAF_CHECK_EQUAL(key.session_id, "abc");
  auto plain = split_document_name("doc1");
  CAF_CHECK(!plain.has_session);
  CAF_CHECK_EQUAL(plain.document_name, "doc1");
}

CAF_TEST(bad_types_are_errors) {
  // Unknown outer types (11.., and 9/10 with a name) at the type's offset.
  for (std::string_view hex : {"04646f63310b", "04646f633109", "04646f63317f", "04646f6331ff01"}) {
    auto m = decode_message(from_hex(hex));
    CAF_REQUIRE(!m.ok());
    CAF_CHECK_EQUAL(m.err().offset, 5u);
  }
  // Unknown sync subtype, unknown auth subtype, SyncStatus 2.
  for (std::string_view hex :
       {"04646f6331000300", "04646f633104030100", "04646f63310203", "04646f63310802"}) {
    auto m = decode_message(from_hex(hex));
    CAF_REQUIRE(!m.ok());
    CAF_CHECK_EQUAL(m.err().offset, 6u);
  }
  // Invalid UTF-8 in the document name, the token, a stateless payload.
  CAF_CHECK(!decode_message(from_hex("02c32803")).ok());
  CAF_CHECK(!decode_message(from_hex("0161020002c328")).ok());
  CAF_CHECK(!decode_message(from_hex("01610502c328")).ok());
  CAF_CHECK(!decode_message({}).ok());
}

CAF_TEST(truncated_frames) {
  // Every prefix either fails with an offset inside it or (where the prefix is itself a complete message,
  // e.g. a v3 token inside a v4 token) decodes to a message that re-encodes to exactly that prefix.
  std::size_t errors = 0;
  for (auto hex : all_frames) {
    const bytes f = from_hex(hex);
    for (std::size_t n = 0; n < f.size(); ++n) {
      auto m = decode_message(test::prefix(f, n));
      if (!m.ok()) {
        ++errors;
        CAF_CHECK_LESS_OR_EQUAL(m.err().offset, n);
      } else {
        CAF_CHECK_EQUAL(to_hex(encode_message(*m)), to_hex(test::prefix(f, n)));
      }
    }
  }
  CAF_CHECK_GREATER(errors, 350u);
  // The strict cases: these frames have no valid proper prefix (a server Close has one: the client Close).
  for (auto hex : {step1, awareness_ann, step2, update, stateless, denied, sync_status_ok}) {
    const bytes f = from_hex(hex);
    for (std::size_t n = 0; n < f.size(); ++n) CAF_CHECK(!decode_message(test::prefix(f, n)).ok());
  }
}
