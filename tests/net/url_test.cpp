#define CAF_SUITE net_url
#include <caf/test/unit_test.hpp>

#include "net/url.hpp"

using namespace zeal::net;

namespace {

std::string decoded(std::string_view s) {
  return percent_decode(s).value_or("<invalid>");
}

}  // namespace

CAF_TEST(target_path_stops_at_query_and_fragment) {
  CAF_CHECK_EQUAL(std::string(target_path("/room?x=1")), "/room");
  CAF_CHECK_EQUAL(std::string(target_path("/room#frag")), "/room");
  CAF_CHECK_EQUAL(std::string(target_path("/a/b?c#d")), "/a/b");
  CAF_CHECK_EQUAL(std::string(target_path("/plain")), "/plain");
  CAF_CHECK_EQUAL(std::string(target_path("")), "");
  CAF_CHECK_EQUAL(std::string(target_path("?only")), "");
}

CAF_TEST(percent_decode_valid) {
  CAF_CHECK_EQUAL(decoded("abc"), "abc");
  CAF_CHECK_EQUAL(decoded("a%20b"), "a b");
  CAF_CHECK_EQUAL(decoded("%2F%2f"), "//");
  CAF_CHECK_EQUAL(decoded("caf%C3%A9"), "caf\xC3\xA9");
  CAF_CHECK_EQUAL(decoded("a+b"), "a+b");  // '+' is not a space in a path
  CAF_CHECK_EQUAL(decoded("%00"), std::string(1, '\0'));
  CAF_CHECK_EQUAL(decoded(""), "");
  CAF_CHECK_EQUAL(decoded("%25"), "%");
}

CAF_TEST(percent_decode_invalid) {
  CAF_CHECK(!percent_decode("%"));
  CAF_CHECK(!percent_decode("%2"));
  CAF_CHECK(!percent_decode("abc%"));
  CAF_CHECK(!percent_decode("%zz"));
  CAF_CHECK(!percent_decode("%g0"));
  CAF_CHECK(!percent_decode("%0g"));
  CAF_CHECK(!percent_decode("ok%2"));
}

CAF_TEST(ws_target_seed_protocol) {
  auto t = classify_ws_target("/ws");
  CAF_CHECK(t.protocol == ws_protocol::seed);
  CAF_CHECK(t.room.empty());
  t = classify_ws_target("/ws?token=abc");
  CAF_CHECK(t.protocol == ws_protocol::seed);
  // Only exactly /ws: anything else is a y-websocket room.
  t = classify_ws_target("/ws/");
  CAF_CHECK(t.protocol == ws_protocol::y_websocket);
  CAF_CHECK_EQUAL(t.room, "ws/");
  t = classify_ws_target("/wss");
  CAF_CHECK(t.protocol == ws_protocol::y_websocket);
  CAF_CHECK_EQUAL(t.room, "wss");
  t = classify_ws_target("/%77s");  // decodes to "ws", but the path is not "/ws"
  CAF_CHECK(t.protocol == ws_protocol::y_websocket);
  CAF_CHECK_EQUAL(t.room, "ws");
}

CAF_TEST(ws_target_y_websocket_rooms) {
  auto t = classify_ws_target("/my-room?foo=bar&x=1");
  CAF_CHECK(t.protocol == ws_protocol::y_websocket);
  CAF_CHECK(t.room_ok);
  CAF_CHECK_EQUAL(t.room, "my-room");
  t = classify_ws_target("/caf%C3%A9%20room");
  CAF_CHECK(t.room_ok);
  CAF_CHECK_EQUAL(t.room, "caf\xC3\xA9 room");
  t = classify_ws_target("/a/b");
  CAF_CHECK_EQUAL(t.room, "a/b");
  t = classify_ws_target("/a+b");
  CAF_CHECK_EQUAL(t.room, "a+b");
  t = classify_ws_target("/");
  CAF_CHECK(t.room_ok);
  CAF_CHECK(t.room.empty());  // rejected later by the room-name rule
  t = classify_ws_target("/bad%zzname");
  CAF_CHECK(!t.room_ok);
  t = classify_ws_target("/trailing%");
  CAF_CHECK(!t.room_ok);
  t = classify_ws_target("/%0A");
  CAF_CHECK(t.room_ok);
  CAF_CHECK_EQUAL(t.room, "\n");  // decoded; the control character is refused by the room-name rule
}
