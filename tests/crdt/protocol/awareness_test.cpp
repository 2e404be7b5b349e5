#define CAF_SUITE protocol_awareness
#include <caf/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/protocol/awareness.hpp"
#include "crdt/protocol/message.hpp"
#include "tests/crdt/protocol/test_util.hpp"

using namespace zeal::crdt;
using namespace zeal::crdt::protocol;
using namespace std::chrono_literals;
using test::from_hex;
using test::to_hex;

namespace {

using ids = std::vector<std::uint64_t>;

bytes one(std::uint64_t client, std::uint64_t clock, std::string_view json) {
  awareness_entry e{client, clock, json};
  return encode_awareness_update(std::span<const awareness_entry>(&e, 1));
}

// By value: CAF_CHECK_EQUAL keeps references to its arguments beyond the full expression (so no
// `*optional_temporary` or `temporary->member` inside it either; optionals are compared with CAF_CHECK).
ids added(const result<awareness_change>& r) {
  return r.ok() ? r->added : ids{999};
}
ids updated(const result<awareness_change>& r) {
  return r.ok() ? r->updated : ids{999};
}
ids removed(const result<awareness_change>& r) {
  return r.ok() ? r->removed : ids{999};
}

struct step {
  std::string_view update;  // hex
  ids added, updated, removed, updated_changed;
};

}  // namespace

// node tests/crdt/protocol/js/awgen.cjs: each update applied to a real y-protocols 1.0.7 Awareness and
// its 'update' event (added/updated/removed) and 'change'.updated recorded. Two deliberate differences,
// marked (*): a client that comes back after its state was removed (or after a null for it) is reported as
// added (y-protocols: updated), since it gets a state again.
CAF_TEST(clock_rules_match_y_protocols) {
  const step steps[] = {
      {"010a00077b2261223a307d", {}, {}, {}, {}},      // 10@0: clock 0 of an unknown client: ignored
      {"010a01077b2261223a317d", {10}, {}, {}, {}},    // 10@1 {"a":1}: added
      {"010a01077b2261223a327d", {}, {}, {}, {}},      // 10@1 again: not newer
      {"010a02077b2261223a317d", {}, {10}, {}, {}},    // 10@2 same JSON: updated, not changed
      {"010a03077b2261223a327d", {}, {10}, {}, {10}},  // 10@3 {"a":2}: updated and changed
      {"010a03046e756c6c", {}, {}, {10}, {}},          // 10@3 null while holding a state: removed
      {"010a03046e756c6c", {}, {}, {}, {}},            // 10@3 null again: nothing held
      {"010a04046e756c6c", {}, {}, {10}, {}},          // 10@4 null: reported removed again
      {"010a05077b2262223a317d", {10}, {}, {}, {}},    // 10@5 (*) y-protocols: updated [10]
      {"010b05046e756c6c", {}, {}, {}, {}},            // 11@5 null, unknown: clock recorded
      {"010b03077b2263223a317d", {}, {}, {}, {}},      // 11@3: older than the recorded 5
      {"010b06077b2263223a317d", {11}, {}, {}, {}},    // 11@6 (*) y-protocols: updated [11]
      {"031401027b7d1501027b7d1402046e756c6c", {20, 21}, {}, {20}, {}},  // 20@1, 21@1, 20@2 null
      {"020a09077b2262223a317d1501077b2278223a307d", {}, {10}, {}, {}},  // 10@9 refresh, 21@1 stale
  };
  awareness aw;
  auto now = awareness::to_time(1000ms);
  for (const auto& s : steps) {
    CAF_MESSAGE("update " << s.update);
    auto change = aw.apply_update(from_hex(s.update), 1, now);
    CAF_REQUIRE(change.ok());
    CAF_CHECK_EQUAL(change->added, s.added);
    CAF_CHECK_EQUAL(change->updated, s.updated);
    CAF_CHECK_EQUAL(change->removed, s.removed);
    CAF_CHECK_EQUAL(change->updated_changed, s.updated_changed);
    now += 10ms;
  }
  // JS: encodeAwarenessUpdate(a, Array.from(a.getStates().keys())), Map insertion order 10, 11, 21.
  CAF_CHECK_EQUAL(to_hex(aw.encode_all()), "030a09077b2262223a317d0b06077b2263223a317d1501027b7d");
  CAF_CHECK_EQUAL(aw.size(), 3u);
  CAF_CHECK_EQUAL(aw.clients(), (ids{10, 11, 21}));
  CAF_CHECK(aw.clock(20) == 2u);
  CAF_CHECK(!aw.state(20));
  CAF_CHECK_EQUAL(std::string(*aw.state(11)), R"({"c":1})");
}

