// idle: N joined connections doing nothing; the server's resident memory per connection.
#include <sys/resource.h>

#include <iostream>

#include "bench/load/harness.hpp"
#include "bench/load/json_line.hpp"
#include "bench/load/latency.hpp"
#include "bench/load/modes.hpp"
#include "bench/load/proc_stats.hpp"

namespace zeal::bench::load {
namespace {

constexpr double quiet_s = 2;

/// Raises the soft fd limit to what `needed` descriptors require; false if the hard limit is too low.
bool ensure_fd_limit(std::uint64_t needed) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return false;
  if (lim.rlim_cur >= needed) return true;
  if (lim.rlim_max < needed) return false;
  lim.rlim_cur = needed;
  return ::setrlimit(RLIMIT_NOFILE, &lim) == 0;
}

}  // namespace

int run_idle(const options& o) {
  if (!ensure_fd_limit(std::uint64_t{o.connections} + 64)) {
    std::cerr << "zeal_load: the fd limit is too low for " << o.connections << " connections\n";
    return 1;
  }
  struct idle_run final : harness {
    using harness::harness;
    /// The server's VmRSS, 0 if unknown.
    std::uint64_t server_rss() const {
      if (!opt_.server_pid) return 0;
      return process_rss_bytes(*opt_.server_pid).value_or(0);
    }
    int run() {
      const std::uint64_t rss0 = server_rss();
      for (std::uint32_t i = 0; i < opt_.connections; ++i)
        add_client(room_name(i % opt_.rooms), i % opt_.rooms);
      const auto server0 = server_cpu();
      const double self0 = self_cpu_s();
      const auto t0 = clock_type::now();
      std::cerr << "zeal_load: opening " << opt_.connections << " connections\n";
      if (!join_all(0, clients_.size(), opt_.connect_parallel, opt_.timeout_s)) {
        std::cerr << "zeal_load: join failed after " << synced_
                  << " connections: " << (first_failure_.empty() ? "timeout" : first_failure_) << "\n";
        return 1;
      }
      const auto t1 = clock_type::now();
      const auto server1 = server_cpu();
      const double self1 = self_cpu_s();
      run_for(quiet_s);
      std::uint64_t still_open = 0;
      for (const auto& c : clients_) still_open += c->open() ? 1 : 0;
      const std::uint64_t rss1 = server_rss();
      latency_hist joins;
      for (const auto& c : clients_) joins.add_ns((c->synced_at() - c->connect_at()).count());
      json_line lat;
      lat.add("p50", joins.quantile_ms(0.5))
          .add("p90", joins.quantile_ms(0.9))
          .add("p99", joins.quantile_ms(0.99))
          .add("max", joins.max_ms());
      std::optional<double> per_conn, cpu, us_per_conn;
      std::optional<std::uint64_t> before, after;
      if (rss0 > 0 && rss1 > 0) {
        before = rss0;
        after = rss1;
        per_conn = (static_cast<double>(rss1) - static_cast<double>(rss0)) / opt_.connections;
      }
      if (server0 && server1) {
        cpu = *server1 - *server0;
        us_per_conn = *cpu * 1e6 / opt_.connections;
      }
      const double connect_s = seconds_between(t0, t1);
      const double gen_cpu_pct = connect_s > 0 ? 100 * (self1 - self0) / connect_s : 0;
      // The common fields, read for a join: delivered = joined connections, latency = connect → synced,
      // server_us_per_delivery = server CPU per join.
      json_line j;
      j.add("mode", "idle")
          .add("protocol", to_string(opt_.protocol))
          .add("url", opt_.url)
          .add("rooms", opt_.rooms)
          .add("clients", (opt_.connections + opt_.rooms - 1) / opt_.rooms)
          .add("senders", 0)
          .add("step", 0)
          .add_null("target_per_s")
          .add("duration_s", connect_s)
          .add("sent", std::uint64_t{0})
          .add("delivered", synced_)
          .add("delivered_per_s", connect_s > 0 ? static_cast<double>(synced_) / connect_s : 0.0)
          .add("lost", std::uint64_t{opt_.connections} - still_open)
          .add("duplicates", std::uint64_t{0})
          .add_object("lat_ms", lat)
          .add("server_cpu_s", cpu)
          .add("server_us_per_delivery", us_per_conn)
          .add("gen_cpu_pct", gen_cpu_pct)
          .add("gen_limited", gen_cpu_pct >= 90)
          .add("connections", opt_.connections)
          .add("open_after_quiet", still_open)
          .add("sources", opt_.sources)
          .add("rss_before", before)
          .add("rss_after", after)
          .add("rss_per_conn_bytes", per_conn)
          .add("ok", still_open == opt_.connections);
      std::cout << j.str() << std::endl;
      return 0;
    }
  };
  idle_run r(o);
  return r.run();
}

}  // namespace zeal::bench::load
