// Turns bench/cluster/run.sh's JSON lines (bench/cluster/cluster-load.mjs results with "name" and "run"
// added) into markdown (medians over the runs) and writes it into BENCHMARKS.md between
// <!-- cluster-bench:begin --> and <!-- cluster-bench:end --> (heading "## Cluster (issue 5)" if new).
// Usage: node report.mjs results.jsonl BENCHMARKS.md   (machine facts and options from the environment)
import fs from 'node:fs'

import { writeSection } from '../lib/benchmarks-md.mjs'

const [inPath, outPath] = process.argv.slice(2)
const rows = fs.readFileSync(inPath, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
const env = process.env
const ok = (name) => rows.filter((r) => r.name === name && !r.failed)
const failed = rows.filter((r) => r.failed).map((r) => `${r.name} run ${r.run}`)
const med = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
  if (!v.length) return NaN
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2
}
const max = (xs) => (xs.length ? Math.max(...xs.map((x) => (typeof x === 'number' ? x : Infinity))) : NaN)
const num = (x, d = 0) =>
  typeof x === 'number' && Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a'
const ms = (x, d = 1) => (typeof x === 'number' && Number.isFinite(x) ? `${num(x, d)} ms` : 'n/a')
const range = (xs, d = 1) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x))
  return v.length > 1 ? ` (${num(Math.min(...v), d)}–${num(Math.max(...v), d)})` : ''
}
const cpuSum = (o) => (o ? Object.values(o).reduce((a, b) => a + b, 0) : NaN)
const cpuList = (o) => (o ? Object.entries(o).map(([k, v]) => `${k} ${v}`).join(' / ') : 'n/a')

const lat = ok('latency')
const latMem = ok('latency-in-memory')
const fanS = ok('fanout-single')
const fanC = ok('fanout-cluster')
const fo = ok('failover')[0]
const any = rows.find((r) => !r.failed) ?? {}

let md = '### 3 nodes on one machine (loopback)\n\n'
md += `${env.CPU ?? any.host} (${env.CORES ?? '?'} cores), Linux ${env.KERNEL ?? '?'}; Zeal ${env.BUILD_TYPE || '?'} build with its default threads `
md += `(1 I/O, 2 actor per node); load client: one Node ${any.node ?? ''} process with raw \`ws\` sockets and precomputed Yjs update frames `
md += `(${num(lat[0]?.frame_bytes ?? fanS[0]?.frame_bytes)} B, one text insert each). `
md += env.PINNED && env.PINNED !== '0'
  ? '**The load client is pinned to CPU 0 and all three nodes share CPU 1** (taskset): the whole cluster gets the one core a single server gets in the server load benchmark above, so these figures show what the cluster costs, not how it scales (that needs a machine per node). '
  : 'Nothing pinned: three nodes and the load client share the 2 cores. '
md += 'Nodes n1, n2, n3 (`--node-id`), seeded with each other, `[cluster]` heartbeat 500 ms / connection timeout 3000 ms (the defaults); '
md += 'every node keeps its RocksDB store (a fresh temp `--data-dir`, sync off: the default), so each update is also appended to the replica\'s store (rank 2) before it is relayed — replication is part of every cluster figure.\n\n'
md += `Command: \`${env.COMMAND ?? 'bench/cluster/run.sh'}\` (builds its own Release build in \`build-bench/\`; wall time ${env.WALL_S ?? '?'} s) — medians of ${env.RUNS ?? '?'} runs (range in parentheses), failover: ${env.REPEATS ?? '?'} kills.`
if (env.LOAD_START) md += ` Load average (1/5/15 min) at the start ${env.LOAD_START}, at the end ${env.LOAD_END} (above ~2 = other processes competed for the cores).`
md += '\n\n'
if (failed.length) md += `**Failed runs (no figures): ${failed.join(', ')}.**\n\n`

