#include "net/server_state.hpp"

namespace zeal::net {

server_state::server_state(server_config cfg, actor_bridge& b)
    : config(std::move(cfg)), bridge(b), metrics(*b.metrics()) {}

void server_state::add_session(std::uint64_t id, std::weak_ptr<ws_session_handle> session) {
  std::lock_guard lock{mutex_};
  sessions_.emplace(id, std::move(session));
}

void server_state::remove_session(std::uint64_t id) {
  std::lock_guard lock{mutex_};
  sessions_.erase(id);
  if (sessions_.empty()) cv_.notify_all();
}

std::vector<std::shared_ptr<ws_session_handle>> server_state::sessions() {
  std::vector<std::shared_ptr<ws_session_handle>> out;
  std::lock_guard lock{mutex_};
  out.reserve(sessions_.size());
  for (auto& [id, weak] : sessions_)
    if (auto s = weak.lock()) out.push_back(std::move(s));
  return out;
}

bool server_state::wait_for_no_sessions(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock{mutex_};
  return cv_.wait_until(lock, deadline, [this] { return sessions_.empty(); });
}

}  // namespace zeal::net
