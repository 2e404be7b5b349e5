#define CAF_SUITE doc_convergence_slow
// ctest-labels: slow
#include <caf/test/unit_test.hpp>

// Seeded random convergence, 10,000 iterations (see convergence.hpp).

#include "tests/crdt/doc/convergence.hpp"

using zeal::crdt::test::convergence_run;

CAF_TEST(ten_thousand_iterations) {
  int failures = 0;
  for (std::uint32_t seed = 1000; seed < 11000; ++seed) {
    convergence_run run(seed, 3, seed % 7 != 0);
    auto r = run.run(25);
    if (!r.ok && ++failures <= 5) CAF_MESSAGE("seed " << seed << ": " << r.message);
    CAF_CHECK(r.ok);
  }
  CAF_CHECK_EQUAL(failures, 0);
}
