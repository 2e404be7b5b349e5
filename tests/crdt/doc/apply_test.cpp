#define CAF_SUITE doc_apply
#include <caf/test/unit_test.hpp>

// Remote updates: integration, pending structs/deletes, duplicates, GC, conflicts, atomicity.
// Expected bytes were generated with Yjs 13.6.33 by tests/crdt/doc/gen_vectors.mjs (sections 1-4).

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "crdt/doc/doc.hpp"
#include "tests/crdt/doc/doc_test_util.hpp"

using namespace zeal::crdt;
using zeal::crdt::test::hex;
using zeal::crdt::test::unhex;

namespace {

// 1. worked example (yjs-format.md §2): client 1 types "abc", inserts X at 1, deletes "b".
const std::vector<std::string> worked_updates = {"01010100040101740361626300", "01010103c401000101015800",
                                                 "000101010101"};
const char* worked_v1 = "01040100040101740161810100018401010163c40100010101580101010101";
const char* worked_v2 = "000002410303000242010207040081008400c4070474616358410201010001010104000101010100";

// 2. two clients editing concurrently (text, map key conflict, nested array + text), then deletions.
const std::vector<std::string> conc_a = {"01010100040101740568656c6c6f00", "010101052801016d016b0177016100",
                                         "010101062801016d0178017d0100"};
const std::vector<std::string> conc_b = {"010102000401017405776f726c6400",
                                         "010102052801016d016b0177016200",
                                         "010102062701016d066e65737465640000",
                                         "0101020708000206047d017d02770574687265657601016f7800",
                                         "0101020bc7020702080200",
                                         "0101020c0400020b05696e6e657200"};
const std::vector<std::string> conc_after_delete = {"00010201060b", "00020201000101010203"};
const char* conc_v1 =
    "020702000401017405776f726c642801016d016b017701622701016d066e65737465640008000206017d01880207037d02770574"
    "687265657601016f78c702070208020400020b05696e6e6572030100040101740568656c6c6f2101016d016b012801016d017801"
    "7d010101010501";
const char* conc_v2 =
    "000003420401040c02000801101104002800270008008800c7000401210028291e74776f726c646d6b6d6e6573746564696e6e65"
    "727468656c6c6f6d6b6d78010541010605010541020501020001010200020541000341000207007701627d017d02770574687265"
    "657601016f7803007d010101010500";
const char* conc_v1_after_delete =
    "020502000101017401840200046f726c642801016d016b017701622101016d066e657374656401000a0401000401017402686581"
    "0101032101016d016b012801016d0178017d010202020001060b01010204";
const char* conc_nogc_v1 =
    "02080200040101740177840200046f726c642801016d016b017701622701016d066e65737465640008000206017d01880207037d"
    "02770574687265657601016f78c702070208020400020b05696e6e657204010004010174026865840101036c6c6f2801016d016b"
    "017701612801016d0178017d010202020001060b01010204";

// 3. pending: client 5's four updates; a dependent update of client 6.
const std::vector<std::string> pend = {"010105000401017402616200", "0101050284050102636400", "000105010001",
                                       "01010504c405010502015a00"};
const char* pend_after1_v1 = "0101050284050102636400";
const char* pend_after1_v2 = "00000245000102000184040263640200000001010200";
const char* pend_after2_v1 = "010105028405010263640105010001";
const char* pend_after3_v1 = "010205000101017401840500036263640105010001";
const char* pend_dep = "01010600c405010504015100";
const char* pend_dep_v1 = "01010600c405010504015100";

// 4. surrogate split: client 2 inserts between the halves of an emoji typed by client 1.
const char* sur_a = "01010100040101740678f09f98807900";
const char* sur_b = "01010200c401010102015100";
const char* sur_v1 = "02010200c4010101020151020100040101740478efbfbd84010104efbfbd7900";

std::uint64_t missing_of(const doc& d, std::uint64_t client) {
  const auto m = d.pending().missing;
  auto f = m.find(client);
  return f == m.end() ? 999999 : f->second;
}

std::vector<bytes> all_concurrent() {
  std::vector<bytes> out;
  for (const auto& u : conc_a) out.push_back(unhex(u));
  for (const auto& u : conc_b) out.push_back(unhex(u));
  return out;
}

}  // namespace

