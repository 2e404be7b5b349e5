#pragma once

// Gives freed heap memory back to the OS. glibc keeps what a burst of connections (or a large message)
// freed in its arenas; without a trim a server that once held many connections keeps their RSS. The main
// thread asks once a second; a trim runs when the connection count moved by 1 % (at least 64) since the
// last one, or every `period` otherwise.

#include <chrono>
#include <cstdint>

namespace zeal::app {

class memory_trimmer {
 public:
  using clock_type = std::chrono::steady_clock;
  explicit memory_trimmer(std::chrono::seconds period = std::chrono::seconds{60}) : period_(period) {}

  /// True if a trim is due now (the caller then calls trim()); records it as done.
  bool due(std::int64_t connections, clock_type::time_point now);
  /// malloc_trim(0); the bytes of RSS it released (as far as /proc/self/statm tells; 0 if
  /// RSS grew meanwhile).
  static std::int64_t trim();

 private:
  std::chrono::seconds period_;
  bool started_ = false;
  std::int64_t last_connections_ = 0;
  clock_type::time_point last_{};
};

}  // namespace zeal::app
