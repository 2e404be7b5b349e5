// fanout, hot and awareness: rooms of clients, some of which send at a paced rate; every other client of
// the room must receive every send exactly once.
#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <cmath>
#include <cstring>
#include <iostream>

#include "bench/load/harness.hpp"
#include "bench/load/json_line.hpp"
#include "bench/load/modes.hpp"
#include "bench/load/proc_stats.hpp"
#include "bench/load/tracker.hpp"
#include "bench/load/yjs_updates.hpp"

namespace zeal::bench::load {
namespace {

constexpr std::uint32_t text_unit = 8;        // bytes (= UTF-16 units) appended per update
constexpr std::size_t max_queued = 8u << 20;  // a sender whose socket holds more skips sends

class stream_run final : public harness {
 public:
  explicit stream_run(const options& o);
  int run();

  void on_update(yjs_client& c, crdt::bytes_view update, bool step2, clock_type::time_point at) override;
  void on_awareness(yjs_client& c, crdt::bytes_view update, clock_type::time_point at) override;

 private:
  bool run_step(std::size_t step, double rate);
  void pace();
  void send_one(std::uint32_t g, clock_type::time_point now);

  bool awareness_ = false;
  std::uint32_t per_room_senders_ = 0;
  std::uint64_t base_id_ = 0;
  std::vector<std::uint32_t> sender_client_;  // global sender → client index
  std::vector<std::uint32_t> order_;          // send order: rooms interleaved
  std::vector<std::uint64_t> next_k_;
  std::unique_ptr<tracker> tracker_;
  boost::asio::steady_timer timer_;
  bool pacing_ = false;
  clock_type::time_point t0_{};
  double send_rate_ = 0;         // sends/s over all senders
  clock_type::duration tick_{};  // pacing period: 1 ms, longer (up to 10 ms) when sends are rarer
  std::uint64_t j_ = 0;          // global sends scheduled so far
  std::uint64_t skipped_ = 0;
  std::uint64_t decode_errors_ = 0;
  std::uint64_t echoes_ = 0;
  crdt::bytes buf_;
  std::string json_;
  std::vector<struct_range> ranges_;
  std::string error_;
};

stream_run::stream_run(const options& o)
    : harness(o),
      awareness_(o.mode == mode::awareness),
      per_room_senders_(o.senders),
      base_id_(1000000 + (o.seed % 1000) * 20000),
      timer_(io_) {
  std::vector<std::uint32_t> room_of, local, per_room(o.rooms, per_room_senders_);
  for (std::uint32_t r = 0; r < o.rooms; ++r) {
    for (std::uint32_t c = 0; c < o.clients; ++c) {
      auto& cl = add_client(room_name(r), r);
      if (c < per_room_senders_) {
        cl.sender = static_cast<std::int32_t>(sender_client_.size());
        sender_client_.push_back(cl.index);
        room_of.push_back(r);
        local.push_back(c);
      }
    }
  }
  for (std::uint32_t s = 0; s < per_room_senders_; ++s) {
    for (std::uint32_t r = 0; r < o.rooms; ++r) order_.push_back(r * per_room_senders_ + s);
  }
  next_k_.assign(sender_client_.size(), 0);
  tracker_ = std::make_unique<tracker>(room_of, local, per_room, awareness_ ? 1 : text_unit);
  for (auto& c : clients_) tracker_->add_receiver(c->index, c->room_index);
}

void stream_run::on_update(yjs_client& c, crdt::bytes_view update, bool, clock_type::time_point at) {
  if (!scan_update_ranges(update, ranges_, error_)) {
    if (decode_errors_++ < 3) std::cerr << "zeal_load: undecodable update: " << error_ << "\n";
    return;
  }
  for (const auto& r : ranges_) {
    const std::uint64_t g = r.client - base_id_;
    if (r.client < base_id_ || g >= sender_client_.size()) continue;
    if (sender_client_[g] == c.index) {
      ++echoes_;
      continue;
    }
    tracker_->received(c.index, static_cast<std::uint32_t>(g), r.clock, r.length, at);
  }
}

void stream_run::on_awareness(yjs_client& c, crdt::bytes_view u, clock_type::time_point at) {
  if (!awareness_) return;
  // varUint n, n × (varUint client, varUint clock, varString JSON).
  std::size_t pos = 0;
  auto var_uint = [&](std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64 && pos < u.size(); shift += 7) {
      const std::uint8_t b = u[pos++];
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  };
  std::uint64_t n = 0;
  if (!var_uint(n)) return;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t client = 0, clock = 0, len = 0;
    if (!var_uint(client) || !var_uint(clock) || !var_uint(len) || len > u.size() - pos) {
      if (decode_errors_++ < 3) std::cerr << "zeal_load: undecodable awareness update\n";
      return;
    }
    const bool null_state = len == 4 && std::memcmp(u.data() + pos, "null", 4) == 0;
    pos += static_cast<std::size_t>(len);
    const std::uint64_t g = client - base_id_;
    if (null_state || clock == 0 || client < base_id_ || g >= sender_client_.size()) continue;
    if (sender_client_[g] == c.index) {
      ++echoes_;
      continue;
    }
    tracker_->received(c.index, static_cast<std::uint32_t>(g), clock - 1, 1, at);
  }
}

void stream_run::send_one(std::uint32_t g, clock_type::time_point now) {
  auto& c = *clients_[sender_client_[g]];
  if (!c.open() || c.queued_bytes() > max_queued) {
    ++skipped_;
    return;
  }
  const std::uint64_t k = next_k_[g]++;
  const std::uint64_t id = base_id_ + g;
  buf_.clear();
  if (awareness_) {
    // One entry: client, clock k+1, the state's JSON.
    json_ = "{\"user\":{\"name\":\"u" + std::to_string(g) + "\",\"color\":\"#" +
            std::string("0123456789abcdef").substr(g % 10, 6) +
            "\"},\"cursor\":{\"anchor\":" + std::to_string(k) + ",\"head\":" + std::to_string(k) + "}}";
    auto put = [&](std::uint64_t v) {
      while (v >= 0x80) {
        buf_.push_back(static_cast<std::uint8_t>(v | 0x80));
        v >>= 7;
      }
      buf_.push_back(static_cast<std::uint8_t>(v));
    };
    put(1);
    put(id);
    put(k + 1);
    put(json_.size());
    buf_.insert(buf_.end(), json_.begin(), json_.end());
    tracker_->sent(g, k, now);
    c.send_awareness(buf_);
    return;
  }
  char text[text_unit];
  std::uint64_t v = k;
  for (std::uint32_t i = 0; i < text_unit; ++i) {
    text[text_unit - 1 - i] = static_cast<char>('a' + v % 26);
    v /= 26;
  }
  append_text_update(buf_, id, k * text_unit, std::string_view(text, text_unit));
  tracker_->sent(g, k, now);
  c.send_update(buf_);
}

void stream_run::pace() {
  if (!pacing_) return;
  const auto now = clock_type::now();
  const auto due = static_cast<std::uint64_t>(seconds_between(t0_, now) * send_rate_);
  // More than 50 ms behind: the generator cannot keep up; drop the backlog (counted) instead of bursting.
  const auto max_lag = static_cast<std::uint64_t>(std::max(1.0, send_rate_ * 0.05));
  if (due > j_ + max_lag) {
    skipped_ += due - max_lag - j_;
    j_ = due - max_lag;
  }
  for (; j_ < due; ++j_) send_one(order_[j_ % order_.size()], now);
  timer_.expires_at(std::max(timer_.expiry() + tick_, now));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) pace();
  });
}

