#define CAF_SUITE doc_yjs_fixtures
#include <caf/test/unit_test.hpp>

// Byte fixtures generated with real Yjs (tests/js/fixtures/generate.mjs → tests/fixtures/yjs, format in
// tests/fixtures/yjs/README.md). Every comparison is its own check labelled "<case>/<what>", so a failure
// names the case and the property.

#include <algorithm>
#include <cstdint>
#include <exception>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "crdt/doc/doc.hpp"
#include "crdt/lib0/json.hpp"
#include "crdt/update/update.hpp"

using namespace zeal::crdt;

namespace {

const std::string fixtures_dir = ZEAL_SOURCE_DIR "/tests/fixtures/yjs";

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bytes read_bytes(const std::string& path) {
  auto s = read_text(path);
  return bytes(s.begin(), s.end());
}

bytes from_hex(const std::string& hex) {
  bytes out;
  auto nibble = [](char c) -> std::uint8_t {
    if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
    return static_cast<std::uint8_t>(c - 'a' + 10);
  };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  return out;
}

std::string to_hex(bytes_view b) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (auto x : b) {
    out.push_back(digits[x >> 4]);
    out.push_back(digits[x & 15]);
  }
  return out;
}

struct input {
  std::string file;
  bytes v1;
  bytes v2;
  bool canonical = true;
  std::size_t trailing = 0;  // junk bytes after the update
};

struct fixture_case {
  std::string name;
  bool gc = true;
  std::vector<input> inputs;
  std::string json;
  std::map<std::uint64_t, std::uint64_t> sv;
  bytes sv_bytes;
  bytes state_v1;
  bytes state_v2;
  bool state_canonical = true;
  bytes sv_from_state_v1;
  bytes sv_from_state_v2;
  bytes merge_v1;
  bytes merge_v2;
  bool merge_canonical = true;
  pending_info pending;
  bool has_diff = false;
  bytes diff_sv;
  bytes diff_v1;
  bytes diff_v2;
};

const std::string& str(const lib0::any& obj, std::string_view key) {
  static const std::string empty;
  const auto* v = obj.find(key);
  return v != nullptr && v->is_string() ? v->as_string() : empty;
}

bool flag(const lib0::any& obj, std::string_view key, bool dflt) {
  const auto* v = obj.find(key);
  return v != nullptr && v->is_bool() ? v->as_bool() : dflt;
}

std::map<std::uint64_t, std::uint64_t> clock_map(const lib0::any* obj) {
  std::map<std::uint64_t, std::uint64_t> out;
  if (obj == nullptr || !obj->is_object()) return out;
  for (const auto& [k, v] : obj->as_object())
    out[std::stoull(k)] = v.is_number() ? static_cast<std::uint64_t>(v.as_number()) : 0;
  return out;
}

std::string clocks_to_string(const std::map<std::uint64_t, std::uint64_t>& m) {
  std::string out = "{";
  for (const auto& [c, k] : m)
    out += (out.size() > 1 ? "," : "") + std::to_string(c) + ":" + std::to_string(k);
  return out + "}";
}

// Loads the manifest once; an unreadable manifest fails every test that uses it.
const std::vector<fixture_case>& cases() {
  static const std::vector<fixture_case> all = [] {
    std::vector<fixture_case> out;
    auto text = read_text(fixtures_dir + "/manifest.json");
    auto parsed = lib0::parse_json(text);
    if (!parsed.ok()) {
      CAF_MESSAGE("cannot parse manifest.json: " << parsed.err().to_string());
      return out;
    }
    const auto* list = parsed->find("cases");
    if (list == nullptr || !list->is_array()) return out;
    for (const auto& c : list->as_array()) {
      fixture_case fc;
      fc.name = str(c, "name");
      fc.gc = flag(c, "gc", true);
      if (const auto* ins = c.find("inputs"); ins != nullptr && ins->is_array()) {
        for (const auto& in : ins->as_array()) {
          input i;
          i.file = str(in, "v1");
          i.v1 = read_bytes(fixtures_dir + "/" + str(in, "v1"));
          i.v2 = read_bytes(fixtures_dir + "/" + str(in, "v2"));
          i.canonical = flag(in, "canonical", true);
          if (const auto* t = in.find("trailing"); t != nullptr && t->is_number())
            i.trailing = static_cast<std::size_t>(t->as_number());
          fc.inputs.push_back(std::move(i));
        }
      }
      fc.json = str(c, "json");
      fc.sv = clock_map(c.find("state_vector"));
      fc.sv_bytes = from_hex(str(c, "state_vector_hex"));
      fc.state_v1 = from_hex(str(c, "state_v1"));
      fc.state_v2 = from_hex(str(c, "state_v2"));
      fc.state_canonical = flag(c, "state_canonical", true);
      fc.sv_from_state_v1 = from_hex(str(c, "sv_from_state_v1"));
      fc.sv_from_state_v2 = from_hex(str(c, "sv_from_state_v2"));
      fc.merge_v1 = from_hex(str(c, "merge_v1"));
      fc.merge_v2 = from_hex(str(c, "merge_v2"));
      fc.merge_canonical = flag(c, "merge_canonical", true);
      if (const auto* p = c.find("pending"); p != nullptr) {
        fc.pending.missing = clock_map(p->find("missing"));
        fc.pending.pending_deletes = flag(*p, "pendingDeletes", false);
      }
      if (const auto* d = c.find("diff"); d != nullptr && d->is_object()) {
        fc.has_diff = true;
        fc.diff_sv = from_hex(str(*d, "sv"));
        fc.diff_v1 = from_hex(str(*d, "v1"));
        fc.diff_v2 = from_hex(str(*d, "v2"));
      }
      out.push_back(std::move(fc));
    }
    return out;
  }();
  return all;
}