CAF_TEST(worked_example_remote) {
  doc d(doc_options{100, true});
  for (const auto& u : worked_updates) CAF_REQUIRE(d.apply_update(unhex(u)).ok());
  CAF_CHECK_EQUAL(hex(d.encode_state_as_update(update_format::v1)), worked_v1);
  CAF_CHECK_EQUAL(hex(d.encode_state_as_update(update_format::v2)), worked_v2);
  // The bytes spelled out in yjs-format.md §2.
  CAF_CHECK_EQUAL(hex(d.encode_state_as_update(update_format::v1)),
                  "01040100040101740161810100018401010163c40100010101580101010101");
  CAF_CHECK_EQUAL(d.to_json(), "{\"t\":\"aXc\"}");
  CAF_CHECK_EQUAL(hex(d.state_vector().encode()), "010104");
  // diffed against {1:3}: from the struct containing clock 3 (X), then the whole delete set.
  state_vector sv;
  sv.set(1, 3);
  CAF_CHECK_EQUAL(hex(d.encode_state_as_update(update_format::v1, sv)),
                  "01010103c4010001010158"
                  "0101010101");
}

CAF_TEST(worked_example_local) {
  doc d(doc_options{1, true});
  std::vector<std::string> ups;
  d.on_update([&](bytes_view u) { ups.push_back(hex(u)); });
  auto t = d.get_text("t");
  t.insert(0, "abc");
  t.insert(1, "X");
  t.remove(2, 1);
  CAF_CHECK_EQUAL(ups.size(), worked_updates.size());
  for (std::size_t i = 0; i < std::min(ups.size(), worked_updates.size()); ++i)
    CAF_CHECK_EQUAL(ups[i], worked_updates[i]);
  CAF_CHECK_EQUAL(hex(d.encode_state_as_update(update_format::v1)), worked_v1);
  CAF_CHECK_EQUAL(t.to_string(), "aXc");
  CAF_CHECK_EQUAL(t.length(), 3u);
}

