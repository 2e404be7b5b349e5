#include "app/server/server_main.hpp"

#include <pthread.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/limits.hpp"
#include "actors/messages.hpp"
#include "actors/metrics.hpp"
#include "actors/store_actor.hpp"
#include "app/server/log.hpp"
#include "app/server/memory_trim.hpp"
#include "app/server/options_loader.hpp"
#include "cluster/log.hpp"
#include "cluster/membership.hpp"
#include "cluster/messages.hpp"
#include "cluster/router.hpp"
#include "net/actor_bridge.hpp"
#include "net/io_scheduler.hpp"
#include "net/server.hpp"
#include "persistence/rocksdb_store.hpp"

namespace zeal::app {

namespace {

/// CAF configuration set programmatically: CAF never sees argv or config.ini (its INI parser would
/// silently accept bad values; ours validated them already). The middleman (CAF's networking) is always
/// loaded; it listens only when the cluster port is set. Its heartbeat makes a hung peer's connection drop
/// (the monitors of its actors then fire); every node of a cluster must use the same two values.
class server_actor_config : public caf::actor_system_config {
 public:
  explicit server_actor_config(const server_options& opts) {
    if (opts.actor_threads == 0) {
      net::use_io_scheduler(*this);  // the actors share the one I/O thread (options checked io-threads 1)
    } else {
      set("scheduler.policy", caf::atom("sharing"));
      set("scheduler.max-threads", static_cast<std::size_t>(opts.actor_threads));
    }
    load<caf::io::middleman>();
    set("middleman.heartbeat-interval", caf::timespan{opts.cluster_heartbeat});
    set("middleman.connection-timeout", caf::timespan{opts.cluster_timeout});
    add_message_types<caf::id_block::zeal>();
    add_message_types<caf::id_block::zeal_persistence>();
    add_message_types<caf::id_block::zeal_cluster>();
  }
};

sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

const char* signal_name(int sig) {
  return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "signal";
}

/// Waits on its own thread while the main thread shuts down: a second SIGINT/SIGTERM or a shutdown that
/// takes longer than `limit` ends the process at once (exit 1), so a stuck actor cannot hang it forever.
class shutdown_watchdog {
 public:
  explicit shutdown_watchdog(std::chrono::seconds limit) : thread_([this, limit] { watch(limit); }) {}
  ~shutdown_watchdog() {
    done_.store(true);
    thread_.join();
  }
  shutdown_watchdog(const shutdown_watchdog&) = delete;
  shutdown_watchdog& operator=(const shutdown_watchdog&) = delete;

 private:
  void watch(std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    const sigset_t set = shutdown_signals();
    const timespec tick{0, 100 * 1000 * 1000};
    while (!done_.load()) {
      int sig = sigtimedwait(&set, nullptr, &tick);
      if (sig > 0) {
        log()->error("second {} during shutdown: exiting now", signal_name(sig));
        log()->flush();
        std::_Exit(1);
      }
      if (std::chrono::steady_clock::now() > deadline) {
        log()->error("shutdown did not finish within {} s: exiting now", limit.count());
        log()->flush();
        std::_Exit(1);
      }
    }
  }

