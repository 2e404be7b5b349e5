#!/usr/bin/env bash
# Runs a three-node Zeal cluster on this machine: node1..node3 (examples/cluster/node{1,2,3}.ini) with
# WebSocket/HTTP on 127.0.0.1:8081..8083 and the cluster listeners on 127.0.0.1:7101..7103, data in
# examples/cluster/data/node{1,2,3}. Builds zeal-crdt-server first if needed (as scripts/run.sh does; set
# ZEAL_BIN=/path/to/zeal-crdt-server to use a given binary and skip the build). Every output line is
# prefixed with its node's name. Ctrl-C (or SIGTERM) stops the three nodes one after the other (each hands
# its rooms to the ones still running; the last one keeps them all); a second Ctrl-C kills them.
# Extra arguments go to every node, e.g. examples/cluster/run.sh -v
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [ -n "${ZEAL_BIN:-}" ]; then
  bin=$ZEAL_BIN
else
  build="${ZEAL_BUILD_DIR:-$root/build}"
  bin="$build/app/server/zeal-crdt-server"
  "$root/scripts/install-deps.sh" --no-node
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${ZEAL_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
  cmake --build "$build" -j"${ZEAL_JOBS:-2}" --target zeal-crdt-server
fi
[ -x "$bin" ] || { echo "run.sh: no server binary at $bin" >&2; exit 1; }

cd "$here"
mkdir -p data
nodes=(node1 node2 node3)
pids=()

# wait_gone PID: waits until the node has exited and is reaped (`wait` also returns when a trap runs).
wait_gone() {
  while kill -0 "$1" 2>/dev/null; do wait "$1" 2>/dev/null || true; done
}

stopping=0
stop_all() {
  if [ "$stopping" -ne 0 ]; then
    echo "[run.sh] killing the nodes"
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    return
  fi
  stopping=1
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -0 "${pids[$i]}" 2>/dev/null || continue
    echo "[run.sh] stopping ${nodes[$i]}"
    kill -TERM "${pids[$i]}" 2>/dev/null || true
    wait_gone "${pids[$i]}"
  done
}
trap stop_all INT TERM

for node in "${nodes[@]}"; do
  # setsid: the terminal's Ctrl-C reaches only this script, which stops the nodes in order (a node that
  # got a second signal while shutting down would exit at once). The prefixing sed ignores SIGINT so that
  # it prints the shutdown lines too.
  setsid "$bin" --config "$here/$node.ini" "$@" > >(trap '' INT TERM; exec sed -u "s/^/[$node] /") 2>&1 &
  pids+=("$!")
done
echo "[run.sh] started ${nodes[*]} (pids ${pids[*]}): ws://127.0.0.1:8081..8083/<room>, GET /cluster; Ctrl-C stops them"


for pid in "${pids[@]}"; do wait_gone "$pid"; done
sleep 0.2  # let the prefixing seds print the last lines
echo "[run.sh] all nodes stopped"