const char* fmt_name(update_format f) {
  return f == update_format::v1 ? "v1" : "v2";
}

// One check per comparison; on mismatch both sides are printed with the label (hex around the first
// difference, plus the lengths).
void check_bytes(const std::string& label, bytes_view actual, bytes_view expected) {
  if (std::equal(actual.begin(), actual.end(), expected.begin(), expected.end())) {
    CAF_CHECK(true);
    return;
  }
  std::size_t at = 0;
  while (at < actual.size() && at < expected.size() && actual[at] == expected[at]) ++at;
  auto window = [at](bytes_view b) {
    std::size_t from = at > 48 ? at - 48 : 0;
    std::size_t to = std::min(b.size(), at + 48);
    std::string s = std::to_string(b.size()) + " bytes, [" + std::to_string(from) + ".." +
                    std::to_string(to) + "): " + to_hex(b.subspan(from, to - from));
    return s;
  };
  std::string head = label + ": first difference at byte " + std::to_string(at) + ": ";
  std::string got = head + window(actual);
  std::string want = head + window(expected);
  CAF_CHECK_EQUAL(got, want);
}

void check_string(const std::string& label, const std::string& actual, const std::string& expected) {
  std::string got = label + ": " + actual;
  std::string want = label + ": " + expected;
  CAF_CHECK_EQUAL(got, want);
}

// decode_update → encode_update must reproduce Yjs's bytes.
// `trailing` junk bytes after the update are ignored by the decoder and not reproduced.
void check_roundtrip(const std::string& label, bytes_view data, update_format f, std::size_t trailing = 0) {
  auto decoded = decode_update(data, f);
  if (!decoded.ok()) {
    check_string(label, "decode error " + decoded.err().to_string(), "decodes");
    return;
  }
  check_bytes(label, encode_update(*decoded, f), data.first(data.size() - std::min(trailing, data.size())));
}

// Applies the case's inputs (in the given format) to a fresh doc and compares everything.
void check_apply(const fixture_case& fc, update_format f) {
  const std::string base = fc.name + "/apply_" + fmt_name(f);
  try {
    doc d(doc_options{999999, fc.gc});
    for (std::size_t i = 0; i < fc.inputs.size(); ++i) {
      const auto& in = f == update_format::v1 ? fc.inputs[i].v1 : fc.inputs[i].v2;
      auto st = d.apply_update(in, f);
      check_string(base + "/input" + std::to_string(i), st.ok() ? "ok" : st.err().to_string(), "ok");
    }
    check_bytes(base + "/state_v1", d.encode_state_as_update(update_format::v1), fc.state_v1);
    check_bytes(base + "/state_v2", d.encode_state_as_update(update_format::v2), fc.state_v2);
    check_bytes(base + "/state_vector", d.state_vector().encode(), fc.sv_bytes);
    check_string(base + "/state_vector_map", clocks_to_string(d.state_vector().clocks()),
                 clocks_to_string(fc.sv));
    check_string(base + "/json", d.to_json(), fc.json);
    auto p = d.pending();
    check_string(base + "/pending_missing", clocks_to_string(p.missing),
                 clocks_to_string(fc.pending.missing));
    check_string(base + "/pending_deletes", p.pending_deletes ? "true" : "false",
                 fc.pending.pending_deletes ? "true" : "false");
    if (fc.has_diff) {
      for (auto out : {update_format::v1, update_format::v2}) {
        auto label = base + "/diff_" + fmt_name(out);
        auto r = d.encode_state_as_update(fc.diff_sv, out);
        if (!r.ok()) {
          check_string(label, "error " + r.err().to_string(), "ok");
          continue;
        }
        check_bytes(label, *r, out == update_format::v1 ? fc.diff_v1 : fc.diff_v2);
      }
    }
  } catch (const std::exception& e) {
    check_string(base, std::string("exception: ") + e.what(), "no exception");
  }
}

}  // namespace