CAF_TEST(encode_all_matches_js_map_order_and_53_bit_ids) {
  // node hpout.cjs: 300@3 {"x":1}, (2^53-1)@1 {}, 7@2 "s" applied into a y-protocols Awareness, then all.
  awareness aw;
  const std::uint64_t big = (std::uint64_t{1} << 53) - 1;
  CAF_REQUIRE(aw.apply_update(one(300, 3, R"({"x":1})"), 1, 0ms).ok());
  CAF_REQUIRE(aw.apply_update(one(big, 1, "{}"), 1, 0ms).ok());
  CAF_REQUIRE(aw.apply_update(one(7, 2, R"("s")"), 2, 0ms).ok());
  CAF_CHECK_EQUAL(to_hex(aw.encode_all()), "03ac0203077b2278223a317dffffffffffffff0f01027b7d070203227322");
  const std::uint64_t two[] = {7, 300};
  CAF_CHECK_EQUAL(to_hex(aw.encode_clients(two)), "02070203227322ac0203077b2278223a317d");
  // y-protocols encodeAwarenessUpdate of a local Awareness (clientID 1234) after setLocalState(...) / null.
  awareness local;
  CAF_REQUIRE(
      local
          .apply_update(from_hex("01d209011f7b2275736572223a7b226e616d65223a225a6fc3ab222c226964223a357d7d"),
                        9, 0ms)
          .ok());
  CAF_CHECK_EQUAL(std::string(*local.state(1234)), "{\"user\":{\"name\":\"Zo\xc3\xab\",\"id\":5}}");
  auto change = local.apply_update(from_hex("01d20902046e756c6c"), 9, 0ms);
  CAF_REQUIRE(change.ok());
  CAF_CHECK_EQUAL(change->removed, (ids{1234}));
  CAF_CHECK_EQUAL(to_hex(local.encode_all()), "00");
  const std::uint64_t c1234[] = {1234, 555};
  CAF_CHECK_EQUAL(to_hex(local.encode_clients(c1234)), "01d20902046e756c6c");  // unknown 555 skipped
}

CAF_TEST(remove_connection_matches_y_websocket_server) {
  // ywsgen.cjs: after the connection that sent 1234@1 closed, the y-websocket server broadcast
  // 0109 01d20901046e756c6c (the same clock: removeAwarenessStates does not bump remote clocks).
  awareness aw;
  auto now = awareness::to_time(5s);
  const bytes ann =
      from_hex("01d20901267b2275736572223a7b226e616d65223a22416e6e222c22636f6c6f72223a2223663030227d7d");
  CAF_REQUIRE(aw.apply_update(ann, 1, now).ok());
  CAF_REQUIRE(aw.apply_update(from_hex("016301077b226e223a317d"), 2, now).ok());
  CAF_CHECK_EQUAL(aw.connection_clients(1), (ids{1234}));
  CAF_CHECK(aw.owner(99) == 2u);
  auto removal = aw.remove_connection(1, now);
  CAF_CHECK_EQUAL(removal.clients, (ids{1234}));
  CAF_CHECK_EQUAL(to_hex(encode_awareness_frame(removal.update)), "010901d20901046e756c6c");
  CAF_CHECK(!aw.state(1234));
  CAF_CHECK_EQUAL(aw.size(), 1u);
  CAF_CHECK(aw.connection_clients(1).empty());
  // Nothing left on that connection.
  auto again = aw.remove_connection(1, now);
  CAF_CHECK(again.clients.empty());
  CAF_CHECK(again.update.empty());
  // A peer holding 1234@1 accepts the removal (equal clock, null, state held).
  awareness peer;
  CAF_REQUIRE(peer.apply_update(ann, 7, now).ok());
  auto applied = peer.apply_update(removal.update, 7, now);
  CAF_REQUIRE(applied.ok());
  CAF_CHECK_EQUAL(applied->removed, (ids{1234}));
}

CAF_TEST(removal_clock_increment) {
  awareness_config cfg;
  cfg.removal_clock_increment = 1;
  awareness aw(cfg);
  CAF_REQUIRE(aw.apply_update(one(5, 3, "{}"), 1, 0ms).ok());
  const std::uint64_t five[] = {5};
  CAF_CHECK_EQUAL(aw.encode_removal(five), one(5, 4, "null"));
  CAF_CHECK(aw.clock(5) == 3u);  // encode_removal changes nothing
  auto removal = aw.remove_connection(1, 0ms);
  CAF_CHECK_EQUAL(removal.update, one(5, 4, "null"));
  CAF_CHECK(aw.clock(5) == 4u);
  // The same state at the old clock no longer comes back; a newer one does.
  CAF_CHECK(aw.apply_update(one(5, 4, "{}"), 1, 0ms)->empty());
  CAF_CHECK_EQUAL(added(aw.apply_update(one(5, 5, "{}"), 1, 0ms)), (ids{5}));
}

