#define CAF_SUITE update_state_vector
#include <caf/test/unit_test.hpp>

#include "crdt/update/state_vector.hpp"
#include "tests/crdt/update/hex.hpp"

using namespace zeal::crdt;
using zeal::crdt::test::from_hex;
using zeal::crdt::test::to_hex;

CAF_TEST(encode_descending) {
  state_vector sv;
  CAF_CHECK(sv.empty());
  CAF_CHECK_EQUAL(to_hex(sv.encode()), "00");
  sv.set(1, 10);
  sv.set(std::uint64_t{1} << 40, 2);
  sv.set(300, 5);
  CAF_CHECK_EQUAL(sv.get(1), 10u);
  CAF_CHECK_EQUAL(sv.get(2), 0u);
  // Yjs 13.6.33 encodeStateVector: client 2^40 first, then 300, then 1.
  CAF_CHECK_EQUAL(to_hex(sv.encode()),
                  "03"
                  "808080808020"
                  "02"
                  "ac02"
                  "05"
                  "01"
                  "0a");
  auto back = state_vector::decode(sv.encode());
  CAF_REQUIRE(back.ok());
  CAF_CHECK(*back == sv);
}

CAF_TEST(decode) {
  // Yjs writes descending; any order is accepted and a repeated client keeps its last clock.
  auto sv =
      state_vector::decode(from_hex("03"
                                    "0105"
                                    "0203"
                                    "0107"));
  CAF_REQUIRE(sv.ok());
  CAF_CHECK_EQUAL(sv->clocks().size(), 2u);
  CAF_CHECK_EQUAL(sv->get(1), 7u);
  CAF_CHECK_EQUAL(sv->get(2), 3u);
  auto big =
      state_vector::decode(from_hex("01"
                                    "ffffffffffffff0f"
                                    "01"));
  CAF_REQUIRE(big.ok());
  CAF_CHECK_EQUAL(big->get((std::uint64_t{1} << 53) - 1), 1u);
  // Trailing bytes are ignored, as Yjs does.
  CAF_CHECK(state_vector::decode(from_hex("00ff")).ok());
}

CAF_TEST(decode_errors) {
  CAF_CHECK(!state_vector::decode(from_hex("")).ok());
  CAF_CHECK(!state_vector::decode(from_hex("01")).ok());
  CAF_CHECK(!state_vector::decode(from_hex("0101")).ok());
  CAF_CHECK(!state_vector::decode(from_hex("ffffffffff0f")).ok());  // absurd count
  CAF_CHECK(!state_vector::decode(from_hex("01"
                                           "ffffffffffffffff01"
                                           "01"))
                 .ok());  // > 2^53
  auto err =
      state_vector::decode(from_hex("02"
                                    "0105"));
  CAF_REQUIRE(!err.ok());
  CAF_CHECK(!err.err().message.empty());
}
