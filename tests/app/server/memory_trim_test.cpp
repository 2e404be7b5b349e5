#define CAF_SUITE app_memory_trim
#include <caf/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <vector>

#include "app/server/memory_trim.hpp"

using namespace zeal::app;
using namespace std::chrono_literals;

CAF_TEST(a trim is due when the connection count moved or the period passed) {
  memory_trimmer t{60s};
  const auto t0 = memory_trimmer::clock_type::time_point{} + 1000s;
  CAF_CHECK(!t.due(0, t0));  // the first call only records
  CAF_CHECK(!t.due(10, t0 + 1s));
  CAF_CHECK(t.due(100, t0 + 2s));  // moved by ≥ 64
  CAF_CHECK(!t.due(100, t0 + 3s));
  CAF_CHECK(!t.due(120, t0 + 4s));
  CAF_CHECK(t.due(120, t0 + 63s));  // the period passed
  // Large counts: 1 % of them.
  CAF_CHECK(t.due(20000, t0 + 64s));
  CAF_CHECK(!t.due(20150, t0 + 65s));
  CAF_CHECK(t.due(20250, t0 + 66s));
  CAF_CHECK(t.due(0, t0 + 67s));  // every connection closed
}

CAF_TEST(trim returns freed memory) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  CAF_MESSAGE("the sanitizer's allocator is not glibc's: trim() runs, its effect is not checked");
  static_cast<void>(memory_trimmer::trim());
  return;
#endif
  // Many small blocks, most of them freed: their pages are free inside the heap until trimmed.
  std::vector<void*> blocks;
  for (int i = 0; i < 100000; ++i) blocks.push_back(std::malloc(200));
  for (std::size_t i = 0; i + 1 < blocks.size(); ++i) std::free(blocks[i]);
  CAF_CHECK_GREATER(memory_trimmer::trim(), 0);
  std::free(blocks.back());
}