CAF_TEST(ownership_follows_the_last_accepted_update) {
  awareness aw;
  CAF_REQUIRE(aw.apply_update(one(5, 1, "{}"), 1, 0ms).ok());
  CAF_CHECK(aw.owner(5) == 1u);
  // A stale copy relayed by another connection does not take it over.
  CAF_CHECK(aw.apply_update(one(5, 1, "{}"), 2, 0ms)->empty());
  CAF_CHECK(aw.owner(5) == 1u);
  // The client reconnected on connection 2 and renewed there before connection 1's close was noticed.
  CAF_CHECK_EQUAL(updated(aw.apply_update(one(5, 2, "{}"), 2, 0ms)), (ids{5}));
  CAF_CHECK(aw.owner(5) == 2u);
  CAF_CHECK(aw.connection_clients(1).empty());
  CAF_CHECK(aw.remove_connection(1, 0ms).clients.empty());
  CAF_CHECK(aw.state(5));
  CAF_CHECK_EQUAL(aw.remove_connection(2, 0ms).clients, (ids{5}));
  // A client removing itself is no longer owned.
  CAF_REQUIRE(aw.apply_update(one(6, 1, "{}"), 3, 0ms).ok());
  CAF_REQUIRE(aw.apply_update(one(6, 2, "null"), 3, 0ms).ok());
  CAF_CHECK(!aw.owner(6));
  CAF_CHECK(aw.remove_connection(3, 0ms).clients.empty());
}

CAF_TEST(expiry_with_injected_time) {
  awareness aw;  // 30 s
  CAF_REQUIRE(aw.apply_update(one(1, 1, "{}"), 1, 0ms).ok());
  CAF_REQUIRE(aw.apply_update(one(2, 1, "{}"), 1, 10s).ok());
  CAF_CHECK(aw.expire(29999ms).clients.empty());
  auto r = aw.expire(30s);  // y-protocols: outdatedTimeout <= now - lastUpdated
  CAF_CHECK_EQUAL(r.clients, (ids{1}));
  CAF_CHECK_EQUAL(r.update, one(1, 1, "null"));
  CAF_CHECK_EQUAL(aw.connection_clients(1), (ids{2}));
  // Client 2 renews at 35 s: it lives until 65 s.
  CAF_CHECK_EQUAL(updated(aw.apply_update(one(2, 2, "{}"), 1, 35s)), (ids{2}));
  CAF_CHECK(aw.expire(64s).clients.empty());
  // The tombstone of client 1 (removed at 30 s) is forgotten at 60 s.
  CAF_CHECK_EQUAL(aw.entry_count(), 1u);
  CAF_CHECK(!aw.clock(1));
  CAF_CHECK_EQUAL(aw.expire(65s).clients, (ids{2}));
  CAF_CHECK_EQUAL(aw.size(), 0u);
  // A configurable timeout, and the time_point overloads.
  awareness_config cfg;
  cfg.timeout = 100ms;
  awareness fast(cfg);
  const auto t0 = awareness_clock::time_point{} + 1h;
  CAF_REQUIRE(fast.apply_update(one(9, 1, "{}"), 1, t0).ok());
  CAF_CHECK(fast.expire(t0 + 99ms).clients.empty());
  CAF_CHECK_EQUAL(fast.expire(t0 + 100ms).clients, (ids{9}));
}

CAF_TEST(malformed_updates_change_nothing) {
  awareness aw;
  CAF_REQUIRE(aw.apply_update(one(1, 1, R"({"a":1})"), 1, 0ms).ok());
  // Two entries; the second one is cut at every byte: the first must not be applied either.
  const awareness_entry entries[] = {{1, 2, R"({"a":2})"}, {2, 1, R"({"b":1})"}};
  const bytes full = encode_awareness_update(entries);
  for (std::size_t n = 0; n < full.size(); ++n) {
    auto r = aw.apply_update(test::prefix(full, n), 1, 0ms, 10);
    CAF_REQUIRE(!r.ok());
    CAF_CHECK_GREATER_OR_EQUAL(r.err().offset, 10u);
    CAF_CHECK_LESS_OR_EQUAL(r.err().offset, 10 + n);
  }
  CAF_CHECK_EQUAL(std::string(*aw.state(1)), R"({"a":1})");
  CAF_CHECK_EQUAL(aw.size(), 1u);
  // Invalid UTF-8 state.
  CAF_CHECK(!aw.apply_update(from_hex("01010502c328"), 1, 0ms).ok());
  // A count far beyond the input.
  CAF_CHECK(!aw.apply_update(from_hex("ffffffff0f"), 1, 0ms).ok());
  CAF_CHECK(aw.apply_update(full, 1, 0ms).ok());
  CAF_CHECK_EQUAL(aw.size(), 2u);
}

