// joinstorm: a writer fills a room with --doc-bytes of text; then --joiners connect at once and each
// must receive the whole document in its SyncStep2.
#include <algorithm>
#include <iostream>

#include "bench/load/harness.hpp"
#include "bench/load/json_line.hpp"
#include "bench/load/latency.hpp"
#include "bench/load/modes.hpp"
#include "bench/load/proc_stats.hpp"
#include "bench/load/yjs_updates.hpp"

namespace zeal::bench::load {
namespace {

constexpr std::uint64_t chunk_bytes = 65000;  // text per update: each update stays below 64 KiB
constexpr int max_checks = 40;

class joinstorm_run final : public harness {
 public:
  explicit joinstorm_run(const options& o) : harness(o), writer_id_(1000000 + (o.seed % 1000) * 20000) {}
  int run();

  void on_update(yjs_client& c, crdt::bytes_view update, bool step2, clock_type::time_point) override {
    if (!step2) return;
    if (!scan_update_ranges(update, ranges_, error_)) {
      std::cerr << "zeal_load: undecodable SyncStep2: " << error_ << "\n";
      return;
    }
    if (complete_.size() <= c.index) complete_.resize(c.index + 1, 0);
    complete_[c.index] = covers_document() ? 1 : 0;
  }

 private:
  /// Whether ranges_ cover clocks [0, doc_units_) of the writer.
  bool covers_document() {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> mine;
    for (const auto& r : ranges_) {
      if (r.client == writer_id_) mine.emplace_back(r.clock, r.clock + r.length);
    }
    std::sort(mine.begin(), mine.end());
    std::uint64_t covered = 0;
    for (const auto& [a, b] : mine) {
      if (a > covered) return false;
      covered = std::max(covered, b);
    }
    return covered >= doc_units_;
  }
  bool is_complete(const yjs_client& c) const {
    return c.index < complete_.size() && complete_[c.index] != 0;
  }

  std::uint64_t writer_id_;
  std::uint64_t doc_units_ = 0;
  std::vector<std::uint8_t> complete_;
  std::vector<struct_range> ranges_;
  std::string error_;
};

int joinstorm_run::run() {
  const std::string room = room_name(0);
  auto& writer = add_client(room, 0);
  if (!join_all(writer.index, writer.index + 1, 1, 30)) {
    std::cerr << "zeal_load: writer failed to join: " << first_failure_ << "\n";
    return 1;
  }
  // Fill the document: ASCII text appended in chunks.
  crdt::bytes update;
  std::string text;
  std::uint64_t updates = 0;
  while (doc_units_ < opt_.doc_bytes) {
    const std::uint64_t n = std::min(chunk_bytes, opt_.doc_bytes - doc_units_);
    text.assign(n, 'a');
    for (std::uint64_t i = 0; i < n; ++i) text[i] = static_cast<char>('a' + (doc_units_ + i) % 26);
    update.clear();
    append_text_update(update, writer_id_, doc_units_, text);
    writer.send_update(update);
    doc_units_ += n;
    ++updates;
  }
  if (!run_until([&] { return writer.queued_bytes() == 0 || writer.failed(); }, 60) || writer.failed()) {
    std::cerr << "zeal_load: the writer could not send the document\n";
    return 1;
  }
  std::cerr << "zeal_load: wrote " << doc_units_ << " bytes in " << updates << " updates; checking\n";
  bool stored = false;
  for (int attempt = 0; attempt < max_checks && !stored && !deadline_passed(); ++attempt) {
    auto& checker = add_client(room, 0);
    if (!join_all(checker.index, checker.index + 1, 1, 30)) {
      std::cerr << "zeal_load: checker failed to join: " << first_failure_ << "\n";
      return 1;
    }
    stored = is_complete(checker);
    checker.abort();
    if (!stored) run_for(0.25);
  }
  if (!stored) {
    std::cerr << "zeal_load: the server never returned the whole document\n";
    return 1;
  }
  const std::size_t first = clients_.size();
  for (std::uint32_t i = 0; i < opt_.joiners; ++i) add_client(room, 0);
  std::cerr << "zeal_load: " << opt_.joiners << " joiners connecting\n";
  const auto server0 = server_cpu();
  const double self0 = self_cpu_s();
  const auto t0 = clock_type::now();
  const bool all = join_all(first, clients_.size(), opt_.joiners, opt_.timeout_s);
  const auto t1 = clock_type::now();
  const double self1 = self_cpu_s();
  const auto server1 = server_cpu();
  clock_type::time_point last = t0;
  latency_hist joins;
  std::uint64_t synced = 0, complete = 0;
  for (std::size_t i = first; i < clients_.size(); ++i) {
    const auto& c = *clients_[i];
    if (!c.synced()) continue;
    ++synced;
    complete += is_complete(c) ? 1 : 0;
    last = std::max(last, c.synced_at());
    joins.add_ns((c.synced_at() - c.connect_at()).count());
  }
  if (!all) std::cerr << "zeal_load: only " << synced << " joiners synced: " << first_failure_ << "\n";
  std::optional<double> cpu, per_join;
  if (server0 && server1) {
    cpu = *server1 - *server0;
    per_join = *cpu * 1e6 / opt_.joiners;
  }
  const double all_ms = seconds_between(t0, last) * 1000;
  json_line jm;
  jm.add("p50", joins.quantile_ms(0.5))
      .add("p90", joins.quantile_ms(0.9))
      .add("p99", joins.quantile_ms(0.99))
      .add("max", joins.max_ms());
  const double storm_s = seconds_between(t0, t1);
  const double gen_cpu_pct = storm_s > 0 ? 100 * (self1 - self0) / storm_s : 0;
  // The common fields, read for a join: delivered = joiners that got the whole document, latency =
  // connect → SyncStep2 read.
  json_line j;
  j.add("mode", "joinstorm")
      .add("protocol", to_string(opt_.protocol))
      .add("url", opt_.url)
      .add("rooms", 1)
      .add("clients", opt_.joiners + 1)
      .add("senders", 1)
      .add("step", 0)
      .add_null("target_per_s")
      .add("duration_s", storm_s)
      .add("sent", updates)
      .add("delivered", complete)
      .add("delivered_per_s", storm_s > 0 ? static_cast<double>(complete) / storm_s : 0.0)
      .add("lost", opt_.joiners - complete)
      .add("duplicates", std::uint64_t{0})
      .add_object("lat_ms", jm)
      .add("server_cpu_s", cpu)
      .add("server_us_per_delivery", per_join)
      .add("gen_cpu_pct", gen_cpu_pct)
      .add("gen_cpu_s", self1 - self0)
      .add("gen_limited", gen_cpu_pct >= 90)
      .add("doc_bytes", doc_units_)
      .add("joiners", opt_.joiners)
      .add("synced", synced)
      .add("all_synced_ms", all ? std::optional<double>(all_ms) : std::nullopt)
      .add_object("join_ms", jm)
      .add("server_us_per_join", per_join)
      .add("complete", complete == opt_.joiners)
      .add("ok", all && complete == opt_.joiners);
  std::cout << j.str() << std::endl;
  return 0;
}

}  // namespace

int run_joinstorm(const options& o) {
  joinstorm_run r(o);
  return r.run();
}

}  // namespace zeal::bench::load
