#!/usr/bin/env bash
# Builds and runs the unit + integration tests under ThreadSanitizer.
#
# Debian's libcaf is not instrumented, so TSan cannot see CAF's hand-offs between threads and reports
# hundreds of false races inside libcaf_core. This script therefore builds CAF 0.17.6 itself with
# -fsanitize=thread from Debian's source package (the same version as libcaf-dev) into /opt/caf-tsan
# (once), then builds Zeal against it in build-tsan and runs ctest there.
#   scripts/tsan.sh [CTEST ARGS...]      default: -L "unit|integration"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${ZEAL_CAF_TSAN_PREFIX:-/opt/caf-tsan}"
build="${ZEAL_BUILD_DIR:-$root/build-tsan}"
jobs="${ZEAL_JOBS:-2}"

"$root/scripts/install-deps.sh"

if [ ! -e "$prefix/lib/libcaf_core.so" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  src_list=/etc/apt/sources.list.d/zeal-tsan-src.sources
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' > "$src_list"
  apt-get update -qq
  (cd "$work" && apt-get source --download-only actor-framework >/dev/null 2>&1 || true)
  rm -f "$src_list"
  apt-get update -qq
  tarball="$(ls "$work"/actor-framework_0.17.6.orig.tar.gz)"
  tar -xzf "$tarball" -C "$work"
  caf="$work/actor-framework-0.17.6"
  # 0.17.6 misses an include that g++ 12 needs.
  sed -i 's/#pragma once/#pragma once\n#include <limits>/' "$caf/libcaf_io/caf/io/network/receive_buffer.hpp"
  cmake -S "$caf" -B "$caf/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAF_NO_EXAMPLES=ON \
    -DCAF_NO_UNIT_TESTS=ON -DCAF_NO_OPENSSL=ON -DCAF_NO_TOOLS=ON -DCAF_NO_PYTHON=ON -DCAF_NO_OPENCL=ON \
    -DCAF_LOG_LEVEL=QUIET "-DCMAKE_CXX_FLAGS=-fsanitize=thread -O1 -g" \
    -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread "-DCMAKE_INSTALL_PREFIX=$prefix"
  cmake --build "$caf/build" -j "$jobs"
  cmake --install "$caf/build"
fi

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DZEAL_TSAN=ON -DZEAL_BUILD_BENCH=OFF \
  "-DCAF_INCLUDE_DIR=$prefix/include" "-DCAF_CORE_LIBRARY=$prefix/lib/libcaf_core.so" \
  "-DCAF_IO_LIBRARY=$prefix/lib/libcaf_io.so"
cmake --build "$build" -j "$jobs"
if [ $# -eq 0 ]; then set -- -L "unit|integration"; fi
TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1}" \
  ctest --test-dir "$build" --output-on-failure --timeout 1500 -j "$jobs" "$@"
