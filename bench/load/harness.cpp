#include "bench/load/harness.hpp"

#include <iostream>

#include "bench/load/proc_stats.hpp"

namespace zeal::bench::load {
namespace asio = boost::asio;

double seconds_between(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

harness::harness(const options& o)
    : opt_(o),
      work_(asio::make_work_guard(io_)),
      server_(asio::ip::make_address_v4(o.host), o.port),
      deadline_(clock_type::now() + std::chrono::duration_cast<clock_type::duration>(
                                        std::chrono::duration<double>(o.timeout_s))) {
  if (o.sources > 1) {
    for (std::uint32_t k = 1; k <= o.sources; ++k) {
      sources_.push_back(asio::ip::make_address_v4("127.0.0." + std::to_string(k)));
    }
  }
}

harness::~harness() {
  close_all();
}

bool harness::deadline_passed() const {
  return clock_type::now() >= deadline_;
}

bool harness::run_until(const std::function<bool()>& done, double max_s) {
  const auto until = std::min(deadline_, clock_type::now() + std::chrono::duration_cast<clock_type::duration>(
                                                                 std::chrono::duration<double>(max_s)));
  while (!done()) {
    const auto now = clock_type::now();
    if (now >= until) return false;
    io_.run_for(std::min<clock_type::duration>(until - now, std::chrono::milliseconds(5)));
  }
  return true;
}

bool harness::run_for(double s) {
  const auto until =
      clock_type::now() + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(s));
  run_until([&] { return clock_type::now() >= until; }, s + 1);
  return !deadline_passed();
}

yjs_client& harness::add_client(const std::string& room, std::uint32_t room_index) {
  const auto index = static_cast<std::uint32_t>(clients_.size());
  clients_.push_back(
      std::make_unique<yjs_client>(io_, *this, opt_.protocol, room, opt_.seed * 1000003 + index));
  clients_.back()->index = index;
  clients_.back()->room_index = room_index;
  return *clients_.back();
}

void harness::connect(yjs_client& c) {
  asio::ip::address source;
  if (!sources_.empty()) source = sources_[next_source_++ % sources_.size()];
  c.connect(server_, source);
}

bool harness::join_all(std::size_t first, std::size_t last, std::uint32_t parallel, double max_s) {
  std::size_t next = first;
  const std::uint64_t synced0 = synced_;
  const std::uint64_t failed0 = failed_;
  const std::size_t total = last - first;
  auto last_report = clock_type::now();
  return run_until(
             [&] {
               const std::uint64_t finished = (synced_ - synced0) + (failed_ - failed0);
               if (failed_ > failed0) return true;
               while (next < last && (next - first) - finished < parallel) connect(*clients_[next++]);
               if (clock_type::now() - last_report > std::chrono::seconds(2)) {
                 last_report = clock_type::now();
                 std::cerr << "zeal_load: joined " << (synced_ - synced0) << "/" << total << "\n";
               }
               return finished == total;
             },
             max_s) &&
         failed_ == failed0;
}

void harness::close_all() {
  for (auto& c : clients_) c->abort();
  io_.poll();
  io_.restart();
}

std::optional<double> harness::server_cpu() const {
  if (!opt_.server_pid) return std::nullopt;
  return process_cpu_s(*opt_.server_pid);
}

void harness::on_synced(yjs_client&, clock_type::time_point) {
  ++synced_;
}

void harness::on_failed(yjs_client& c, std::string_view why) {
  ++failed_;
  if (first_failure_.empty()) {
    first_failure_ = "client " + std::to_string(c.index) + " (room " + c.room() + "): " + std::string(why);
  }
  if (failed_ <= 5) std::cerr << "zeal_load: client " << c.index << " (" << c.room() << "): " << why << "\n";
}

}  // namespace zeal::bench::load
