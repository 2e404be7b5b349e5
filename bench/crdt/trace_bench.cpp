// CRDT benchmark on an editing trace: local edits, the same edits applied as remote updates to a fresh
// document, encoding the final state (v1/v2), decoding it into a fresh document, memory of the final doc.
// Usage: zeal_trace_bench TRACE.json[.gz] [--repeat N]   → one JSON object on stdout.
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bench/crdt/trace.hpp"
#include "crdt/doc/doc.hpp"
#include "crdt/doc/text.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using namespace zeal;

double ms_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

std::size_t heap_in_use() { return mallinfo2().uordblks; }

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

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) die("usage: zeal_trace_bench TRACE.json[.gz] [--repeat N]");
  int repeat = 5;
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--repeat") repeat = std::max(1, std::atoi(argv[i + 1]));
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

  // 3. Encoding the final state.
  crdt::bytes v1, v2;
  double encode_v1_ms = median_ms(repeat, [&] { v1 = remote->encode_state_as_update(crdt::update_format::v1); });
  double encode_v2_ms = median_ms(repeat, [&] { v2 = remote->encode_state_as_update(crdt::update_format::v2); });

  // 4. Decoding it into a fresh document; 5. memory of that document.
  double decode_v1_ms = median_ms(repeat, [&] {
    crdt::doc d(crdt::doc_options{.client_id = 3});
    if (auto st = d.apply_update(v1); !st) die("decode v1 failed: " + st.err().to_string());
  });
  double decode_v2_ms = median_ms(repeat, [&] {
    crdt::doc d(crdt::doc_options{.client_id = 3});
    if (auto st = d.apply_update(v2, crdt::update_format::v2); !st) die("decode v2 failed: " + st.err().to_string());
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
      "{\"impl\":\"zeal\",\"ops\":%zu,\"txns\":%zu,\"local_ms\":%.1f,\"remote_apply_ms\":%.1f,"
      "\"update_bytes\":%zu,\"encode_v1_ms\":%.2f,\"encode_v2_ms\":%.2f,\"v1_bytes\":%zu,\"v2_bytes\":%zu,"
      "\"decode_v1_ms\":%.2f,\"decode_v2_ms\":%.2f,\"doc_heap_bytes_loaded\":%zu,"
      "\"doc_heap_bytes_after_remote\":%zu}\n",
      ops, tr->txns.size(), local_ms, remote_ms, update_bytes, encode_v1_ms, encode_v2_ms, v1.size(), v2.size(),
      decode_v1_ms, decode_v2_ms, loaded_bytes, remote_bytes);
  return 0;
}
