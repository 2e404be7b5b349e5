// CRDT benchmark on an editing trace: local edits, the same edits applied as remote updates to a fresh
// document, encoding the final state (v1/v2), decoding it into a fresh document, memory of the final doc.
// Usage: zeal_trace_bench TRACE.json[.gz] [--repeat N] [--updates FILE]   → one JSON object on stdout.
// --updates FILE: varUint-length-prefixed v1 updates (written by tests/js/bench/yjs_trace.mjs
// --dump-updates) to apply as the remote updates instead of our own, and to compare ours against.
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "bench/crdt/trace.hpp"
#include "crdt/doc/doc.hpp"
#include "crdt/doc/text.hpp"
#include "crdt/lib0/decoder.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using namespace zeal;

double ms_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

std::size_t heap_in_use() {
  return mallinfo2().uordblks;
}

template <class F>
double median_ms(int repeat, F&& fn) {
  std::vector<double> t;
  for (int i = 0; i < repeat; ++i) {
    auto start = clock_type::now();
    fn();
    t.push_back(ms_since(start));
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

[[noreturn]] void die(const std::string& msg) {
  std::cerr << "zeal_trace_bench: " << msg << "\n";
  std::exit(1);
}

std::vector<crdt::bytes> read_update_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot read " + path);
  crdt::bytes all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<crdt::bytes> out;
  crdt::lib0::decoder dec(all);
  try {
    while (!dec.at_end()) {
      auto u = dec.read_var_bytes();
      out.emplace_back(u.begin(), u.end());
    }
  } catch (const crdt::decode_error& e) {
    die(path + ": " + e.err().to_string());
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) die("usage: zeal_trace_bench TRACE.json[.gz] [--repeat N]");
  int repeat = 5;
  std::string updates_path;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--repeat") {
      repeat = std::max(1, std::atoi(argv[i + 1]));
    } else if (a == "--updates") {
      updates_path = argv[i + 1];
    } else {
      die("unknown option " + a);
    }
  }
  std::string error;
  auto tr = bench::load_trace(argv[1], error);
  if (!tr) die(error);
  std::size_t ops = 0;
  for (const auto& txn : tr->txns) ops += txn.size();

  // 1. Local edits, one transaction per trace transaction; collect the emitted updates.
  std::vector<crdt::bytes> updates;
  updates.reserve(tr->txns.size());
  crdt::doc local(crdt::doc_options{.client_id = 1, .gc = true});
  local.on_update([&](crdt::bytes_view u) { updates.emplace_back(u.begin(), u.end()); });
  auto text = local.get_text("text");
  if (!tr->start_content.empty()) text.insert(0, tr->start_content);
  auto start = clock_type::now();
  for (const auto& txn : tr->txns) {
    local.transact([&] {
      for (const auto& p : txn) {
        if (p.deleted > 0) text.remove(p.position, p.deleted);
        if (!p.inserted.empty()) text.insert(p.position, p.inserted);
      }
    });
  }
  double local_ms = ms_since(start);
  if (text.to_string() != tr->end_content) die("local edits: final content differs from the trace's");

  // Yjs's own updates for the same edits, if given: replayed below, and ours compared with them.
  int identical = -1;
  if (!updates_path.empty()) {
    auto yjs_updates = read_update_file(updates_path);
    identical = yjs_updates == updates ? 1 : 0;
    updates = std::move(yjs_updates);
  }

  // 2. The same edits as remote updates into a fresh document.
  std::size_t update_bytes = 0;
  for (const auto& u : updates) update_bytes += u.size();
  auto remote = std::make_unique<crdt::doc>(crdt::doc_options{.client_id = 2, .gc = true});
  start = clock_type::now();
  for (const auto& u : updates) {
    if (auto st = remote->apply_update(u); !st) die("remote apply failed: " + st.err().to_string());
  }
  double remote_ms = ms_since(start);
  if (remote->get_text("text").to_string() != tr->end_content) die("remote apply: final content differs");
  std::size_t structs = remote->struct_count();

  // 3. Encoding the final state.
  crdt::bytes v1, v2;
  double encode_v1_ms =
      median_ms(repeat, [&] { v1 = remote->encode_state_as_update(crdt::update_format::v1); });
  double encode_v2_ms =
      median_ms(repeat, [&] { v2 = remote->encode_state_as_update(crdt::update_format::v2); });

  // 4. Decoding it into a fresh document; 5. memory of that document.
  double decode_v1_ms = median_ms(repeat, [&] {
    crdt::doc d(crdt::doc_options{.client_id = 3});
    if (auto st = d.apply_update(v1); !st) die("decode v1 failed: " + st.err().to_string());
  });
  double decode_v2_ms = median_ms(repeat, [&] {
    crdt::doc d(crdt::doc_options{.client_id = 3});
    if (auto st = d.apply_update(v2, crdt::update_format::v2); !st)
      die("decode v2 failed: " + st.err().to_string());
  });
  malloc_trim(0);
  std::size_t before = heap_in_use();
  auto loaded = std::make_unique<crdt::doc>(crdt::doc_options{.client_id = 4});
  if (auto st = loaded->apply_update(v1); !st) die("load failed");
  std::size_t loaded_bytes = heap_in_use() - before;
  before = heap_in_use();
  remote.reset();
  std::size_t remote_bytes = before - heap_in_use();

  std::printf(
      "{\"impl\":\"zeal\",\"patches\":%zu,\"txns\":%zu,\"structs\":%zu,\"local_ms\":%.1f,"
      "\"local_updates_identical_to_yjs\":%s,\"updates\":%zu,\"updates_bytes\":%zu,"
      "\"remote_apply_ms\":%.1f,\"encode_v1_ms\":%.3f,\"encode_v2_ms\":%.3f,\"size_v1\":%zu,"
      "\"size_v2\":%zu,\"decode_v1_ms\":%.3f,\"decode_v2_ms\":%.3f,\"heap_decoded_doc_bytes\":%zu,"
      "\"heap_remote_doc_bytes\":%zu}\n",
      ops, tr->txns.size(), structs, local_ms, identical < 0 ? "null" : (identical ? "true" : "false"),
      updates.size(), update_bytes, remote_ms, encode_v1_ms, encode_v2_ms, v1.size(), v2.size(), decode_v1_ms,
      decode_v2_ms, loaded_bytes, remote_bytes);
  return 0;
}
