#define CAF_SUITE actors_messages
#define FAIL(x) CAF_FAIL(x)
#include <caf/test/dsl.hpp>

// Every message the actors exchange must survive CAF's binary serialization, because the cluster puts
// rooms and clients on different nodes: each message is serialized as a whole caf::message (which needs
// every element type registered) and read back.

#include "actors/messages.hpp"
#include "tests/actors/actor_test_support.hpp"
#include "tests/actors/round_trip.hpp"

using namespace zeal::actors;

namespace {

struct fixture {
  test::actor_test_config cfg;
  caf::actor_system sys{cfg};

  caf::message round_trip(const caf::message& in) { return zeal::actors::test::round_trip(sys, in); }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(actors_messages_tests, fixture)

CAF_TEST(frames and bytes round trip) {
  bytes frame{0, 2, 3, 0xff, 0};
  auto out = round_trip(caf::make_message(frame_atom::value, std::uint64_t{42}, frame));
  CAF_REQUIRE((out.match_elements<frame_atom, std::uint64_t, bytes>()));
  CAF_CHECK_EQUAL(out.get_as<std::uint64_t>(1), 42u);
  CAF_CHECK(out.get_as<bytes>(2) == frame);
  auto push = round_trip(caf::make_message(push_atom::value, frame));
  CAF_REQUIRE((push.match_elements<push_atom, bytes>()));
  CAF_CHECK(push.get_as<bytes>(1) == frame);
}

CAF_TEST(join results round trip) {
  join_result r{false, 1013, "room full (max-clients-per-room 2)", {}};
  auto out = round_trip(caf::make_message(r));
  CAF_REQUIRE((out.match_elements<join_result>()));
  const auto& back = out.get_as<join_result>(0);
  CAF_CHECK_EQUAL(back.accepted, false);
  CAF_CHECK_EQUAL(back.close_code, 1013u);
  CAF_CHECK_EQUAL(back.reason, r.reason);
  join_result ok{true, 0, {}, {1, 7, 3}};
  auto ok_back = round_trip(caf::make_message(ok));
  CAF_REQUIRE((ok_back.match_elements<join_result>()));
  CAF_CHECK(ok_back.get_as<join_result>(0).state_vector == ok.state_vector);
}

CAF_TEST(control messages round trip) {
  auto close = round_trip(caf::make_message(close_atom::value, std::uint16_t{1007}, std::string{"bad"}));
  CAF_REQUIRE((close.match_elements<close_atom, std::uint16_t, std::string>()));
  CAF_CHECK_EQUAL(close.get_as<std::uint16_t>(1), 1007u);
  auto join =
      round_trip(caf::make_message(join_atom::value, std::uint64_t{7}, std::uint8_t{1}, caf::actor{}));
  CAF_REQUIRE((join.match_elements<join_atom, std::uint64_t, std::uint8_t, caf::actor>()));
  CAF_CHECK_EQUAL(join.get_as<std::uint8_t>(2), 1u);
  auto get = round_trip(caf::make_message(get_atom::value, std::string{"room/a"}));
  CAF_REQUIRE((get.match_elements<get_atom, std::string>()));
  CAF_CHECK_EQUAL(get.get_as<std::string>(1), "room/a");
  auto leave = round_trip(caf::make_message(leave_atom::value, std::uint64_t{9}));
  CAF_CHECK((leave.match_elements<leave_atom, std::uint64_t>()));
  auto unload = round_trip(caf::make_message(unload_atom::value, std::string{"r"}));
  CAF_CHECK((unload.match_elements<unload_atom, std::string>()));
}

CAF_TEST_FIXTURE_SCOPE_END()
