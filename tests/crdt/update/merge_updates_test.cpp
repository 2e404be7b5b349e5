#define CAF_SUITE update_merge_updates
#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include "crdt/update/update.hpp"
#include "tests/crdt/update/hex.hpp"
#include "tests/crdt/update/session_vectors.hpp"

using namespace zeal::crdt;
using namespace zeal::crdt::test;

namespace {

// Yjs 13.6.33: client 11 on a doc's 'update' events: t.insert(0,'ab'); t.insert(2,'cd'); t.insert(4,'ef');
// t.insert(0,'gh'); m.set('x',1); m.set('y',2); t.delete(1,2).
const char* const client11_updates[] = {
    "01010b000401017402616200", "01010b02840b0102636400",       "01010b04840b0302656600",
    "01010b06440b0002676800",   "01010b082801016d0178017d0100", "01010b092801016d0179017d0200",
    "00010b0200010701"};

result<bytes> merge_hex(const std::vector<std::string>& hexes, update_format format) {
  std::vector<bytes> data;
  for (const auto& h : hexes) data.push_back(from_hex(h));
  std::vector<bytes_view> views(data.begin(), data.end());
  return merge_updates(views, format);
}

std::string merged_hex(const std::vector<std::string>& hexes, update_format format) {
  auto r = merge_hex(hexes, format);
  if (!r.ok()) return "error: " + r.err().to_string();
  return to_hex(*r);
}

}  // namespace

CAF_TEST(single_and_no_input) {
  // One input is returned as is, even trailing bytes and garbage (mergeUpdatesV2 returns updates[0]).
  CAF_CHECK_EQUAL(merged_hex({"0000ff"}, update_format::v1), "0000ff");
  CAF_CHECK_EQUAL(merged_hex({"01"}, update_format::v1), "01");
  CAF_CHECK_EQUAL(merged_hex({}, update_format::v1), "0000");
  CAF_CHECK_EQUAL(merged_hex({}, update_format::v2), "00000000000001000000000000");
  CAF_CHECK_EQUAL(merged_hex({"0000", "0000"}, update_format::v1), "0000");
}

// Expected bytes: Y.mergeUpdates / Y.mergeUpdatesV2 in Yjs 13.6.33.
CAF_TEST(skips_over_gaps) {
  const auto& u = client11_updates;
  CAF_CHECK_EQUAL(merged_hex({u[0], u[2], u[4]}, update_format::v1),
                  "01050b00040101740261620a02840b030265660a022801016d0178017d0100");
  CAF_CHECK_EQUAL(merged_hex({u[0], u[1], u[2], u[3], u[4], u[5], u[6]}, update_format::v1),
                  "01060b0004010174026162840b01026364840b03026566440b000267682801016d0178017d012801016d017901"
                  "7d02010b0200010701");
  CAF_CHECK_EQUAL(merged_hex({u[6], u[5], u[4], u[3], u[2], u[1], u[0]}, update_format::v1),
                  "01060b0004010174026162840b01026364840b03026566440b000267682801016d0178017d012801016d017901"
                  "7d02010b0200010701");
  // Filling the Skips of a merged update with the missing pieces.
  CAF_CHECK_EQUAL(merged_hex({"01050b00040101740261620a02840b030265660a022801016d0178017d0100", u[1], u[3]},
                             update_format::v1),
                  "01050b0004010174026162840b01026364840b03026566440b000267682801016d0178017d0100");
  // v2 inputs (converted by Yjs).
  std::vector<std::string> v2;
  for (int i : {0, 2, 4}) {
    auto c = convert_update(from_hex(u[i]), update_format::v1, update_format::v2);
    CAF_REQUIRE(c.ok());
    v2.push_back(to_hex(*c));
  }
  CAF_CHECK_EQUAL(
      merged_hex(v2, update_format::v2),
      "0000024b000106000904000a0084000a00280d0774616265666d780142004100010100010101050002027d0100");
}

CAF_TEST(overlapping_clients) {
  const std::string a = "010264000101017802886401017d030164010002";
  const std::string b = "0202640008010178017d01886400027d027d03013200c8640064010177016200";
  CAF_CHECK_EQUAL(merged_hex({a, b}, update_format::v1),
                  "020264000101017802886401017d03013200c864006401017701620164010002");
  CAF_CHECK_EQUAL(merged_hex({b, a}, update_format::v1),
                  "0202640008010178017d01886400027d027d03013200c864006401017701620164010002");
  auto a2 = convert_update(from_hex(a), update_format::v1, update_format::v2);
  auto b2 = convert_update(from_hex(b), update_format::v1, update_format::v2);
  CAF_REQUIRE(a2.ok() && b2.ok());
  CAF_CHECK_EQUAL(
      merged_hex({to_hex(*a2), to_hex(*b2)}, update_format::v2),
      "000007e4010032e4010002024201020501008800c803017801010100030241000202007d0301007701620164010001");
}

CAF_TEST(random_session_like_yjs) {
  for (const auto& c : session_cases) {
    std::vector<std::string> v1, v2;
    for (int i : c.inputs) {
      v1.push_back(session_updates_v1[i]);
      v2.push_back(session_updates_v2[i]);
    }
    CAF_CHECK_EQUAL(merged_hex(v1, update_format::v1), c.merged_v1);
    CAF_CHECK_EQUAL(merged_hex(v2, update_format::v2), c.merged_v2);
    // Merging in v1 then converting equals converting then merging (yjs-format.md §8.4).
    auto conv = convert_update(from_hex(c.merged_v1), update_format::v1, update_format::v2);
    CAF_REQUIRE(conv.ok());
    CAF_CHECK_EQUAL(to_hex(*conv), c.merged_v2);
  }
}

CAF_TEST(merge_is_idempotent_on_merged_input) {
  // Merging an update with the empty update re-encodes it; a merged update stays the same.
  for (const auto& c : session_cases) {
    CAF_CHECK_EQUAL(merged_hex({c.merged_v1, "0000"}, update_format::v1), c.merged_v1);
    CAF_CHECK_EQUAL(merged_hex({c.merged_v1, c.merged_v1}, update_format::v1), c.merged_v1);
  }
}

CAF_TEST(errors) {
  auto r = merge_hex({"0000", "0101"}, update_format::v1);
  CAF_CHECK(!r.ok());
  auto r2 = merge_hex({"0000", "0000"}, update_format::v2);
  CAF_CHECK(!r2.ok());
}