  std::atomic<bool> done_{false};
  std::thread thread_;
};

net::server_config make_net_config(const server_options& opts) {
  net::server_config c;
  c.host = opts.host;
  c.port = opts.port;
  c.max_message_size = opts.max_message_size;
  c.ping_interval = opts.ping_interval;
  c.client_timeout = opts.client_timeout;
  c.max_send_queue_bytes = opts.max_send_queue_bytes;
  c.max_http_body = opts.max_http_body;
  c.io_threads = opts.io_threads;
  return c;
}

actors::room_limits make_limits(const server_options& opts) {
  actors::room_limits l;
  l.max_rooms = opts.max_rooms;
  l.max_clients_per_room = opts.max_clients_per_room;
  l.room_timeout = std::chrono::minutes{opts.room_timeout_minutes};
  l.snapshot_idle = opts.snapshot_idle;
  l.compact_log_entries = opts.compact_log_entries;
  l.compact_log_bytes = opts.compact_log_bytes;
  return l;
}

/// "host:port, host:port" or "none".
std::string describe_seeds(const std::vector<cluster::cluster_address>& seeds) {
  if (seeds.empty()) return "none";
  std::string out;
  for (const auto& a : seeds) out += (out.empty() ? "" : ", ") + cluster::to_string(a);
  return out;
}

}  // namespace

int run_server(const server_options& opts) {
  // Block the shutdown signals before any thread exists: every thread inherits the mask, so only the
  // sigwait below (and the watchdog) ever sees them.
  const sigset_t signals = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A parent may have set them to SIG_IGN (background jobs of a non-interactive shell ignore SIGINT):
  // restore the default action so that they reach sigwait.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  std::signal(SIGPIPE, SIG_IGN);

  log()->info("zeal-crdt-server starting: {}", describe_options(opts));

  // Declared first: destroyed last, after everything that holds actor handles.
  server_actor_config cfg{opts};
  caf::actor_system sys{cfg};
  auto* const io_context = net::io_context_of(sys);  // actor-threads 0: the actors' thread, else none
  if (io_context != nullptr)
    log()->debug("actor system: actors on the I/O thread");
  else
    log()->debug("actor system: {} scheduler threads", sys.scheduler().num_workers());

  auto metrics = std::make_shared<actors::server_metrics>();
  const std::string node_id = effective_node_id(opts);
  metrics->cluster_enabled = opts.cluster_port != 0;
  metrics->node_id = node_id;
  caf::actor store;
  if (opts.in_memory) {
    log()->info("storage: in-memory (nothing is persisted)");
  } else {
    std::error_code ec;
    auto dir_path = std::filesystem::absolute(opts.data_dir, ec);
    std::string path = ec ? opts.data_dir : dir_path.lexically_normal().string();
    std::filesystem::create_directories(path, ec);
    if (ec) {
      log()->error("cannot create data directory {}: {}", path, ec.message());
      return 1;
    }
    auto opened = persistence::rocksdb_store::open({path, opts.sync, true});
    if (!opened) {
      log()->error("cannot open storage: {}", opened.error_message());
      return 1;
    }
    log()->info("storage: rocksdb at {} (sync {})", path, opts.sync ? "on" : "off");
    metrics->storage_enabled = true;
    metrics->storage_sync = opts.sync;
    persistence::store_actor_options so;
    so.metrics = metrics;
    store = persistence::spawn_store_actor(
        sys, std::shared_ptr<persistence::store>(std::move(opened).value()), so);
  }
  const actors::room_limits limits = make_limits(opts);

  // The cluster: the router (which owns the local room directory) and the membership actor (which tells
  // the router the live members). Clients and the HTTP bridge talk to the router only.
  std::string seed_error;
  auto seeds = cluster::parse_seeds(opts.seeds, seed_error);
  if (!seeds) {  // the options loader checked them already (cluster/seeds.hpp): not expected
    log()->error("[cluster] seeds: {}", seed_error);
    if (store) caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    return 2;
  }
  cluster::router_config router_cfg;
  router_cfg.node_id = node_id;
  router_cfg.limits = limits;
  router_cfg.metrics = metrics;
  router_cfg.store = store;
  caf::actor router = cluster::spawn_router(sys, std::move(router_cfg));
  cluster::membership_config mc;
  mc.node_id = node_id;
  mc.self = {opts.cluster_host, opts.cluster_port};
  mc.seeds = std::move(*seeds);
  mc.router = router;
  mc.store = store;
  mc.metrics = metrics;
  const std::string seed_text = describe_seeds(mc.seeds);
  caf::actor membership = cluster::spawn_membership(sys, std::move(mc));

  net::actor_bridge bridge(sys, router, limits, metrics);
  auto net_cfg = make_net_config(opts);
  net_cfg.shared_context = io_context;
  net::server srv(std::move(net_cfg), bridge);

  // Rooms first (the router hands them off to their new owners, or they write their snapshots), then the
  // store (it writes what is still batched), then membership.
  auto stop_actors = [&] {
    {
      caf::scoped_actor waiter{sys};
      waiter->monitor(router);
      waiter->send(router, actors::shutdown_atom::value);
      waiter->receive([](const caf::down_msg&) {});
    }
    if (store) caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(membership, caf::exit_reason::user_shutdown);
    sys.await_all_actors_done();
  };

  if (opts.cluster_port != 0) {
    auto published = sys.middleman().publish(membership, opts.cluster_port, opts.cluster_host.c_str(), true);
    if (!published) {
      log()->error("cannot listen on cluster address {}:{}: {}", opts.cluster_host, opts.cluster_port,
                   sys.render(published.error()));
      stop_actors();
      return 1;
    }
    cluster::log::cluster().info("cluster: node {} listening on {}:{} (seeds: {})", node_id,
                                 opts.cluster_host, *published, seed_text);
  } else {
    cluster::log::cluster().info("cluster: disabled (single node {})", node_id);
  }

  std::string error;
  if (!srv.start(error)) {
    log()->error("cannot listen on {}:{}: {}", opts.host, opts.port, error);
    stop_actors();
    return 1;
  }

  // Wait for a shutdown signal; meanwhile, once a second, give memory freed by connection bursts back to
  // the OS (app/server/memory_trim.hpp).
  int sig = 0;
  memory_trimmer trimmer;
  while (true) {
    const timespec tick{1, 0};
    sig = sigtimedwait(&signals, nullptr, &tick);
    if (sig > 0) break;
    if (errno == EAGAIN || errno == EINTR) {
      if (trimmer.due(metrics->connections.load(std::memory_order_relaxed),
                      memory_trimmer::clock_type::now())) {
        const auto released = memory_trimmer::trim();
        if (released > 0) log()->debug("memory trim: {} bytes returned to the OS", released);
      }
      continue;
    }
    log()->error("sigtimedwait failed ({}): shutting down", errno);
    break;
  }
  log()->info("{} received: shutting down", signal_name(sig));

  shutdown_watchdog watchdog{std::chrono::seconds{30}};
  // Leave the cluster first: the others stop sending this node lookups and re-place its rooms.
  {
    caf::scoped_actor self{sys};
    self->request(membership, std::chrono::seconds{2}, actors::leave_atom::value)
        .receive([](caf::ok_atom) {},
                 [](const caf::error& e) {
                   log()->warn("cluster: leaving the cluster did not finish: {}", caf::to_string(e));
                 });
  }
  srv.stop(std::chrono::seconds{2});
  log()->debug("network stopped; stopping rooms");
  stop_actors();
  log()->info("shutdown complete");
  return 0;
}

}  // namespace zeal::app
