#include "actors/local_sinks.hpp"

#include <mutex>
#include <unordered_map>

#include <caf/actor_addr.hpp>

namespace zeal::actors {

namespace {

// Only joins, client starts and client exits touch the table, never the relay path. The key (a weak
// reference) keeps the control block allocated, so an address is never reused while it is registered.
struct sink_table {
  std::mutex mutex;
  std::unordered_map<caf::actor_addr, std::weak_ptr<connection_sink>> sinks;
};

sink_table& table() {
  static sink_table t;
  return t;
}

}  // namespace

void register_local_sink(const caf::actor_addr& addr, const std::shared_ptr<connection_sink>& sink) {
  auto& t = table();
  std::lock_guard<std::mutex> guard(t.mutex);
  t.sinks[addr] = sink;
}

void unregister_local_sink(const caf::actor_addr& addr) {
  auto& t = table();
  std::lock_guard<std::mutex> guard(t.mutex);
  t.sinks.erase(addr);
}

std::shared_ptr<connection_sink> find_local_sink(const caf::actor_addr& addr) {
  auto& t = table();
  std::lock_guard<std::mutex> guard(t.mutex);
  auto it = t.sinks.find(addr);
  return it == t.sinks.end() ? nullptr : it->second.lock();
}

}  // namespace zeal::actors