CAF_TEST(every_order_same_state) {
  auto updates = all_concurrent();
  std::mt19937 rng(42);
  std::vector<std::size_t> order(updates.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (int round = 0; round < 150; ++round) {
    std::shuffle(order.begin(), order.end(), rng);
    doc d(doc_options{1000, true});
    for (auto i : order) CAF_REQUIRE(d.apply_update(updates[i]).ok());
    CAF_CHECK_EQUAL(hex(d.encode_state_as_update(update_format::v1)), conc_v1);
    CAF_CHECK(d.pending().missing.empty());
    CAF_CHECK(!d.pending().pending_deletes);
  }
  doc d(doc_options{1000, true});
  for (const auto& u : updates) d.apply_update(u);
  CAF_CHECK_EQUAL(hex(d.encode_state_as_update(update_format::v2)), conc_v2);
  CAF_CHECK_EQUAL(
      d.to_json(),
      "{\"m\":{\"k\":\"b\",\"nested\":[1,\"inner\",2,\"three\",{\"o\":true}],\"x\":1},\"t\":\"helloworld\"}");
}

CAF_TEST(map_conflict_higher_client_wins) {
  // clients 1 and 2 set "k" concurrently; Yjs keeps client 2's value in both orders.
  for (int order = 0; order < 2; ++order) {
    doc d(doc_options{1000, true});
    const auto& first = order == 0 ? conc_a[1] : conc_b[1];
    const auto& second = order == 0 ? conc_b[1] : conc_a[1];
    CAF_REQUIRE(d.apply_update(unhex(conc_a[0])).ok());
    CAF_REQUIRE(d.apply_update(unhex(conc_b[0])).ok());
    CAF_REQUIRE(d.apply_update(unhex(first)).ok());
    CAF_REQUIRE(d.apply_update(unhex(second)).ok());
    const std::string k = d.get_map("m").get("k")->as_string();
    CAF_CHECK_EQUAL(k, "b");
    // the losing item is deleted: client 1's "k" item is in the delete set
    auto ds = d.delete_set();
    CAF_CHECK(ds.clients().count(1) == 1);
  }
}

CAF_TEST(deletes_and_gc) {
  doc gc_on(doc_options{1000, true});
  doc gc_off(doc_options{1001, false});
  for (const auto& u : all_concurrent()) {
    gc_on.apply_update(u);
    gc_off.apply_update(u);
  }
  for (const auto& u : conc_after_delete) {
    CAF_REQUIRE(gc_on.apply_update(unhex(u)).ok());
    CAF_REQUIRE(gc_off.apply_update(unhex(u)).ok());
  }
  CAF_CHECK_EQUAL(hex(gc_on.encode_state_as_update(update_format::v1)), conc_v1_after_delete);
  CAF_CHECK_EQUAL(hex(gc_off.encode_state_as_update(update_format::v1)), conc_nogc_v1);
  CAF_CHECK_EQUAL(gc_on.to_json(), "{\"m\":{\"k\":\"b\",\"x\":1},\"t\":\"heorld\"}");
  CAF_CHECK_EQUAL(gc_off.to_json(), gc_on.to_json());
  CAF_CHECK(gc_on.struct_count() < gc_off.struct_count());
}

CAF_TEST(pending_structs_and_deletes) {
  doc d(doc_options{9, true});
  CAF_REQUIRE(d.apply_update(unhex(pend[1])).ok());
  auto p = d.pending();
  CAF_CHECK_EQUAL(p.missing.size(), 1u);
  CAF_CHECK_EQUAL(p.missing[5], 1u);
  CAF_CHECK(!p.pending_deletes);
  CAF_CHECK_EQUAL(hex(d.encode_state_as_update(update_format::v1)), pend_after1_v1);
  CAF_CHECK_EQUAL(hex(d.encode_state_as_update(update_format::v2)), pend_after1_v2);
  CAF_CHECK_EQUAL(hex(d.state_vector().encode()), "00");
  CAF_REQUIRE(d.apply_update(unhex(pend[2])).ok());  // a delete of clock 1: pending too
  CAF_CHECK(d.pending().pending_deletes);
  CAF_CHECK_EQUAL(missing_of(d, 5), 1u);
  CAF_CHECK_EQUAL(hex(d.encode_state_as_update(update_format::v1)), pend_after2_v1);
  CAF_REQUIRE(d.apply_update(unhex(pend[0])).ok());  // resolves both
  CAF_CHECK(d.pending().missing.empty());
  CAF_CHECK(!d.pending().pending_deletes);
  CAF_CHECK_EQUAL(hex(d.encode_state_as_update(update_format::v1)), pend_after3_v1);
  CAF_CHECK_EQUAL(d.to_json(), "{\"t\":\"bcd\"}");
  CAF_REQUIRE(d.apply_update(unhex(pend[3])).ok());
  CAF_CHECK_EQUAL(d.to_json(), "{\"t\":\"bZcd\"}");
}

CAF_TEST(pending_dependency_on_other_client) {
  doc d(doc_options{10, true});
  CAF_REQUIRE(d.apply_update(unhex(pend_dep)).ok());
  CAF_CHECK_EQUAL(d.pending().missing.size(), 1u);
  CAF_CHECK_EQUAL(missing_of(d, 5), 0u);
  CAF_CHECK_EQUAL(hex(d.encode_state_as_update(update_format::v1)), pend_dep_v1);
  CAF_CHECK_EQUAL(hex(d.state_vector().encode()), "00");
  CAF_CHECK_EQUAL(d.to_json(), "{}");
  for (int i = 0; i < 4; ++i) CAF_REQUIRE(d.apply_update(unhex(pend[i])).ok());
  CAF_CHECK(d.pending().missing.empty());
  CAF_CHECK_EQUAL(d.to_json(), "{\"t\":\"bQZcd\"}");
}

CAF_TEST(duplicates_ignored) {
  doc once(doc_options{1000, true});
  doc twice(doc_options{1000, true});
  int events = 0;
  twice.on_update([&](bytes_view) { ++events; });
  auto updates = all_concurrent();
  for (const auto& u : updates) once.apply_update(u);
  for (const auto& u : updates) twice.apply_update(u);
  const int first_pass = events;
  for (const auto& u : updates) CAF_CHECK(twice.apply_update(u).ok());
  CAF_CHECK_EQUAL(events, first_pass);  // nothing new → no update event
  CAF_CHECK(twice.apply_update(once.encode_state_as_update()).ok());
  CAF_CHECK_EQUAL(events, first_pass);
  CAF_CHECK_EQUAL(hex(twice.encode_state_as_update()), hex(once.encode_state_as_update()));
  CAF_CHECK_EQUAL(twice.to_json(), once.to_json());
}

CAF_TEST(surrogate_split_remote) {
  doc d(doc_options{3, true});
  CAF_REQUIRE(d.apply_update(unhex(sur_b)).ok());  // depends on sur_a: pending
  CAF_CHECK_EQUAL(missing_of(d, 1), 0u);
  CAF_REQUIRE(d.apply_update(unhex(sur_a)).ok());
  CAF_CHECK_EQUAL(d.to_json(), "{\"t\":\"x\xEF\xBF\xBDQ\xEF\xBF\xBDy\"}");
  CAF_CHECK_EQUAL(hex(d.encode_state_as_update(update_format::v1)), sur_v1);
}

CAF_TEST(surrogate_split_local) {
  doc a(doc_options{1, true});
  a.apply_update(unhex(sur_a));
  std::vector<std::string> ups;
  doc b(doc_options{2, true});
  b.on_update([&](bytes_view u) { ups.push_back(hex(u)); });
  b.apply_update(unhex(sur_a));
  b.get_text("t").insert(2, "Q");
  CAF_REQUIRE_EQUAL(ups.size(), 2u);
  CAF_CHECK_EQUAL(ups[1], sur_b);
  CAF_CHECK_EQUAL(hex(b.encode_state_as_update(update_format::v1)), sur_v1);
}

namespace {
struct snapshot {
  std::string v1, v2, json, sv;
  std::size_t missing;
  bool pds;
  explicit snapshot(const doc& d)
      : v1(hex(d.encode_state_as_update(update_format::v1))),
        v2(hex(d.encode_state_as_update(update_format::v2))),
        json(d.to_json()),
        sv(hex(d.state_vector().encode())),
        missing(d.pending().missing.size()),
        pds(d.pending().pending_deletes) {}
  bool operator==(const snapshot& o) const {
    return v1 == o.v1 && v2 == o.v2 && json == o.json && sv == o.sv && missing == o.missing && pds == o.pds;
  }
};
}  // namespace

CAF_TEST(atomic_on_corrupt_input) {
  doc d(doc_options{1000, true});
  auto updates = all_concurrent();
  for (std::size_t i = 0; i + 2 < updates.size(); ++i) d.apply_update(updates[i]);
  d.apply_update(unhex(pend[1]));  // something pending, too
  const snapshot before(d);
  bytes full = doc(doc_options{7, true}).encode_state_as_update();
  {
    doc src(doc_options{7, true});
    for (const auto& u : updates) src.apply_update(u);
    for (const auto& u : conc_after_delete) src.apply_update(unhex(u));
    full = src.encode_state_as_update();
  }
  // every truncation must fail (or be a no-op) without changing anything
  int errors = 0;
  for (std::size_t len = 0; len < full.size(); ++len) {
    doc probe(doc_options{1000, true});
    for (std::size_t i = 0; i + 2 < updates.size(); ++i) probe.apply_update(updates[i]);
    probe.apply_update(unhex(pend[1]));
    auto st = probe.apply_update(bytes_view(full.data(), len));
    if (!st) {
      ++errors;
      CAF_CHECK(snapshot(probe) == before);
    }
  }
  CAF_CHECK(errors > static_cast<int>(full.size()) / 2);
  // random byte corruption
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    bytes bad = full;
    bad[rng() % bad.size()] = static_cast<std::uint8_t>(rng());
    doc probe(doc_options{1000, true});
    for (std::size_t i = 0; i + 2 < updates.size(); ++i) probe.apply_update(updates[i]);
    probe.apply_update(unhex(pend[1]));
    auto st = probe.apply_update(bad);
    if (!st) CAF_CHECK(snapshot(probe) == before);
  }
}

