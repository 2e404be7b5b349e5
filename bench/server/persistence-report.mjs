// Turns bench/server/persistence.sh's JSON lines (bench/server/load.mjs results with "mode" and "run" added)
// into a markdown table (medians over the runs) and writes it into BENCHMARKS.md between
// <!-- persistence-server-bench:begin --> and <!-- persistence-server-bench:end -->.
// Usage: node persistence-report.mjs results.jsonl BENCHMARKS.md   (machine facts from the environment)
import fs from 'node:fs'

import { writeSection } from '../lib/benchmarks-md.mjs'

const [inPath, outPath] = process.argv.slice(2)
const rows = fs.readFileSync(inPath, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
const env = process.env
const modes = ['in-memory', 'sync-off', 'sync-on']
const of = (mode, scenario) => rows.filter((r) => r.mode === mode && r.scenario === scenario)
const median = (list, key) => {
  const v = list.map((r) => r[key]).filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
  if (!v.length) return NaN
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2
}
const num = (x, d = 0) =>
  typeof x === 'number' && Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a'
const pct = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${Math.round((a / b) * 100)} %` : '')

// Every run must have been in the mode it claims: the server's start-up line and its /stats say so.
const problems = []
for (const r of rows) {
  const log = r.storage_log ?? ''
  const ok =
    r.mode === 'in-memory'
      ? /in-memory/.test(log) && r.storage?.enabled === false
      : /rocksdb at .*\(sync (off|on)\)/.test(log) && log.includes(`sync ${r.mode === 'sync-on' ? 'on' : 'off'}`) &&
        r.storage?.enabled === true && r.storage?.appends_total > 0
  if (!ok) problems.push(`run ${r.run} ${r.mode} ${r.scenario}: storage line ${JSON.stringify(log)}, /stats storage ${JSON.stringify(r.storage)}`)
  if (r.undelivered_after_drain > 0) problems.push(`run ${r.run} ${r.mode} ${r.scenario}: ${r.undelivered_after_drain} updates undelivered after the drain`)
}

const table = [
  ['**fixed rate**: sent updates/s (100 senders × 20/s)', 'rate', 'sent_per_s', 0, '', false],
  ['fixed rate: delivered updates/s to receivers', 'rate', 'delivered_per_s', 0, '', true],
  ['fixed rate: latency p50', 'rate', 'p50_ms', 2, 'ms', false],
  ['fixed rate: latency p99', 'rate', 'p99_ms', 2, 'ms', false],
  ['fixed rate: server CPU', 'rate', 'server_cpu_pct', 0, '%', false],
  ['**max rate**: sent updates/s (8 in flight per sender)', 'max', 'sent_per_s', 0, '', true],
  ['**max rate: delivered updates/s to receivers**', 'max', 'delivered_per_s', 0, '', true],
  ['max rate: latency p50', 'max', 'p50_ms', 1, 'ms', false],
  ['max rate: latency p99', 'max', 'p99_ms', 1, 'ms', false],
  ['max rate: server CPU', 'max', 'server_cpu_pct', 0, '%', false]
]
const runs = Math.max(0, ...rows.map((r) => r.run))
const any = rows[0] ?? {}
let md = '### Update path: in-memory vs RocksDB (sync off / on), 100 rooms × 10 clients\n\n'
md += `${env.CPU ?? any.host} (${env.CORES ?? '?'} cores), Linux ${env.KERNEL ?? '?'}, data dir on ${env.DATA_FS ?? '?'}; `
md += `server and load client on the same machine${env.PINNED && env.PINNED !== '0' ? ' (load client pinned to CPU 0, server to CPU 1)' : ''}. `
md += `Zeal ${env.BUILD_TYPE || ''} build with its default threads; the load is \`bench/server/load.mjs\` exactly as in the server `
md += `load benchmark above (${num(any.frame_bytes)} B update frames, one text insert each), scenarios \`rate\` and \`max\`, `
md += `${env.DURATION ?? '?'} s each. Modes: \`--in-memory\`; the default RocksDB store in a fresh temp \`--data-dir\` (sync off); `
md += 'the same with `--sync` (fsync per group commit). With persistence every update is appended to the room\'s log and '
md += 'relayed only after the store confirmed the write.\n\n'
md += `Command: \`${env.COMMAND ?? 'bench/server/persistence.sh'}\` — medians of ${runs} runs (each run does the three modes `
md += 'one after the other).'
if (env.LOAD_START) md += ` Load average (1/5/15 min) at the start ${env.LOAD_START}, at the end ${env.LOAD_END} (above ~2 = other processes competed for the cores).`
md += '\n\n'
md += '| measurement | in-memory | RocksDB, sync off | sync off / in-memory | RocksDB, sync on | sync on / in-memory |\n'
md += '|---|---:|---:|---:|---:|---:|\n'
for (const [label, scenario, key, d, unit, ratio] of table) {
  const v = modes.map((m) => median(of(m, scenario), key))
  const u = unit ? ` ${unit}` : ''
  md += `| ${label} | ${num(v[0], d)}${u} | ${num(v[1], d)}${u} | ${ratio ? pct(v[1], v[0]) : ''} | ${num(v[2], d)}${u} | ${ratio ? pct(v[2], v[0]) : ''} |\n`
}
const stor = (m, key) => median(of(m, 'max').map((r) => ({ v: r.storage?.[key] })), 'v')
md += `| max rate: store appends / snapshots at the end (from /stats) | | ${num(stor('sync-off', 'appends_total'))} / ${num(stor('sync-off', 'snapshots_total'))} | | ${num(stor('sync-on', 'appends_total'))} / ${num(stor('sync-on', 'snapshots_total'))} | |\n`
md += `| max rate: RocksDB size at the end (db_bytes) | | ${num(stor('sync-off', 'db_bytes') / 1048576, 1)} MiB | | ${num(stor('sync-on', 'db_bytes') / 1048576, 1)} MiB | |\n`
const target = median(of('sync-off', 'max'), 'delivered_per_s') / median(of('in-memory', 'max'), 'delivered_per_s')
md += `\nTarget (issue 4): max-rate throughput with sync off ≥ 80 % of the in-memory figure — `
md += Number.isFinite(target) ? `**${Math.round(target * 100)} %, ${target >= 0.8 ? 'met' : 'not met'}**.\n` : 'n/a.\n'
if (problems.length) md += `\nProblems seen: ${problems.join('; ')}.\n`
md += '\nRaw results (one JSON line per mode, scenario and run):\n\n```\n' + rows.map((r) => JSON.stringify(r)).join('\n') + '\n```\n'

writeSection(outPath, 'persistence-server-bench', md, '## Server update path with persistence on vs off (issue 4)\n\nCommand (builds its own Release server in `build-bench/`, or uses `$ZEAL_BUILD_DIR`):\n\n```sh\n' +
    (env.COMMAND ?? 'bench/server/persistence.sh 10 5') +
    '\n```\n\n' +
    '`bench/server/persistence.sh` runs the `rate` and `max` scenarios of `bench/server/load.mjs` against `zeal-crdt-server\n' +
    '--in-memory`, against the default RocksDB store (sync off) and with `--sync`, and writes the medians below.\n\n')