// 1. latency
const ph = (rs, phase, key) => rs.map((r) => r.phases?.[phase]?.[key])
if (lat.length) {
  const L = lat[0]
  md += `**1. Latency when the room is on another node** (\`--scenario latency ${env.LAT_OPTS ?? ''}\`): ${L.rooms} rooms whose rendezvous owner is n1 `
  md += `(GET /cluster "rooms" confirms: all loaded on n1), ${L.clients_per_room} clients per room, one sender per room at ${L.rate_per_sender} updates/s `
  md += `(${num(L.rooms * L.rate_per_sender)} updates/s sent, ${num(L.rooms * L.rate_per_sender * (L.clients_per_room - 1))}/s delivered), ${L.duration_s} s per phase. `
  md += 'The two phases run one after the other on the same cluster (the order alternates between runs). '
  md += '*local*: every client connected to n1 (the owner); *remote*: other rooms owned by n1, every client connected to n2 '
  md += '(sender → n2 → n1: room, store, replica → n2 → receivers). Latency: send → a receiver\'s receive of the same frame, every delivery counted.\n\n'
  md += '| measurement | local (clients on the owner) | remote (clients on another node) | added by the remote hop |\n|---|---:|---:|---:|\n'
  for (const [label, key, d] of [['latency p50', 'p50_ms', 2], ['latency p99', 'p99_ms', 2], ['latency max', 'max_ms', 1]]) {
    const a = med(ph(lat, 'local', key))
    const b = med(ph(lat, 'remote', key))
    md += `| ${label} | ${ms(a, d)}${range(ph(lat, 'local', key), d)} | ${ms(b, d)}${range(ph(lat, 'remote', key), d)} | ${ms(b - a, d)} |\n`
  }
  md += `| delivered updates/s | ${num(med(ph(lat, 'local', 'delivered_per_s')))} | ${num(med(ph(lat, 'remote', 'delivered_per_s')))} | |\n`
  const cpuRow = (phase) => ['n1', 'n2', 'n3'].map((n) => `${n} ${num(med(lat.map((r) => r.phases?.[phase]?.server_cpu_pct?.[n])))}`).join(' / ')
  md += `| server CPU % (of the one shared core) | ${cpuRow('local')} | ${cpuRow('remote')} | |\n`
  md += `| load client CPU % | ${num(med(ph(lat, 'local', 'client_cpu_pct')))} | ${num(med(ph(lat, 'remote', 'client_cpu_pct')))} | |\n`
  md += `| undelivered after the drain (sum over runs) | ${ph(lat, 'local', 'undelivered_after_drain').reduce((a, b) => a + (b ?? 0), 0)} | ${ph(lat, 'remote', 'undelivered_after_drain').reduce((a, b) => a + (b ?? 0), 0)} | |\n`
  if (latMem.length) {
    const a = med(ph(latMem, 'local', 'p50_ms'))
    const b = med(ph(latMem, 'remote', 'p50_ms'))
    const a9 = med(ph(latMem, 'local', 'p99_ms'))
    const b9 = med(ph(latMem, 'remote', 'p99_ms'))
    md += `| same with \`--in-memory\` (no stores, so no replication; ${latMem.length} run, indicative only): p50 / p99 | ${ms(a, 2)} / ${ms(a9, 2)} | ${ms(b, 2)} / ${ms(b9, 2)} | ${ms(b - a, 2)} / ${ms(b9 - a9, 2)} |\n`
  }
  md += '\nThe ranges show the run-to-run spread: a difference smaller than the ranges (or a negative one) is noise, not a cost of the hop.\n\n'
}

// 2. fan-out
const best = (rs, key) => rs.map((r) => r.best?.[key])
const limiter = (r) => {
  const f = r.first_fail
  if (!f) return 'no step failed (raise --steps)'
  const why = []
  if (f.frames_exhausted) why.push('frames exhausted')
  if (f.sent_per_s < 0.95 * f.target_sent_per_s) why.push(`load client sent only ${num(f.sent_per_s)}/${num(f.target_sent_per_s)} per s`)
  if (f.undelivered_after_drain) why.push(`${num(f.undelivered_after_drain)} undelivered 3 s after the step`)
  if (f.p99_ms === null || f.p99_ms >= r.p99_limit_ms) why.push(`p99 ${f.p99_ms === null ? '∞' : num(f.p99_ms, 1)} ms`)
  const srv = cpuSum(f.server_cpu_pct)
  const side = f.client_cpu_pct >= 90 && srv < 90 ? 'load client' : srv >= 90 && f.client_cpu_pct < 90 ? 'servers' : srv >= 90 ? 'both' : 'neither core saturated by the benchmark: the p99 limit was hit by latency spikes below CPU capacity'
  return `${f.target_rate_per_sender}/s per sender: ${why.join(', ')}; server CPU ${num(srv)} % (${cpuList(f.server_cpu_pct)}), load client ${f.client_cpu_pct} % → ${side}`
}
if (fanS.length || fanC.length) {
  const F = fanC[0] ?? fanS[0]
  md += `**2. Fan-out throughput** (\`--scenario fanout ${env.FAN_OPTS ?? ''}\`): ${F.rooms} rooms × ${F.clients_per_room} clients, one sender per room; `
  md += `*1 node*: every client on one single-node server (no cluster port); *3 nodes*: room names not chosen (GET /cluster: ${fanC[0]?.rooms_owned ? cpuList(fanC[0].rooms_owned) : '?'} rooms loaded per node), `
  md += 'the clients of every room spread round-robin over the three nodes (what a load balancer that knows nothing of placement does: ~2/3 of the clients are remote to their room). '
  md += `The rate per sender rises step by step (${F.step_seconds} s each, a drain pause between); a step passes when every update was delivered within 3 s, p99 < ${F.p99_limit_ms} ms and the load client kept up (≥ 95 % of the target rate); a failed step is tried once more (one stall of the shared core can spoil a 3 s step) and the search stops when both attempts fail. `
  md += 'Figures are those of the last passing step.\n\n'
  md += '| measurement | 1 node | 3 nodes (one shared core) |\n|---|---:|---:|\n'
  md += `| **max delivered updates/s with p99 < ${F.p99_limit_ms} ms** | **${num(med(best(fanS, 'delivered_per_s')))}**${range(best(fanS, 'delivered_per_s'), 0)} | **${num(med(best(fanC, 'delivered_per_s')))}**${range(best(fanC, 'delivered_per_s'), 0)} |\n`
  md += `| at rate per sender (updates/s) | ${num(med(best(fanS, 'target_rate_per_sender')))} | ${num(med(best(fanC, 'target_rate_per_sender')))} |\n`
  md += `| sent updates/s | ${num(med(best(fanS, 'sent_per_s')))} | ${num(med(best(fanC, 'sent_per_s')))} |\n`
  md += `| latency p50 / p99 | ${ms(med(best(fanS, 'p50_ms')), 2)} / ${ms(med(best(fanS, 'p99_ms')), 2)} | ${ms(med(best(fanC, 'p50_ms')), 2)} / ${ms(med(best(fanC, 'p99_ms')), 2)} |\n`
  md += `| server CPU % (sum of nodes) | ${num(med(fanS.map((r) => cpuSum(r.best?.server_cpu_pct))))} | ${num(med(fanC.map((r) => cpuSum(r.best?.server_cpu_pct))))} |\n`
  md += `| load client CPU % | ${num(med(best(fanS, 'client_cpu_pct')))} | ${num(med(best(fanC, 'client_cpu_pct')))} |\n`
  const perUpdate = (rs) => med(rs.map((r) => (r.best ? (cpuSum(r.best.server_cpu_pct) / 100 / r.best.delivered_per_s) * 1e6 : NaN)))
  md += `| server CPU time per delivered update (all nodes) | ${num(perUpdate(fanS), 1)} µs | ${num(perUpdate(fanC), 1)} µs |\n\n`
  md += 'The three nodes share one core here, so the cluster\'s ceiling is below one node\'s: every update costs more CPU in the cluster '
  md += '(the relay to the ~2/3 receivers on other nodes crosses CAF\'s BASP connections, serialized on one node and deserialized on the other, '
  md += 'and the owner appends it to the replica\'s store too). Whether the cluster adds capacity with a core or a machine per node is not measured here (this machine has two cores).\n\n'
  md += 'What stopped the search (per run; CPU % of one core, measured per process over the failing step — other processes on the machine are not counted, see the load average):\n\n'
  for (const [label, rs] of [['1 node', fanS], ['3 nodes', fanC]]) {
    for (const r of rs) md += `- ${label}, run ${r.run}: last pass ${r.best ? `${r.best.target_rate_per_sender}/s per sender (${num(r.best.delivered_per_s)} delivered/s)` : 'none'}; stopped at ${limiter(r)}\n`
  }
  md += '\n'
}