CAF_TEST(manifest_loads) {
  CAF_REQUIRE(cases().size() >= 50);
  for (const auto& fc : cases()) {
    CAF_CHECK(!fc.name.empty());
    CAF_CHECK(!fc.inputs.empty());
    CAF_CHECK(!fc.state_v1.empty());
    for (const auto& in : fc.inputs) {
      if (in.v1.empty() || in.v2.empty()) check_string(fc.name, "unreadable input " + in.file, "readable");
    }
  }
}

CAF_TEST(decode_encode_roundtrip) {
  for (const auto& fc : cases()) {
    if (!fc.gc) continue;  // the _nogc twin has the same inputs; its outputs are checked below
    try {
      for (std::size_t i = 0; i < fc.inputs.size(); ++i) {
        const auto& in = fc.inputs[i];
        check_roundtrip(fc.name + "/input" + std::to_string(i) + "_v1", in.v1, update_format::v1,
                        in.trailing);
        check_roundtrip(fc.name + "/input" + std::to_string(i) + "_v2", in.v2, update_format::v2,
                        in.trailing);
      }
    } catch (const std::exception& e) {
      check_string(fc.name + "/roundtrip", std::string("exception: ") + e.what(), "no exception");
    }
  }
  for (const auto& fc : cases()) {
    try {
      check_roundtrip(fc.name + "/state_v1", fc.state_v1, update_format::v1);
      check_roundtrip(fc.name + "/state_v2", fc.state_v2, update_format::v2);
      // mergeUpdates of a single update returns it unchanged, trailing bytes included
      std::size_t merge_trailing = fc.inputs.size() == 1 ? fc.inputs[0].trailing : 0;
      check_roundtrip(fc.name + "/merge_v1", fc.merge_v1, update_format::v1, merge_trailing);
      check_roundtrip(fc.name + "/merge_v2", fc.merge_v2, update_format::v2, merge_trailing);
      if (fc.has_diff) {
        check_roundtrip(fc.name + "/diff_v1", fc.diff_v1, update_format::v1);
        check_roundtrip(fc.name + "/diff_v2", fc.diff_v2, update_format::v2);
      }
    } catch (const std::exception& e) {
      check_string(fc.name + "/roundtrip", std::string("exception: ") + e.what(), "no exception");
    }
  }
}

CAF_TEST(apply_v1_inputs) {
  for (const auto& fc : cases()) check_apply(fc, update_format::v1);
}

CAF_TEST(apply_v2_inputs) {
  for (const auto& fc : cases()) check_apply(fc, update_format::v2);
}

CAF_TEST(merge_updates) {
  for (const auto& fc : cases()) {
    if (!fc.gc) continue;  // the same inputs as the gc twin
    for (auto f : {update_format::v1, update_format::v2}) {
      auto label = fc.name + "/merge_" + fmt_name(f);
      try {
        std::vector<bytes_view> views;
        for (const auto& in : fc.inputs) views.emplace_back(f == update_format::v1 ? in.v1 : in.v2);
        auto r = merge_updates(views, f);
        if (!r.ok()) {
          check_string(label, "error " + r.err().to_string(), "ok");
          continue;
        }
        check_bytes(label, *r, f == update_format::v1 ? fc.merge_v1 : fc.merge_v2);
      } catch (const std::exception& e) {
        check_string(label, std::string("exception: ") + e.what(), "no exception");
      }
    }
  }
}

CAF_TEST(state_vector_from_update) {
  // Y.encodeStateVectorFromUpdate of the encoded state (it stops at the first Skip of a client).
  for (const auto& fc : cases()) {
    for (auto f : {update_format::v1, update_format::v2}) {
      auto label = fc.name + "/sv_from_state_" + fmt_name(f);
      auto r = state_vector_from_update(f == update_format::v1 ? fc.state_v1 : fc.state_v2, f);
      if (!r.ok()) {
        check_string(label, "error " + r.err().to_string(), "ok");
        continue;
      }
      check_bytes(label, *r, f == update_format::v1 ? fc.sv_from_state_v1 : fc.sv_from_state_v2);
    }
  }
}

CAF_TEST(convert_update) {
  // convert_update follows Yjs's converter, so it reproduces the other format only where Yjs's does.
  for (const auto& fc : cases()) {
    if (!fc.gc) continue;
    for (std::size_t i = 0; i < fc.inputs.size(); ++i) {
      const auto& in = fc.inputs[i];
      if (!in.canonical) continue;
      auto label = fc.name + "/input" + std::to_string(i) + "_convert";
      auto to2 = convert_update(in.v1, update_format::v1, update_format::v2);
      auto to1 = convert_update(in.v2, update_format::v2, update_format::v1);
      if (!to2.ok() || !to1.ok()) {
        check_string(label, "conversion error", "ok");
        continue;
      }
      // the converter re-encodes, so trailing junk is not carried over
      check_bytes(label + "_v1_to_v2", *to2, bytes_view(in.v2).first(in.v2.size() - in.trailing));
      check_bytes(label + "_v2_to_v1", *to1, bytes_view(in.v1).first(in.v1.size() - in.trailing));
    }
  }
}