bool stream_run::run_step(std::size_t step, double rate) {
  const std::uint32_t receivers = opt_.clients - 1;
  const auto all_senders = static_cast<double>(sender_client_.size());
  double target = 0;  // delivered/s
  if (awareness_) {
    send_rate_ = rate * all_senders;
    target = send_rate_ * receivers;
  } else {
    target = rate;
    send_rate_ = rate / receivers;
  }
  std::cerr << "zeal_load: step " << step << ": target " << target << " delivered/s ("
            << send_rate_ / all_senders << " sends/s per sender)\n";
  tracker_->begin_step(next_k_);
  skipped_ = 0;
  echoes_ = 0;
  j_ = 0;
  tick_ = std::chrono::duration_cast<clock_type::duration>(
      std::chrono::duration<double>(std::clamp(1 / send_rate_, 0.001, 0.01)));
  t0_ = clock_type::now();
  pacing_ = true;
  timer_.expires_at(t0_);
  pace();
  run_for(opt_.warmup_s);
  tracker_->begin_window(next_k_);
  const std::uint64_t skipped0 = skipped_;
  const auto server0 = server_cpu();
  const double self0 = self_cpu_s();
  const auto w0 = clock_type::now();
  run_for(opt_.duration_s);
  tracker_->end_window(next_k_);
  const auto w1 = clock_type::now();
  const double self1 = self_cpu_s();
  const auto server1 = server_cpu();
  const std::uint64_t skipped = skipped_ - skipped0;
  pacing_ = false;
  timer_.cancel();
  const double window = seconds_between(w0, w1);
  // Drain: what was sent in the window may still be on its way.
  const double drain = std::max(2.0, 3 * opt_.max_p99_ms / 1000);
  run_until([&] { return tracker_->delivered() >= tracker_->expected(); }, drain);

  const std::uint64_t expected = tracker_->expected();
  const std::uint64_t delivered = tracker_->delivered();
  const std::uint64_t lost = expected > delivered ? expected - delivered : 0;
  const auto& lat = tracker_->latency();
  const double p99 = lat.quantile_ms(0.99);
  const double gen_cpu_pct = window > 0 ? 100 * (self1 - self0) / window : 0;
  const double target_sends = send_rate_ * window;
  const bool behind =
      static_cast<double>(tracker_->sent_in_window()) < 0.95 * target_sends || skipped > 0.05 * target_sends;
  std::optional<double> server_cpu_s, server_us;
  if (server0 && server1) {
    server_cpu_s = *server1 - *server0;
    if (delivered > 0) server_us = *server_cpu_s * 1e6 / static_cast<double>(delivered);
  }
  const bool truncated = window < 0.95 * opt_.duration_s;  // cut short by --timeout
  const bool ok =
      lost == 0 && tracker_->duplicates() == 0 && p99 <= opt_.max_p99_ms && delivered > 0 && !truncated;
  json_line lat_obj;
  lat_obj.add("p50", lat.quantile_ms(0.5))
      .add("p90", lat.quantile_ms(0.9))
      .add("p99", p99)
      .add("max", lat.max_ms());
  json_line j;
  j.add("mode", to_string(opt_.mode))
      .add("protocol", to_string(opt_.protocol))
      .add("url", opt_.url)
      .add("rooms", opt_.rooms)
      .add("clients", opt_.clients)
      .add("senders", per_room_senders_)
      .add("step", static_cast<std::uint64_t>(step))
      .add("target_per_s", target)
      .add("duration_s", window)
      .add("sent", tracker_->sent_in_window())
      .add("delivered", delivered)
      .add("delivered_per_s", window > 0 ? static_cast<double>(delivered) / window : 0.0)
      .add("lost", lost)
      .add("duplicates", tracker_->duplicates())
      .add_object("lat_ms", lat_obj)
      .add("server_cpu_s", server_cpu_s)
      .add("server_us_per_delivery", server_us)
      .add("gen_cpu_pct", gen_cpu_pct)
      .add("gen_us_per_delivery",
           delivered > 0 ? (self1 - self0) * 1e6 / static_cast<double>(delivered) : 0.0)
      .add("gen_limited", gen_cpu_pct >= 90 || behind)
      .add("skipped_sends", skipped)
      .add("echoes", echoes_)
      .add("truncated", truncated)
      .add("unexpected_units", tracker_->unexpected())
      .add("ok", ok);
  std::cout << j.str() << std::endl;
  if (tracker_->unexpected() > 0)
    std::cerr << "zeal_load: " << tracker_->unexpected() << " units never sent were received\n";
  return ok;
}

int stream_run::run() {
  std::cerr << "zeal_load: " << clients_.size() << " clients in " << opt_.rooms << " rooms joining\n";
  if (!join_all(0, clients_.size(), opt_.connect_parallel, opt_.timeout_s)) {
    std::cerr << "zeal_load: join failed: " << (first_failure_.empty() ? "timeout" : first_failure_) << "\n";
    return 1;
  }
  run_for(0.5);  // let the servers' join traffic (awareness, SyncStep1) settle
  for (std::size_t i = 0; i < opt_.rates.size(); ++i) {
    const bool ok = run_step(i, opt_.rates[i]);
    if (deadline_passed()) {
      std::cerr << "zeal_load: --timeout reached\n";
      break;
    }
    if (!ok) break;
    run_for(0.5);
  }
  close_all();
  if (failed_ > 0)
    std::cerr << "zeal_load: " << failed_ << " clients failed during the run: " << first_failure_ << "\n";
  return 0;
}

}  // namespace

int run_stream(const options& o) {
  stream_run r(o);
  return r.run();
}

}  // namespace zeal::bench::load
