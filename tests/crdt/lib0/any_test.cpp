#define CAF_SUITE lib0_any
#include <caf/test/unit_test.hpp>

#include "crdt/lib0/any.hpp"

using namespace zeal::crdt::lib0;

namespace {

std::string keys(const any& v) {
  std::string out;
  for (const auto& [k, e] : v.as_object()) out += (out.empty() ? "" : ",") + k;
  return out;
}

}  // namespace

CAF_TEST(array_index_keys) {
  std::uint32_t idx = 0;
  CAF_CHECK(is_array_index_key("0", &idx) && idx == 0);
  CAF_CHECK(is_array_index_key("4294967294", &idx) && idx == 4294967294u);
  CAF_CHECK(!is_array_index_key("4294967295"));
  CAF_CHECK(!is_array_index_key("01"));
  CAF_CHECK(!is_array_index_key(""));
  CAF_CHECK(!is_array_index_key("-1"));
  CAF_CHECK(!is_array_index_key("1.0"));
  CAF_CHECK(!is_array_index_key("99999999999"));
  CAF_CHECK(!is_array_index_key(" 1"));
}

CAF_TEST(make_object_js_order) {
  auto o = any::make_object(
      {{"b", 1}, {"10", 2}, {"a", 3}, {"2", 4}, {"4294967295", 5}, {"4294967294", 6}, {"01", 7}, {"b", 8}});
  CAF_CHECK_EQUAL(keys(o), "2,10,4294967294,b,a,4294967295,01");
  CAF_CHECK(*o.find("b") == any(8));
  CAF_CHECK(o.find("zz") == nullptr);
  CAF_CHECK(any(1).find("a") == nullptr);
  // the hashed path (> 8 entries) behaves the same
  any::object many;
  for (int i = 20; i >= 0; --i) many.emplace_back(i % 2 ? "k" + std::to_string(i) : std::to_string(i), i);
  many.emplace_back("k3", 100);
  many.emplace_back("4", 200);
  auto m = any::make_object(many);
  CAF_CHECK_EQUAL(keys(m), "0,2,4,6,8,10,12,14,16,18,20,k19,k17,k15,k13,k11,k9,k7,k5,k3,k1");
  CAF_CHECK(*m.find("k3") == any(100));
  CAF_CHECK(*m.find("4") == any(200));
}

CAF_TEST(set_keeps_js_order) {
  any o;
  o.set("z", 1);
  o.set("5", 2);
  o.set("a", 3);
  o.set("1", 4);
  o.set("z", 5);
  o.set("3", 6);
  CAF_CHECK_EQUAL(keys(o), "1,3,5,z,a");
  CAF_CHECK(*o.find("z") == any(5));
  any n = 7;
  n.set("x", true);
  CAF_CHECK(n.is_object());
  CAF_CHECK_EQUAL(keys(n), "x");
}

CAF_TEST(equality_and_kinds) {
  CAF_CHECK(any() == any(undefined_t{}));
  CAF_CHECK(any(null_t{}).is_null());
  CAF_CHECK(any(1) == any(1.0));
  CAF_CHECK(!(any(1) == any("1")));
  CAF_CHECK(any(std::int64_t{1} << 40).as_number() == 1099511627776.0);
  CAF_CHECK(any(bigint{3}).is_bigint());
  CAF_CHECK(any(zeal::crdt::bytes{1}).is_bytes());
}
