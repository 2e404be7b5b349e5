#include "app/server/memory_trim.hpp"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace zeal::app {

namespace {

std::int64_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  long size = 0, resident = 0;
  const int n = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  return n == 2 ? static_cast<std::int64_t>(resident) * sysconf(_SC_PAGESIZE) : 0;
}

}  // namespace

bool memory_trimmer::due(std::int64_t connections, clock_type::time_point now) {
  if (!started_) {
    started_ = true;
    last_connections_ = connections;
    last_ = now;
    return false;
  }
  const std::int64_t moved = std::llabs(connections - last_connections_);
  const std::int64_t threshold = std::max<std::int64_t>(64, last_connections_ / 100);
  if (moved < threshold && now - last_ < period_) return false;
  last_connections_ = connections;
  last_ = now;
  return true;
}

std::int64_t memory_trimmer::trim() {
  const auto before = resident_bytes();
  malloc_trim(0);
  return std::max<std::int64_t>(0, before - resident_bytes());  // 0 if RSS grew meanwhile
}

}  // namespace zeal::app
