#pragma once

#include <cstdint>
#include <vector>

namespace zeal::bench::load {

/// Log-linear latency histogram in microseconds: exact below 2.048 ms, then 1024 buckets per octave
/// (< 0.1 % error). Adding is O(1) and allocation-free.
class latency_hist {
 public:
  latency_hist();
  void add_ns(std::int64_t ns);
  void clear();
  std::uint64_t count() const { return count_; }
  /// The q-quantile (0..1) in milliseconds; 0 when empty.
  double quantile_ms(double q) const;
  double max_ms() const { return static_cast<double>(max_us_) / 1000.0; }

 private:
  std::vector<std::uint32_t> buckets_;
  std::uint64_t count_ = 0;
  std::uint64_t max_us_ = 0;
};

}  // namespace zeal::bench::load
