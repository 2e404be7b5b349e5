#include "bench/load/latency.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace zeal::bench::load {
namespace {

constexpr std::uint64_t linear = 2048;
constexpr std::uint64_t per_octave = 1024;
constexpr int max_msb = 42;  // ~ 50 days in µs

std::size_t index_of(std::uint64_t us) {
  if (us < linear) return static_cast<std::size_t>(us);
  const int msb = std::min(63 - std::countl_zero(us), max_msb);
  const int shift = msb - 10;
  const std::uint64_t sub = std::min<std::uint64_t>((us >> shift) - per_octave, per_octave - 1);
  return static_cast<std::size_t>(linear + static_cast<std::uint64_t>(shift - 1) * per_octave + sub);
}

std::uint64_t value_of(std::size_t index) {
  if (index < linear) return index;
  const std::uint64_t rel = index - linear;
  const int shift = static_cast<int>(rel / per_octave) + 1;
  return (per_octave + rel % per_octave) << shift;
}

}  // namespace

latency_hist::latency_hist() : buckets_(index_of(std::uint64_t{1} << max_msb) + per_octave, 0) {}

void latency_hist::add_ns(std::int64_t ns) {
  const std::uint64_t us = ns <= 0 ? 0 : static_cast<std::uint64_t>(ns) / 1000;
  ++buckets_[index_of(us)];
  ++count_;
  max_us_ = std::max(max_us_, us);
}

void latency_hist::clear() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = 0;
  max_us_ = 0;
}

double latency_hist::quantile_ms(double q) const {
  if (count_ == 0) return 0;
  const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= std::max<std::uint64_t>(rank, 1)) {
      return static_cast<double>(std::min(value_of(i), max_us_)) / 1000.0;
    }
  }
  return max_ms();
}

}  // namespace zeal::bench::load
