#define CAF_SUITE persistence_keys
#include <caf/test/unit_test.hpp>

#include "persistence/keys.hpp"

using namespace zeal::persistence;

CAF_TEST(room prefixes are prefix free) {
  using namespace std::string_literals;
  std::vector<std::string> rooms{"a", "a\0"s, "ab", "b", std::string(200, 'x'), std::string(201, 'x')};
  for (const auto& r1 : rooms) {
    for (const auto& r2 : rooms) {
      if (r1 == r2) continue;
      auto p1 = keys::room_prefix(r1);
      auto k2 = keys::log_key(keys::room_prefix(r2), 0);
      CAF_CHECK(k2.compare(0, p1.size(), p1) != 0 || k2.size() < p1.size());
    }
  }
}

CAF_TEST(room prefix round trip) {
  using namespace std::string_literals;
  for (std::string room : {"a"s, "a\0"s, "room/with spaces"s, std::string(300, '\xff')}) {
    auto key = keys::log_key(keys::room_prefix(room), 42);
    auto p = keys::decode_room_prefix(key);
    CAF_REQUIRE(p.has_value());
    CAF_CHECK_EQUAL(p->room, room);
    CAF_CHECK_EQUAL(keys::decode_log_seq(key, p->size).value_or(0), 42u);
    CAF_CHECK(!keys::decode_log_seq(key + "x", p->size));
  }
  CAF_CHECK(!keys::decode_room_prefix(""));
  CAF_CHECK(
      !keys::decode_room_prefix("\x05"
                                "ab"));
  CAF_CHECK(!keys::decode_room_prefix(std::string("\0", 1)));
}

CAF_TEST(log keys sort by sequence number) {
  auto p = keys::room_prefix("r");
  CAF_CHECK(keys::log_key(p, 1) < keys::log_key(p, 2));
  CAF_CHECK(keys::log_key(p, 255) < keys::log_key(p, 256));
  CAF_CHECK(keys::log_key(p, 0xffffffff) < keys::log_key(p, 0x100000000ull));
  auto succ = keys::prefix_successor(p);
  CAF_REQUIRE(succ.has_value());
  CAF_CHECK(keys::log_key(p, ~0ull) < *succ);
  CAF_CHECK(!keys::prefix_successor("\xff\xff"));
  CAF_CHECK_EQUAL(keys::prefix_successor("a\xff").value_or(""), "b");
}

CAF_TEST(meta round trip and printable) {
  auto v = keys::encode_meta({7, 1234});
  CAF_CHECK_EQUAL(v.size(), 17u);
  CAF_CHECK_EQUAL(keys::decode_meta(v).value_or(keys::meta{}).snapshot_seq, 7u);
  CAF_CHECK_EQUAL(keys::decode_meta(v).value_or(keys::meta{}).snapshot_bytes.value_or(0), 1234u);
  // Version 1 (no size) is still read.
  std::string v1(1, '\x01');
  keys::append_be64(v1, 9);
  auto m1 = keys::decode_meta(v1);
  CAF_REQUIRE(m1.has_value());
  CAF_CHECK_EQUAL(m1->snapshot_seq, 9u);
  CAF_CHECK(!m1->snapshot_bytes.has_value());
  CAF_CHECK(!keys::decode_meta(v1 + "x"));
  CAF_CHECK(!keys::decode_meta(std::string(1, '\x03') + v.substr(1)));
  CAF_CHECK(!keys::decode_meta("x"));
  CAF_CHECK_EQUAL(keys::printable(std::string("a\0\\", 3)), "a\\x00\\x5c");
}