// 3. failover
if (fo) {
  const runs = fo.runs
  const col = (k) => runs.map((x) => x[k])
  md += `**3. Failover after kill -9 of the owner** (\`--scenario failover ${env.FO_OPTS ?? ''} --repeats ${env.REPEATS ?? runs.length}\`): a fresh 3-node cluster per kill; `
  md += `${fo.failover_rooms} rooms owned by n1, in each a raw sender on n2 or n3 and a raw receiver on the other survivor; every sender sends an independent probe `
  md += `update every ${fo.probe_ms} ms (before and after the kill). kill -9 of n1, then per room (a) until GET /cluster of n2 or n3 lists the room (polled every ~10 ms), `
  md += '(b) until the first probe sent after the kill is in the receiver\'s document (relayed by the new owner). '
  md += 'The kill closes n1\'s TCP connections at once, so the survivors see it down without waiting for the heartbeat timeout.\n\n'
  md += '| kill | (a) owned on a survivor: median / max over rooms | (b) probe delivered again: median / max over rooms | new owner = replica (rank 2) | client WebSocket closes | probe latency before the kill p50 / p99 |\n|---|---:|---:|---:|---:|---:|\n'
  runs.forEach((x, i) => {
    md += `| ${i + 1} | ${ms(x.owner_ms_median, 0)} / ${ms(x.owner_ms_max, 0)} | ${ms(x.delivered_ms_median, 0)} / ${ms(x.delivered_ms_max, 0)} | ${x.new_owner_is_replica}/${x.rooms} | ${x.client_closes} | ${ms(x.pre_kill_probe_p50_ms, 1)} / ${ms(x.pre_kill_probe_p99_ms, 1)} |\n`
  })
  md += `| **median of the kills / max** | **${ms(med(col('owner_ms_median')), 0)}** / ${ms(max(col('owner_ms_max')), 0)} | **${ms(med(col('delivered_ms_median')), 0)}** / ${ms(max(col('delivered_ms_max')), 0)} | | | |\n\n`
}

md += 'Raw results (one JSON line per scenario run):\n\n```\n' + rows.map((r) => JSON.stringify(r)).join('\n') + '\n```\n'

const intro = '## Cluster (issue 5)\n\nCommand (builds its own Release build in `build-bench/`):\n\n```sh\nbench/cluster/run.sh 3 5\n```\n\n'
writeSection(outPath, 'cluster-bench', md, intro)
