#include "bench/load/tracker.hpp"

#include <algorithm>
#include <utility>

namespace zeal::bench::load {
namespace {

std::int64_t to_ns(clock_type::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

tracker::tracker(std::vector<std::uint32_t> room_of_sender, std::vector<std::uint32_t> local_index,
                 std::vector<std::uint32_t> senders_in_room, std::uint32_t units_per_update)
    : room_of_sender_(std::move(room_of_sender)),
      local_index_(std::move(local_index)),
      senders_in_room_(std::move(senders_in_room)),
      receivers_in_room_(senders_in_room_.size(), 0),
      units_(units_per_update),
      full_(static_cast<std::uint8_t>((1u << units_per_update) - 1)),
      senders_(room_of_sender_.size()) {}

void tracker::add_receiver(std::uint32_t client, std::uint32_t room) {
  if (receivers_.size() <= client) receivers_.resize(client + 1, per_receiver{~0u, {}});
  receivers_[client].room = room;
  receivers_[client].marks.assign(senders_in_room_[room], {});
  ++receivers_in_room_[room];
}

void tracker::begin_step(const std::vector<std::uint64_t>& next_k) {
  for (std::size_t g = 0; g < senders_.size(); ++g) {
    auto& s = senders_[g];
    s.base = next_k[g];
    s.next = next_k[g];
    s.win_begin = ~std::uint64_t{0};
    s.win_end = ~std::uint64_t{0};
    s.sent_ns.clear();
  }
  for (auto& r : receivers_) {
    for (auto& m : r.marks) m.clear();
  }
  hist_.clear();
  delivered_ = duplicates_ = unexpected_ = 0;
}

void tracker::begin_window(const std::vector<std::uint64_t>& next_k) {
  for (std::size_t g = 0; g < senders_.size(); ++g) senders_[g].win_begin = next_k[g];
}

void tracker::end_window(const std::vector<std::uint64_t>& next_k) {
  for (std::size_t g = 0; g < senders_.size(); ++g) senders_[g].win_end = next_k[g];
}

void tracker::sent(std::uint32_t g, std::uint64_t k, clock_type::time_point at) {
  auto& s = senders_[g];
  if (k < s.base) return;
  const std::uint64_t rel = k - s.base;
  if (s.sent_ns.size() <= rel) s.sent_ns.resize(rel + 1, 0);
  s.sent_ns[rel] = to_ns(at);
  s.next = std::max(s.next, k + 1);
}

void tracker::received(std::uint32_t client, std::uint32_t g, std::uint64_t clock, std::uint64_t len,
                       clock_type::time_point at) {
  if (g >= senders_.size() || client >= receivers_.size() || len == 0) return;
  auto& r = receivers_[client];
  if (r.room != room_of_sender_[g]) {
    unexpected_ += len;
    return;
  }
  auto& s = senders_[g];
  auto& marks = r.marks[local_index_[g]];
  const std::uint64_t end = clock + len;
  // Units of updates before the step are ignored; units of updates never sent are counted apart.
  std::uint64_t c = std::max(clock, s.base * units_);
  const std::uint64_t sent_end = std::min(end, s.next * units_);
  if (end > sent_end) unexpected_ += end - std::max(sent_end, c);
  const std::int64_t now_ns = to_ns(at);
  while (c < sent_end) {
    const std::uint64_t k = c / units_;
    const std::uint64_t lo = c - k * units_;
    const std::uint64_t hi = std::min<std::uint64_t>(units_, sent_end - k * units_);
    c = k * units_ + hi;
    const std::uint64_t rel = k - s.base;
    if (marks.size() <= rel) marks.resize(std::max<std::size_t>(rel + 1, marks.size() * 2), 0);
    const auto bits = static_cast<std::uint8_t>(((1u << hi) - 1) & ~((1u << lo) - 1));
    std::uint8_t& m = marks[rel];
    if (m & bits) ++duplicates_;
    const bool was_full = m == full_;
    m |= bits;
    if (!was_full && m == full_ && k >= s.win_begin && k < s.win_end) {
      ++delivered_;
      hist_.add_ns(now_ns - s.sent_ns[rel]);
    }
  }
}

std::uint64_t tracker::expected() const {
  std::uint64_t total = 0;
  for (std::size_t g = 0; g < senders_.size(); ++g) {
    const auto& s = senders_[g];
    if (s.win_begin == ~std::uint64_t{0}) continue;
    const std::uint64_t end = std::min(s.win_end, s.next);
    const std::uint64_t n = end > s.win_begin ? end - s.win_begin : 0;
    const std::uint32_t receivers = receivers_in_room_[room_of_sender_[g]];
    total += n * (receivers > 0 ? receivers - 1 : 0);
  }
  return total;
}

std::uint64_t tracker::sent_in_window() const {
  std::uint64_t total = 0;
  for (const auto& s : senders_) {
    if (s.win_begin == ~std::uint64_t{0}) continue;
    const std::uint64_t end = std::min(s.win_end, s.next);
    total += end > s.win_begin ? end - s.win_begin : 0;
  }
  return total;
}

}  // namespace zeal::bench::load
