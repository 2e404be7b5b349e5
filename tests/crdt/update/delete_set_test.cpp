#define CAF_SUITE update_delete_set
#include <caf/test/unit_test.hpp>

#include <string>

#include "crdt/lib0/error.hpp"
#include "crdt/update/delete_set.hpp"
#include "crdt/update/update_decoder.hpp"
#include "crdt/update/update_encoder.hpp"
#include "tests/crdt/update/hex.hpp"

using namespace zeal::crdt;
using zeal::crdt::test::from_hex;
using zeal::crdt::test::to_hex;

namespace {

// The v2 framing of an update whose nine columns are empty: only the rest stream carries data.
constexpr std::string_view v2_empty_columns =
    "00"
    "0000000000"
    "0100"
    "000000";

std::string write_hex(const delete_set& ds, update_format format) {
  auto enc = make_update_encoder(format);
  ds.write(*enc);
  return to_hex(enc->to_bytes());
}

delete_set read_hex(std::string_view hex, update_format format) {
  auto data = from_hex(hex);
  auto dec = make_update_decoder(data, format);
  return delete_set::read(*dec);
}

std::string read_error(std::string_view hex, update_format format) {
  try {
    read_hex(hex, format);
    return "";
  } catch (const decode_error& e) {
    return e.err().message;
  }
}

delete_set sample() {
  delete_set ds;
  ds.add(1, 7, 1);
  ds.add(1, 2, 3);
  ds.add(std::uint64_t{1} << 40, 0, 10);
  ds.sort_and_merge();
  return ds;
}

}  // namespace

CAF_TEST(sort_merge_contains) {
  delete_set ds;
  CAF_CHECK(ds.empty());
  ds.add(4, 10, 2);
  ds.add(4, 0, 3);
  ds.add(4, 3, 2);   // adjacent to [0,3)
  ds.add(4, 11, 5);  // overlaps [10,12)
  ds.add(4, 30, 1);
  ds.add(4, 11, 1);  // inside
  ds.sort_and_merge();
  CAF_CHECK(!ds.empty());
  const auto& r = ds.clients().at(4);
  CAF_REQUIRE_EQUAL(r.size(), 3u);
  CAF_CHECK(r[0] == (delete_range{0, 5}));
  CAF_CHECK(r[1] == (delete_range{10, 6}));
  CAF_CHECK(r[2] == (delete_range{30, 1}));
  CAF_CHECK(ds.contains({4, 0}));
  CAF_CHECK(ds.contains({4, 4}));
  CAF_CHECK(!ds.contains({4, 5}));
  CAF_CHECK(!ds.contains({4, 9}));
  CAF_CHECK(ds.contains({4, 15}));
  CAF_CHECK(!ds.contains({4, 16}));
  CAF_CHECK(ds.contains({4, 30}));
  CAF_CHECK(!ds.contains({4, 31}));
  CAF_CHECK(!ds.contains({5, 0}));

  delete_set other;
  other.add(4, 5, 5);
  other.add(9, 1, 1);
  ds.merge(other);
  CAF_REQUIRE_EQUAL(ds.clients().at(4).size(), 2u);
  CAF_CHECK(ds.clients().at(4)[0] == (delete_range{0, 16}));
  CAF_CHECK(ds.contains({9, 1}));
}

// Bytes from Yjs 13.6.33: a doc of clients 1 ("abcdefghij", deleted [2,5) and [7,8)) and 2^40 (10 chars
// inserted and deleted); the delete set tail of encodeStateAsUpdate / encodeStateAsUpdateV2.
CAF_TEST(write_v1_v2_descending) {
  CAF_CHECK_EQUAL(write_hex(sample(), update_format::v1),
                  "02"
                  "80808080802001000a"
                  "0102020307"
                  "01");
  CAF_CHECK_EQUAL(write_hex(sample(), update_format::v2), std::string(v2_empty_columns) +
                                                              "02"
                                                              "808080808020010009"
                                                              "010202020200");
  CAF_CHECK_EQUAL(write_hex(delete_set{}, update_format::v1), "00");
}

