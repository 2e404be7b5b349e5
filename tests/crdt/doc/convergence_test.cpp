#define CAF_SUITE doc_convergence
#include <caf/test/unit_test.hpp>

// Seeded random convergence (fast version; convergence_slow_test.cpp runs 10,000 iterations).

#include <string>

#include "tests/crdt/doc/convergence.hpp"

using zeal::crdt::test::convergence_run;

CAF_TEST(random_edits_converge_gc) {
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    convergence_run run(seed, 3 + static_cast<int>(seed % 3), true);
    auto r = run.run(80);
    if (!r.ok) CAF_MESSAGE("seed " << seed << ": " << r.message);
    CAF_CHECK(r.ok);
  }
}

CAF_TEST(random_edits_converge_nogc) {
  for (std::uint32_t seed = 100; seed < 120; ++seed) {
    convergence_run run(seed, 3, false);
    auto r = run.run(80);
    if (!r.ok) CAF_MESSAGE("seed " << seed << ": " << r.message);
    CAF_CHECK(r.ok);
  }
}
