#pragma once

#include <cstdio>
#include <cstdlib>

// An invariant of a fuzz target: on violation print where and abort (libFuzzer saves the input; the replay
// runner and ctest report the crash).
#define ZEAL_FUZZ_CHECK(cond)                                                           \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (false)