CAF_TEST(read_v1_v2) {
  auto ds1 = read_hex(
      "02"
      "80808080802001000a"
      "0102020307"
      "01",
      update_format::v1);
  CAF_CHECK(ds1 == sample());
  auto ds2 = read_hex(std::string(v2_empty_columns) +
                          "02"
                          "808080808020010009"
                          "010202020200",
                      update_format::v2);
  CAF_CHECK(ds2 == sample());
  // A client with zero ranges is skipped; ranges are kept in wire order (not sorted).
  auto ds3 = read_hex(
      "02"
      "0500"
      "0102"
      "0701"
      "0203",
      update_format::v1);
  CAF_CHECK_EQUAL(ds3.clients().size(), 1u);
  CAF_CHECK(ds3.clients().count(5) == 0);
  CAF_REQUIRE_EQUAL(ds3.clients().at(1).size(), 2u);
  CAF_CHECK(ds3.clients().at(1)[0] == (delete_range{7, 1}));
  CAF_CHECK(ds3.clients().at(1)[1] == (delete_range{2, 3}));
  // A repeated client is appended to.
  auto ds4 = read_hex(
      "02"
      "01010701"
      "01010203",
      update_format::v1);
  CAF_CHECK_EQUAL(ds4.clients().at(1).size(), 2u);
  // v2 resets the running clock per client.
  auto ds5 = read_hex(std::string(v2_empty_columns) +
                          "02"
                          "02010400"
                          "01010400",
                      update_format::v2);
  CAF_CHECK(ds5.clients().at(2)[0] == (delete_range{4, 1}));
  CAF_CHECK(ds5.clients().at(1)[0] == (delete_range{4, 1}));
}

CAF_TEST(malformed) {
  CAF_CHECK(!read_error("", update_format::v1).empty());
  CAF_CHECK(!read_error("01", update_format::v1).empty());
  CAF_CHECK(!read_error("0101", update_format::v1).empty());
  CAF_CHECK(!read_error("010101", update_format::v1).empty());
  CAF_CHECK(!read_error("01010101", update_format::v1).empty());
  CAF_CHECK(!read_error("ffffffff0f", update_format::v1).empty());
  CAF_CHECK(!read_error("0101ffffffff0f0000", update_format::v1).empty());
  CAF_CHECK_EQUAL(read_error("01010100"
                             "00",
                             update_format::v1),
                  "delete range of length 0");
  CAF_CHECK(!read_error("010101ffffffffffffff0fffffffffffffff0f", update_format::v1).empty());
  const auto full =
      "02"
      "80808080802001000a"
      "0102020307"
      "01";
  const auto data = from_hex(full);
  for (std::size_t n = 0; n < data.size(); ++n) {
    auto part = to_hex(bytes_view(data).first(n));
    CAF_CHECK(!read_error(part, update_format::v1).empty());
  }
}

CAF_TEST(unsorted_v1_written_as_v2) {
  // A v1 delete set may arrive unsorted and overlapping; v2 can only express ascending disjoint ranges,
  // so writing it as v2 sorts and merges first (Yjs would write garbage here).
  auto ds = read_hex(
      "01"
      "0103"
      "0702"
      "0203"
      "0802",
      update_format::v1);
  CAF_CHECK_EQUAL(write_hex(ds, update_format::v1),
                  "01"
                  "0103"
                  "0702"
                  "0203"
                  "0802");
  auto v2 = read_hex(write_hex(ds, update_format::v2), update_format::v2);
  CAF_REQUIRE_EQUAL(v2.clients().at(1).size(), 2u);
  CAF_CHECK(v2.clients().at(1)[0] == (delete_range{2, 3}));
  CAF_CHECK(v2.clients().at(1)[1] == (delete_range{7, 3}));
  delete_set zero;
  zero.add(3, 5, 0);
  zero.add(4, 1, 1);
  CAF_CHECK_EQUAL(write_hex(zero, update_format::v2), std::string(v2_empty_columns) +
                                                          "01"
                                                          "0401"
                                                          "0100");
}
