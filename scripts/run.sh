#!/usr/bin/env bash
# Installs dependencies, builds, and runs Zeal. Until the server exists this runs the zeal-ydoc tool:
# scripts/run.sh [ARGS...] passes ARGS to zeal-ydoc (default --help).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh" --no-node
"$root/scripts/build.sh"
if [ $# -eq 0 ]; then set -- --help; fi
exec "${ZEAL_BUILD_DIR:-$root/build}/app/ydoc/zeal-ydoc" "$@"
