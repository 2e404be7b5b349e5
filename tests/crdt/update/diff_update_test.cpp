#define CAF_SUITE update_diff_update
#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include "crdt/update/update.hpp"
#include "tests/crdt/update/hex.hpp"
#include "tests/crdt/update/session_vectors.hpp"

using namespace zeal::crdt;
using namespace zeal::crdt::test;

namespace {

std::string diff_hex(std::string_view update, std::string_view sv, update_format format) {
  auto r = diff_update(from_hex(update), from_hex(sv), format);
  if (!r.ok()) return "error: " + r.err().to_string();
  return to_hex(*r);
}

std::string sv_hex(std::string_view update, update_format format) {
  auto r = state_vector_from_update(from_hex(update), format);
  if (!r.ok()) return "error: " + r.err().to_string();
  return to_hex(*r);
}

}  // namespace

// Expected bytes: Y.diffUpdate / Y.diffUpdateV2 / Y.encodeStateVectorFromUpdate(V2) in Yjs 13.6.33 (the
// inputs are the update vectors described in update_codec_test.cpp and merge_updates_test.cpp).
CAF_TEST(abcd_against_1_3) {
  CAF_CHECK_EQUAL(diff_hex("0101010004010174046162636400", "010103", update_format::v1),
                  "01010103840102016400");
  // Against an empty state vector nothing is dropped.
  CAF_CHECK_EQUAL(diff_hex("0101010004010174046162636400", "00", update_format::v1),
                  "0101010004010174046162636400");
  // Against a complete state vector only the (empty) delete set stays.
  CAF_CHECK_EQUAL(diff_hex("0101010004010174046162636400", "010104", update_format::v1), "0000");
}

CAF_TEST(cut_inside_surrogate_pair) {
  // "a😀b🎉c" of client 9 against {9:2}: the cut falls between the halves of 😀 → U+FFFD.
  CAF_CHECK_EQUAL(diff_hex("01010900040101740b61f09f988062f09f8e896300", "010902", update_format::v1),
                  "0101090284090109efbfbd62f09f8e896300");
  auto v2 = convert_update(from_hex("01010900040101740b61f09f988062f09f8e896300"), update_format::v1,
                           update_format::v2);
  CAF_REQUIRE(v2.ok());
  CAF_CHECK_EQUAL(diff_hex(to_hex(*v2), "010902", update_format::v2),
                  "000002490001020001840b09efbfbd62f09f8e89630500000001010200");
}

CAF_TEST(diff_with_skips) {
  CAF_CHECK_EQUAL(
      diff_hex("01060b000101017401840b00056263646566440b000167c10b060b00012801016d0178017d012801016d0179017d0"
               "2010b0200010701",
               "010b03", update_format::v1),
      "01050b03840b0203646566440b000167c10b060b00012801016d0178017d012801016d0179017d02010b0200010701");
  CAF_CHECK_EQUAL(
      diff_hex("01050b00040101740261620a02840b030265660a022801016d0178017d0100", "010b03", update_format::v1),
      "01030b04840b030265660a022801016d0178017d0100");
}

CAF_TEST(state_vector_from_updates) {
  CAF_CHECK_EQUAL(sv_hex("01050b00040101740261620a02840b030265660a022801016d0178017d0100", update_format::v1),
                  "010b02");
  CAF_CHECK_EQUAL(sv_hex("01060b0004010174026162840b01026364840b03026566440b000267682801016d0178017d012801016"
                         "d0179017d02010b0200010701",
                         update_format::v1),
                  "010b0a");
  CAF_CHECK_EQUAL(sv_hex("0000024b0202020401000704008401440028130d7461626364656667686d786d7901420241020101000"
                         "241000106007d017d02010b0200000600",
                         update_format::v2),
                  "010b0a");
  CAF_CHECK_EQUAL(sv_hex("0000", update_format::v1), "00");
  CAF_CHECK_EQUAL(sv_hex("00000000000001000000000000", update_format::v2), "00");
  // Clients in wire order; 2^53-1 and 2^40+5.
  CAF_CHECK_EQUAL(sv_hex("0201ffffffffffffff0f00c48580808080200085808080802001015a028580808080200001010174018"
                         "48580808080200002696701858080808020010001",
                         update_format::v1),
                  "02ffffffffffffff0f0185808080802003");
  // A client whose structs do not start at clock 0 is left out.
  CAF_CHECK_EQUAL(sv_hex("0101090284090109efbfbd62f09f8e896300", update_format::v1), "00");
  CAF_CHECK(sv_hex("01", update_format::v1).rfind("error", 0) == 0);
}

CAF_TEST(random_session_like_yjs) {
  for (const auto& c : session_cases) {
    CAF_CHECK_EQUAL(sv_hex(c.merged_v1, update_format::v1), c.sv_of_merged);
    CAF_CHECK_EQUAL(sv_hex(c.merged_v2, update_format::v2), c.sv_of_merged);
    CAF_CHECK_EQUAL(diff_hex(c.merged_v1, c.diff_sv, update_format::v1), c.diff_v1);
    CAF_CHECK_EQUAL(diff_hex(c.merged_v2, c.diff_sv, update_format::v2), c.diff_v2);
  }
  // Every session update diffed against every case's state vector: v1 and v2 agree.
  for (const auto* u : session_updates_v1) {
    auto u2 = convert_update(from_hex(u), update_format::v1, update_format::v2);
    CAF_REQUIRE(u2.ok());
    for (const auto& c : session_cases) {
      auto d1 = diff_update(from_hex(u), from_hex(c.diff_sv), update_format::v1);
      CAF_REQUIRE(d1.ok());
      auto d1v2 = convert_update(*d1, update_format::v1, update_format::v2);
      CAF_REQUIRE(d1v2.ok());
      auto d2 = diff_update(*u2, from_hex(c.diff_sv), update_format::v2);
      CAF_REQUIRE(d2.ok());
      CAF_CHECK_EQUAL(to_hex(*d2), to_hex(*d1v2));
    }
  }
}

CAF_TEST(errors) {
  CAF_CHECK(diff_hex("0000", "01", update_format::v1).rfind("error", 0) == 0);
  CAF_CHECK(diff_hex("01", "00", update_format::v1).rfind("error", 0) == 0);
}
