#define CAF_SUITE cluster_seeds
// ctest-labels: unit cluster
#include <caf/test/unit_test.hpp>

// The [cluster] seeds list (cluster/seeds.hpp): checked by the options loader, used by membership.

#include <string>
#include <vector>

#include "cluster/seeds.hpp"

using namespace zeal::cluster;

namespace {

/// The parsed list as "host|port host|port", or "error: <message>".
std::string parse(std::string_view text) {
  std::string error;
  auto seeds = parse_seeds(text, error);
  if (!seeds) return "error: " + error;
  std::string out;
  for (const auto& s : *seeds) out += (out.empty() ? "" : " ") + s.host + "|" + std::to_string(s.port);
  return out;
}

/// The one address `text` holds.
std::optional<cluster_address> parse_one(std::string_view text) {
  std::string error;
  auto seeds = parse_seeds(text, error);
  if (!seeds || seeds->size() != 1) return std::nullopt;
  return seeds->front();
}

}  // namespace

CAF_TEST(empty text is no seeds) {
  CAF_CHECK_EQUAL(parse(""), "");
  CAF_CHECK_EQUAL(parse("  \t "), "");
}

CAF_TEST(entries) {
  CAF_CHECK_EQUAL(parse("127.0.0.1:7101"), "127.0.0.1|7101");
  CAF_CHECK_EQUAL(parse("a:1,b:2"), "a|1 b|2");
  CAF_CHECK_EQUAL(parse(" a:1 , b:65535\t,c.example.org:7103 "), "a|1 b|65535 c.example.org|7103");
  CAF_CHECK_EQUAL(parse("[::1]:7101"), "::1|7101");
  // Duplicates are the membership's business (it skips known addresses).
  CAF_CHECK_EQUAL(parse("a:1,a:1"), "a|1 a|1");
}

CAF_TEST(bad entries are named) {
  CAF_CHECK_EQUAL(parse("a:1,,b:2"), "error: empty entry in the seed list \"a:1,,b:2\"");
  CAF_CHECK_EQUAL(parse("a:1,"), "error: empty entry in the seed list \"a:1,\"");
  CAF_CHECK_EQUAL(parse("host"), "error: seed \"host\" has no port (expected HOST:PORT)");
  CAF_CHECK_EQUAL(parse("host:"), "error: seed \"host:\" has no port (expected HOST:PORT)");
  CAF_CHECK_EQUAL(parse(":7101"), "error: seed \":7101\" has no host (expected HOST:PORT)");
  CAF_CHECK_EQUAL(parse("a:1,b:0"), "error: seed \"b:0\": port must be 1..65535");
  CAF_CHECK_EQUAL(parse("b:65536"), "error: seed \"b:65536\": port must be 1..65535");
  CAF_CHECK_EQUAL(parse("b:-1"), "error: seed \"b:-1\": port must be 1..65535");
  CAF_CHECK_EQUAL(parse("b:12x"), "error: seed \"b:12x\": port must be 1..65535");
  CAF_CHECK_EQUAL(parse("a b:1"), "error: seed \"a b:1\": bad host");
  CAF_CHECK_EQUAL(parse("::1:7101"),
                  "error: seed \"::1:7101\": write an IPv6 address in brackets ([::1]:7101)");
  CAF_CHECK_EQUAL(parse("[]:7101"), "error: seed \"[]:7101\" has no host (expected HOST:PORT)");
}

CAF_TEST(addresses are written as they are read) {
  CAF_CHECK_EQUAL(to_string(cluster_address{"127.0.0.1", 7101}), "127.0.0.1:7101");
  CAF_CHECK_EQUAL(to_string(cluster_address{"::1", 7101}), "[::1]:7101");
  for (std::string_view text : {"a.example:1", "[::1]:65535"}) {
    auto a = parse_one(text);
    CAF_REQUIRE(a.has_value());
    CAF_CHECK_EQUAL(to_string(*a), text);
  }
}
