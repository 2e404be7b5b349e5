#pragma once

#include <cstdint>
#include <vector>

#include "bench/load/latency.hpp"
#include "bench/load/ws_client.hpp"

namespace zeal::bench::load {

/// Exactly-once accounting of a step. Sender g's update k covers clocks [k·U, (k+1)·U) of its Yjs client
/// (U ≤ 8 units per update). For every (receiver, sender of its room) a byte per update holds the units
/// seen; a unit seen twice is a duplicate, an update is delivered when its last missing unit arrives.
/// Updates before the step's base are ignored; only those sent in the measured window are counted.
class tracker {
 public:
  /// `room_of_sender[g]`, `local_index[g]` (its index among its room's senders), `senders_in_room[r]`.
  tracker(std::vector<std::uint32_t> room_of_sender, std::vector<std::uint32_t> local_index,
          std::vector<std::uint32_t> senders_in_room, std::uint32_t units_per_update);

  /// Registers receiver `client` (mode's client index) in `room`.
  void add_receiver(std::uint32_t client, std::uint32_t room);

  /// Starts a step: updates below `base[g]` are ignored from now on; all marks and counters cleared.
  void begin_step(const std::vector<std::uint64_t>& next_k);
  /// Opens the measured window: sends from next_k[g] on count.
  void begin_window(const std::vector<std::uint64_t>& next_k);
  /// Closes the measured window: sends before next_k[g] count.
  void end_window(const std::vector<std::uint64_t>& next_k);
  /// Records the send time of sender g's update k (call for every send).
  void sent(std::uint32_t g, std::uint64_t k, clock_type::time_point at);

  /// Units [clock, clock+len) of sender g arrived at receiver `client` at `at`.
  void received(std::uint32_t client, std::uint32_t g, std::uint64_t clock, std::uint64_t len,
                clock_type::time_point at);

  std::uint64_t expected() const;
  std::uint64_t delivered() const { return delivered_; }
  std::uint64_t duplicates() const { return duplicates_; }
  /// Units for updates never sent (a server inventing or corrupting data).
  std::uint64_t unexpected() const { return unexpected_; }
  const latency_hist& latency() const { return hist_; }
  std::uint64_t sent_in_window() const;

 private:
  struct per_sender {
    std::uint64_t base = 0;
    std::uint64_t win_begin = 0;
    std::uint64_t win_end = ~std::uint64_t{0};
    std::uint64_t next = 0;             // updates sent so far (absolute)
    std::vector<std::int64_t> sent_ns;  // from base
  };
  struct per_receiver {
    std::uint32_t room = 0;
    std::vector<std::vector<std::uint8_t>> marks;  // [local sender][k − base]
  };

  std::vector<std::uint32_t> room_of_sender_;
  std::vector<std::uint32_t> local_index_;
  std::vector<std::uint32_t> senders_in_room_;
  std::vector<std::uint32_t> receivers_in_room_;
  std::uint32_t units_;
  std::uint8_t full_;
  std::vector<per_sender> senders_;
  std::vector<per_receiver> receivers_;  // by client index (room == ~0u: not a receiver)
  latency_hist hist_;
  std::uint64_t delivered_ = 0;
  std::uint64_t duplicates_ = 0;
  std::uint64_t unexpected_ = 0;
};

}  // namespace zeal::bench::load
