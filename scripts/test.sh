#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test with ctest (C++ suites, Node integration tests,
# fuzz targets). Extra arguments go to ctest, e.g. scripts/test.sh -L unit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ZEAL_BUILD_DIR:-$root/build}"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
cd "$build"
exec ctest --output-on-failure --timeout 1500 -j"${ZEAL_TEST_JOBS:-2}" "$@"
