#!/usr/bin/env bash
# Installs dependencies, builds, and runs the Zeal server (zeal-crdt-server) on the repository's
# config.ini (single node). Extra arguments go to the server, e.g. scripts/run.sh --port 9000 -v
# (zeal-crdt-server --help lists them). Stop it with Ctrl-C (SIGINT) or SIGTERM.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh" --no-node
"$root/scripts/build.sh"
exec "${ZEAL_BUILD_DIR:-$root/build}/app/server/zeal-crdt-server" --config "$root/config.ini" "$@"
