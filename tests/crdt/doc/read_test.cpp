#define CAF_SUITE doc_read
#include <caf/test/unit_test.hpp>

// Reading documents: to_json root-type inference and rendering rules, XML toString (§8.9), text deltas.
// The update and the expected strings were generated with Yjs 13.6.33 by tests/crdt/doc/gen_vectors.mjs
// (section "6. reading"); the expected JSON applies the zeal-ydoc rules to the typed JS values.

#include <algorithm>
#include <string>

#include "crdt/doc/doc.hpp"
#include "crdt/lib0/json.hpp"
#include "tests/crdt/doc/doc_test_util.hpp"

using namespace zeal::crdt;
using zeal::crdt::test::unhex;

namespace {
const char* update_hex =
    "012f58002301016d0362696e04000102fa2801016d05756e646566017f2801016d036e756d017cbf0000002801016d0362696701"
    "7c538000002901016d03737562087375622d6775696476002801016d047a6574610177046c6173742801016d05416c7068610176"
    "0201627d0101617502787e08010161027d01770374776f8358080107885809017e87580a012800580b016b0177017687580b0604"
    "00580d0c786d6c20696e2061727261790401017405706c61696e0401047269636802626f845820026c6484582201208458230361"
    "6e648458260620706c61696e46581f04626f6c640474727565c65822582304626f6c64046e756c6cc658235824046c696e6b0c7b"
    "2268726566223a2275227dc6582f582402656d0474727565c658265827046c696e6b046e756c6cc65831582702656d046e756c6c"
    "c65820582104626f6c64046e756c6cc558335821097b22696d67223a317dc65834582104626f6c640474727565210108656d7074"
    "796d617004676f6e650107010178030344495628005837017a0177046c6173742800583701620177013228005837016e017d0507"
    "00583703045370616e0700583b060400583c02686984583e012084583f05746865726546583d067374726f6e670474727565c658"
    "45583d02656d027b7dc6583e583f067374726f6e67046e756c6cc65847583f02656d046e756c6cc6583f58400161167b22687265"
    "66223a2268222c2272656c223a2278227d8658440161046e756c6c875837060400584b0561667465720158013601";
const char* expected_json =
    "{\"a\":[1,\"two\",{\"$binary\":\"Bw==\"},null,{\"k\":\"v\"},\"xml in "
    "array\"],\"m\":{\"Alpha\":{\"a\":[true,null],\"b\":1},\"big\":1099511627776,\"bin\":{\"$binary\":\"AAEC+"
    "g==\"},\"num\":-0.5,\"sub\":{\"$doc\":\"sub-guid\"},\"undef\":null,\"zeta\":\"last\"},\"rich\":\"bold "
    "and plain\",\"t\":\"plain\",\"x\":\"<div b=\\\"2\\\" n=\\\"5\\\" "
    "z=\\\"last\\\"><span><em><strong>hi</strong></em> <a href=\\\"h\\\" "
    "rel=\\\"x\\\">there</a></span></div>after\"}";
const char* expected_delta =
    "[{\"insert\":\"bo\",\"attributes\":{\"bold\":true}},{\"insert\":{\"img\":1}},{\"insert\":\"ld\","
    "\"attributes\":{\"bold\":true}},{\"insert\":\" "
    "\"},{\"insert\":\"and\",\"attributes\":{\"link\":{\"href\":\"u\"},\"em\":true}},{\"insert\":\" "
    "plain\"}]";
const char* expected_xml =
    "<div b=\"2\" n=\"5\" z=\"last\"><span><em><strong>hi</strong></em> <a href=\"h\" "
    "rel=\"x\">there</a></span></div>after";
const char* expected_xml_text = "<em><strong>hi</strong></em> <a href=\"h\" rel=\"x\">there</a>";

std::string delta_json(const std::vector<delta_op>& ops) {
  lib0::any::array arr;
  for (const auto& op : ops) {
    lib0::any::object o{{"insert", op.insert}};
    if (!op.attributes.empty()) o.emplace_back("attributes", lib0::any::make_object(op.attributes));
    arr.push_back(lib0::any::make_object(std::move(o)));
  }
  return lib0::to_json(lib0::any(std::move(arr)));
}
}  // namespace

CAF_TEST(untyped_roots_inferred) {
  doc d(doc_options{1, true});
  CAF_REQUIRE(d.apply_update(unhex(update_hex)).ok());
  CAF_CHECK_EQUAL(d.to_json(), expected_json);
  // roots without visible content are omitted but still listed
  auto names = d.root_names();
  CAF_CHECK(std::find(names.begin(), names.end(), "emptymap") != names.end());
  CAF_CHECK(std::is_sorted(names.begin(), names.end()));
}

CAF_TEST(typed_access) {
  doc d(doc_options{1, true});
  CAF_REQUIRE(d.apply_update(unhex(update_hex)).ok());
  CAF_CHECK_EQUAL(delta_json(d.get_text("rich").delta()), expected_delta);
  CAF_CHECK_EQUAL(d.get_text("rich").to_string(), "bold and plain");
  CAF_CHECK_EQUAL(d.get_text("rich").length(), 15u);  // the embed counts 1
  CAF_CHECK_EQUAL(d.get_xml_fragment("x").to_string(), expected_xml);
  const std::string zeta = d.get_map("m").get("zeta")->as_string();
  CAF_CHECK_EQUAL(zeta, "last");
  CAF_CHECK(d.get_map("m").get("undef")->is_undefined());
  CAF_CHECK(!d.get_map("m").get("missing").has_value());
  CAF_CHECK_EQUAL(d.get_map("m").size(), 7u);
  CAF_CHECK_EQUAL(d.get_array("a").length(), 6u);
  const std::string two = d.get_array("a").get(1).as_string();
  CAF_CHECK_EQUAL(two, "two");
  CAF_CHECK_EQUAL(d.to_json(), expected_json);  // typing the roots does not change the rendering
}

CAF_TEST(xml_text_marks) {
  doc d(doc_options{1, true});
  auto x = d.get_xml_fragment("x");
  auto div = x.insert_element(0, "DIV");
  div.set_attribute("z", "last");
  div.set_attribute("b", "2");
  div.set_attribute("n", 5);
  auto span = div.insert_element(0, "Span");
  auto st = span.insert_text(0);
  st.insert(0, "hi there");
  st.format(0, 2, {{"strong", true}, {"em", lib0::any::make_object({})}});
  st.format(3, 5, {{"a", lib0::any::make_object({{"href", "h"}, {"rel", "x"}})}});
  auto after = x.insert_text(1);
  after.insert(0, "after");
  CAF_CHECK_EQUAL(st.to_string(), expected_xml_text);
  CAF_CHECK_EQUAL(x.to_string(), expected_xml);
  CAF_CHECK_EQUAL(div.node_name(), "DIV");
  const double n = div.get_attribute("n")->as_number();
  CAF_CHECK_EQUAL(n, 5.0);
}
