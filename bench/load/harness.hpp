#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/load/options.hpp"
#include "bench/load/yjs_client.hpp"

namespace zeal::bench::load {

/// What every mode shares: the io_context, the server endpoint, local source addresses, the run's hard
/// deadline, server and self CPU sampling, and a client pool joined with bounded parallelism.
class harness : public client_listener {
 public:
  explicit harness(const options& o);
  virtual ~harness();

  /// Runs the io_context until `done()` or `max_s` seconds (or the run's deadline) pass; true if done.
  bool run_until(const std::function<bool()>& done, double max_s);
  /// Runs the io_context for `s` seconds (bounded by the deadline); false if the deadline passed.
  bool run_for(double s);
  bool deadline_passed() const;

  /// Creates a client for `room` (not connected).
  yjs_client& add_client(const std::string& room, std::uint32_t room_index);
  /// Connects clients [first, last) with at most `parallel` joins in flight; true when all synced.
  bool join_all(std::size_t first, std::size_t last, std::uint32_t parallel, double max_s);
  void connect(yjs_client& c);
  /// Closes every client (no callbacks) and lets the aborted operations finish.
  void close_all();

  std::string room_name(std::uint32_t r) const { return opt_.room_prefix + "-r" + std::to_string(r); }
  std::optional<double> server_cpu() const;

  // client_listener: counts joins and failures; modes override and call these.
  void on_synced(yjs_client& c, clock_type::time_point at) override;
  void on_update(yjs_client&, crdt::bytes_view, bool, clock_type::time_point) override {}
  void on_awareness(yjs_client&, crdt::bytes_view, clock_type::time_point) override {}
  void on_failed(yjs_client& c, std::string_view why) override;

 protected:
  const options& opt_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::ip::tcp::endpoint server_;
  std::vector<boost::asio::ip::address> sources_;
  clock_type::time_point deadline_;
  std::vector<std::unique_ptr<yjs_client>> clients_;
  std::size_t next_source_ = 0;
  std::uint64_t synced_ = 0;
  std::uint64_t failed_ = 0;
  std::string first_failure_;
};

double seconds_between(clock_type::time_point a, clock_type::time_point b);

}  // namespace zeal::bench::load
