#define CAF_SUITE actors_directory
#define FAIL(x) CAF_FAIL(x)
#include <caf/test/dsl.hpp>

#include "tests/actors/actor_test_support.hpp"

using namespace zeal::actors;
using namespace zeal::actors::test;
using namespace std::chrono_literals;

namespace {

struct directory_fixture : actor_fixture {
  caf::actor dir;

  directory_fixture() {
    limits.max_rooms = 2;
    limits.room_timeout = 5min;
    dir = make_directory();
  }

  caf::actor get(const std::string& name) { return ask<caf::actor>(dir, get_atom::value, name); }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(directory_tests, directory_fixture)

CAF_TEST(get spawns a room once per name) {
  auto a1 = get("a");
  auto a2 = get("a");
  auto b = get("b");
  CAF_CHECK(a1 != nullptr);
  CAF_CHECK_EQUAL(a1, a2);
  CAF_CHECK(a1 != b);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 2);
  CAF_CHECK_EQUAL(metrics->rooms_loaded_total.load(), 2u);
}

CAF_TEST(max rooms is enforced with 1013) {
  get("a");
  get("b");
  auto err = ask_error(dir, get_atom::value, std::string{"c"});
  CAF_CHECK_EQUAL(error_close_code(err), 1013);
  CAF_CHECK_EQUAL(error_reason(err), "server full (max-rooms 2)");
  CAF_CHECK_EQUAL(metrics->rooms.load(), 2);
  get("a");  // loaded rooms are still served
}

CAF_TEST(invalid names are refused with 1008) {
  auto err = ask_error(dir, get_atom::value, std::string(300, 'x'));
  CAF_CHECK_EQUAL(error_close_code(err), 1008);
  CAF_CHECK_EQUAL(error_reason(err), "invalid room name: longer than 256 bytes");
}

CAF_TEST(json and update of unknown rooms are room not found) {
  auto err = ask_error(dir, json_atom::value, std::string{"nope"});
  CAF_CHECK_EQUAL(error_reason(err), "room not found");
  CAF_CHECK_EQUAL(error_close_code(err), 0);
  err = ask_error(dir, update_atom::value, std::string{"nope"});
  CAF_CHECK_EQUAL(error_reason(err), "room not found");
  CAF_CHECK_EQUAL(metrics->rooms.load(), 0);  // inspection never loads a room
}

CAF_TEST(json and update are forwarded to a loaded room) {
  auto room = get("a");
  auto [m, rec] = make_recording_client();
  CAF_REQUIRE(join(room, 1, m).accepted);
  doc_writer w{3};
  send_frame(room, 1, update_frame(w.insert(0, "hi")));
  run_messages();
  CAF_CHECK_EQUAL(ask<std::string>(dir, json_atom::value, std::string{"a"}), w.doc().to_json());
  CAF_CHECK_EQUAL(ask<bytes>(dir, update_atom::value, std::string{"a"}), w.doc().encode_state_as_update());
}

CAF_TEST(idle rooms are unloaded and reloaded on demand) {
  auto a = get("a");
  auto down = watch(a);
  advance_time(5min);
  run_messages();
  CAF_CHECK(*down);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 0);
  CAF_CHECK_EQUAL(metrics->rooms_unloaded_total.load(), 1u);
  auto err = ask_error(dir, json_atom::value, std::string{"a"});
  CAF_CHECK_EQUAL(error_reason(err), "room not found");
  auto a2 = get("a");
  CAF_CHECK(a2 != a);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 1);
  CAF_CHECK_EQUAL(metrics->rooms_loaded_total.load(), 2u);
}

CAF_TEST(a room that crashes is forgotten) {
  auto a = get("a");
  caf::anon_send_exit(a, caf::exit_reason::kill);
  run_messages();
  CAF_CHECK_EQUAL(metrics->rooms.load(), 0);
  CAF_CHECK(get("a") != a);
}

CAF_TEST(shutdown stops every room then the directory) {
  auto a = get("a");
  auto b = get("b");
  auto [m, rec] = make_recording_client();
  CAF_REQUIRE(join(a, 1, m).accepted);
  auto down_a = watch(a);
  auto down_b = watch(b);
  auto down_dir = watch(dir);
  caf::anon_send(dir, shutdown_atom::value);
  run_messages();
  CAF_CHECK(*down_a);
  CAF_CHECK(*down_b);
  CAF_CHECK(*down_dir);
  CAF_CHECK_EQUAL(metrics->rooms.load(), 0);
  CAF_CHECK_EQUAL(metrics->room_clients.load(), 0);
}

CAF_TEST(shutdown with no rooms stops the directory at once) {
  auto down = watch(dir);
  caf::anon_send(dir, shutdown_atom::value);
  run_messages();
  CAF_CHECK(*down);
}

CAF_TEST_FIXTURE_SCOPE_END()