CAF_TEST(limits) {
  awareness_config cfg;
  cfg.max_entries_per_update = 2;
  cfg.max_state_bytes = 8;
  cfg.max_clients_per_connection = 3;
  cfg.max_clients = 5;
  awareness aw(cfg);
  const awareness_entry three[] = {{1, 1, "{}"}, {2, 1, "{}"}, {3, 1, "{}"}};
  auto r = aw.apply_update(encode_awareness_update(three), 1, 0ms);
  CAF_REQUIRE(!r.ok());
  CAF_CHECK_EQUAL(r.err().offset, 0u);
  auto big = aw.apply_update(one(1, 1, R"({"a":"xx"})"), 1, 0ms);  // 10 bytes
  CAF_REQUIRE(!big.ok());
  CAF_CHECK_EQUAL(big.err().offset, 3u);
  CAF_CHECK(aw.apply_update(one(1, 1, R"({"a":1})"), 1, 0ms).ok());
  const awareness_entry two[] = {{2, 1, "{}"}, {3, 1, "{}"}};
  CAF_CHECK(aw.apply_update(encode_awareness_update(two), 1, 0ms).ok());
  CAF_CHECK_EQUAL(aw.connection_clients(1).size(), 3u);
  // A fourth client on connection 1 is refused; refreshing an owned one is fine.
  CAF_CHECK(!aw.apply_update(one(4, 1, "{}"), 1, 0ms).ok());
  CAF_CHECK(aw.apply_update(one(3, 2, "{}"), 1, 0ms).ok());
  // Table limit: 5 entries. Two more from connection 2 fill it; a sixth is refused.
  CAF_CHECK(aw.apply_update(one(4, 1, "{}"), 2, 0ms).ok());
  CAF_CHECK(aw.apply_update(one(5, 1, "{}"), 2, 0ms).ok());
  CAF_CHECK(!aw.apply_update(one(6, 1, "{}"), 2, 0ms).ok());
  // Tombstones are dropped first when the table is full.
  CAF_CHECK(aw.apply_update(one(5, 2, "null"), 2, 0ms).ok());
  CAF_CHECK_EQUAL(aw.entry_count(), 5u);
  CAF_CHECK(aw.apply_update(one(6, 1, "{}"), 2, 0ms).ok());
  CAF_CHECK_EQUAL(aw.entry_count(), 5u);
  CAF_CHECK(!aw.clock(5));
}

CAF_TEST(null_detection) {
  CAF_CHECK(is_json_null("null"));
  CAF_CHECK(is_json_null(" \t\r\nnull \n"));
  CAF_CHECK(!is_json_null("nul"));
  CAF_CHECK(!is_json_null("\"null\""));
  CAF_CHECK(!is_json_null("{}"));
  CAF_CHECK(!is_json_null(""));
  // States are stored verbatim: whitespace included, nothing parsed.
  awareness aw;
  CAF_REQUIRE(aw.apply_update(one(3, 1, " { \"a\" : [1, 2] } "), 1, 0ms).ok());
  CAF_CHECK_EQUAL(std::string(*aw.state(3)), " { \"a\" : [1, 2] } ");
  CAF_CHECK_EQUAL(removed(aw.apply_update(one(3, 2, " null "), 1, 0ms)), (ids{3}));
}

CAF_TEST(errors_carry_frame_offsets) {
  // A y-websocket awareness frame whose state is invalid UTF-8: the error offset points into the frame
  // (at the string bytes, after the length).
  const bytes frame = from_hex("010601050102c328");
  auto m = decode_message(frame);
  CAF_REQUIRE(m.ok());
  CAF_CHECK_EQUAL(m->awareness_offset, 2u);
  awareness aw;
  auto r = aw.apply_update(m->awareness, 1, 0ms, m->awareness_offset);
  CAF_REQUIRE(!r.ok());
  CAF_CHECK_EQUAL(r.err().offset, 6u);
  CAF_CHECK_EQUAL(aw.entry_count(), 0u);
}
