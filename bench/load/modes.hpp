#pragma once

#include "bench/load/options.hpp"

namespace zeal::bench::load {

/// Each returns the process exit code (0 ok, 1 setup failure) after printing its JSON line(s) on stdout.
int run_stream(const options& o);  // fanout, hot, awareness
int run_idle(const options& o);
int run_joinstorm(const options& o);

}  // namespace zeal::bench::load
