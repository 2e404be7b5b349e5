#define CAF_SUITE actors_seed_command
#include <caf/test/unit_test.hpp>

#include <string>

#include "actors/seed_command.hpp"

using namespace zeal::actors;

namespace {

std::string error_of(const std::string& text) {
  auto c = parse_seed_command(text);
  return c.type == seed_command::kind::invalid ? c.error : std::string{"valid"};
}

}  // namespace

CAF_TEST(join and leave) {
  auto j = parse_seed_command(R"({"action":"join","room":"doc-1"})");
  CAF_CHECK(j.type == seed_command::kind::join);
  CAF_CHECK_EQUAL(j.room, "doc-1");
  auto j2 = parse_seed_command(R"( { "room" : "caf\u00e9", "action" : "join", "extra": [1] } )");
  CAF_CHECK(j2.type == seed_command::kind::join);
  CAF_CHECK_EQUAL(j2.room, "caf\xc3\xa9");
  auto l = parse_seed_command(R"({"action":"leave"})");
  CAF_CHECK(l.type == seed_command::kind::leave);
  auto l2 = parse_seed_command(R"({"action":"leave","room":"ignored"})");
  CAF_CHECK(l2.type == seed_command::kind::leave);
}

CAF_TEST(errors) {
  CAF_CHECK_EQUAL(error_of("").rfind("invalid JSON: ", 0), 0u);
  CAF_CHECK_EQUAL(error_of("{\"action\":").rfind("invalid JSON: ", 0), 0u);
  CAF_CHECK_EQUAL(error_of("\"join\""), "expected a JSON object");
  CAF_CHECK_EQUAL(error_of("null"), "expected a JSON object");
  CAF_CHECK_EQUAL(error_of("{}"), "missing \"action\"");
  CAF_CHECK_EQUAL(error_of(R"({"action":1})"), "\"action\" must be a string");
  CAF_CHECK_EQUAL(error_of(R"({"action":"JOIN","room":"r"})"), "unknown action: JOIN");
  CAF_CHECK_EQUAL(error_of(R"({"action":"join"})"), "missing \"room\"");
  CAF_CHECK_EQUAL(error_of(R"({"action":"join","room":null})"), "\"room\" must be a string");
  CAF_CHECK_EQUAL(error_of(R"({"action":"join","room":["r"]})"), "\"room\" must be a string");
}

CAF_TEST(error text is json) {
  CAF_CHECK_EQUAL(seed_error_text("not in a room"), R"({"error":"not in a room"})");
  CAF_CHECK_EQUAL(seed_error_text("a \"b\"\n"), R"({"error":"a \"b\"\n"})");
}