CAF_TEST(rejects_origin_in_own_future) {
  doc d(doc_options{1000, true});
  d.apply_update(unhex(worked_updates[0]));
  const snapshot before(d);
  // client 1 clock 3: String "X" with origin (1, 7) — its own future (Yjs throws halfway, §8.11)
  auto st = d.apply_update(unhex("0101010384010701580000"));
  CAF_CHECK(!st.ok());
  CAF_CHECK(snapshot(d) == before);
  // right origin in its own future
  st = d.apply_update(unhex("0101010344010901580000"));
  CAF_CHECK(!st.ok());
  CAF_CHECK(snapshot(d) == before);
  // a valid struct followed by garbage: nothing applied
  // a valid struct followed by a truncated one: nothing applied
  st = d.apply_update(unhex("0102010384010201588401"));
  CAF_CHECK(!st.ok());
  CAF_CHECK(snapshot(d) == before);
  if (!st) CAF_CHECK(!st.err().message.empty());
  // trailing bytes after a complete update are ignored, as Yjs does
  st = d.apply_update(unhex("01010103840102015800ff"));
  CAF_CHECK(st.ok());
  CAF_CHECK_EQUAL(d.to_json(), "{\"t\":\"abcX\"}");
}

CAF_TEST(random_garbage_never_crashes) {
  std::mt19937 rng(1234);
  doc d(doc_options{1000, true});
  for (const auto& u : all_concurrent()) d.apply_update(u);
  const bytes v2 = d.encode_state_as_update(update_format::v2);
  const bytes v1 = d.encode_state_as_update(update_format::v1);
  for (int round = 0; round < 400; ++round) {
    const bool use_v2 = round % 2 == 1;
    bytes bad = use_v2 ? v2 : v1;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) bad[rng() % bad.size()] = static_cast<std::uint8_t>(rng());
    if (round % 5 == 0) bad.resize(rng() % bad.size());
    doc probe(doc_options{1000, true});
    probe.apply_update(unhex(pend[1]));
    const snapshot before(probe);
    auto st = probe.apply_update(bad, use_v2 ? update_format::v2 : update_format::v1);
    if (!st) CAF_CHECK(snapshot(probe) == before);
    // whatever was accepted must re-encode and load again
    doc again(doc_options{1001, true});
    CAF_CHECK(again.apply_update(probe.encode_state_as_update()).ok());
  }
}

CAF_TEST(deep_nesting_is_bounded) {
  // 20,000 nested maps (and XmlText inside XmlText): rendering is depth-bounded, deleting and collecting
  // the chain is iterative.
  doc d(doc_options{5, true});
  d.transact([&] {
    auto m = d.get_map("root");
    for (int i = 0; i < 20000; ++i) m = m.set_map("k");
    auto x = d.get_xml_fragment("x");
    auto e = x.insert_element(0, "a");
    for (int i = 0; i < 5000; ++i) e = e.insert_element(0, "a");
  });
  CAF_CHECK(!d.to_json().empty());
  const bytes state = d.encode_state_as_update();
  doc other(doc_options{6, true});
  CAF_REQUIRE(other.apply_update(state).ok());
  CAF_CHECK_EQUAL(other.to_json(), d.to_json());
  d.get_map("root").remove("k");
  d.get_xml_fragment("x").remove(0, 1);
  CAF_CHECK_EQUAL(d.to_json(), "{}");
  other.apply_update(d.encode_state_as_update(update_format::v1, other.state_vector()));
  CAF_CHECK_EQUAL(other.to_json(), "{}");
  CAF_CHECK(other.struct_count() < 10);
}
