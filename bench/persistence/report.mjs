// Turns zeal_bench_persistence --json lines (one per run) into markdown (medians) and writes it into
// BENCHMARKS.md between <!-- persistence-bench:begin --> and <!-- persistence-bench:end -->.
// Usage: node report.mjs runs.jsonl BENCHMARKS.md   (machine facts come from run.sh's environment)
import fs from 'node:fs'

import { writeSection } from '../lib/benchmarks-md.mjs'

const [inPath, outPath] = process.argv.slice(2)
const runs = fs.readFileSync(inPath, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
if (!runs.length) throw new Error(`no runs in ${inPath}`)
const median = (key) => {
  const v = runs.map((r) => r[key]).filter((x) => typeof x === 'number').sort((a, b) => a - b)
  if (!v.length) return NaN
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2
}
const range = (key, d) => {
  const v = runs.map((r) => r[key]).filter((x) => typeof x === 'number')
  return v.length > 1 ? ` (${num(Math.min(...v), d)}–${num(Math.max(...v), d)})` : ''
}
const num = (x, d = 0) =>
  typeof x === 'number' && Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a'
const m = (key, d = 0) => num(median(key), d)
const mr = (key, d = 0) => m(key, d) + range(key, d)
const env = process.env
const n = median('updates')

let md = `### ${num(n)} real Yjs updates (${m('update_bytes_avg', 1)} B on average)\n\n`
md += `Machine: ${env.CPU ?? '?'} (${env.CORES ?? '?'} cores), Linux ${env.KERNEL ?? '?'}, data dir on ${env.DATA_FS ?? '?'}; `
md += `${env.CXX_VERSION ?? '?'}, Release build; RocksDB ${env.ROCKSDB_VERSION ?? '?'} (Debian package, the store's default options: `
md += 'Snappy compression, 64 MiB memtables, WAL on)'
md += env.PINNED && env.PINNED !== '0' ? '; the benchmark pinned to CPU 1 with `taskset`.\n\n' : '.\n\n'
md += `Command: \`${env.COMMAND ?? 'bench/persistence/run.sh'}\` — medians of ${runs.length} runs (range in parentheses).`
if (env.LOAD_START) md += ` Load average (1/5/15 min) at the start ${env.LOAD_START}, at the end ${env.LOAD_END}.`
md += '\n\n'
md += `The updates: one Y.Text, ${num(n)} single-character inserts at random positions (seeded), one v1 update per insert as `
md += `\`doc.on_update\` emits it (\`bench/persistence/persistence_bench.cpp\`). Appends cycle over those updates and over ${m('rooms')} rooms.\n\n`

md += `**Append throughput** (one \`rocksdb_store\`, each configuration runs ${m('append_seconds', 1)} s; \`append\` = one update per call, `
md += '`append_batch k` = one atomic WriteBatch of k updates, which is what the store actor\'s group commit does)\n\n'
md += '| write | sync off: updates/s | sync off: µs/update | sync on: updates/s | sync on: µs/update |\n|---|---:|---:|---:|---:|\n'
for (const [label, key] of [
  ['`append` (1 update)', 'append'],
  ['`append_batch` of 1', 'batch1'],
  ['`append_batch` of 16', 'batch16'],
  ['`append_batch` of 256', 'batch256']
]) {
  md += `| ${label} | ${mr(`${key}_nosync_updates_per_s`)} | ${m(`${key}_nosync_us_per_update`, 2)} | `
  md += `${mr(`${key}_sync_updates_per_s`)} | ${m(`${key}_sync_us_per_update`, 2)} |\n`
}
md += '\n'

md += '**Loading a room** (store closed and reopened first, so the records come from SST files, not the memtable; the OS page '
md += 'cache is warm). Apply = every record applied in order to a fresh `crdt::doc{doc_options{0, true, false}}`, as a room does.\n\n'
md += '| room | stored | open store (counting scan) | `store.load()` | apply | load + apply |\n|---|---|---:|---:|---:|---:|\n'
md += `| log of ${num(n)} updates | ${num((median('log_payload_bytes_per_update') * n) / 1048576, 2)} MiB of updates | `
md += `${m('log_open_ms', 0)} ms (${m('log_open_scan_ms', 1)} ms) | ${mr('log_load_ms', 1)} ms | ${mr('log_apply_ms', 0)} ms | **${mr('log_total_ms', 0)} ms** |\n`
md += `| one snapshot | ${num(median('snapshot_room_bytes') / 1048576, 2)} MiB (${m('snapshot_room_inserts')} inserts) | `
md += `(${m('snapshot_open_scan_ms', 1)} ms) | ${mr('snapshot_load_ms', 2)} ms | ${mr('snapshot_apply_ms', 1)} ms | **${mr('snapshot_total_ms', 1)} ms** |\n\n`

md += `**Disk bytes per stored update** (the ${num(n)}-update room of the load test)\n\n`
md += '| form | bytes per update |\n|---|---:|\n'
md += `| update payload (average update size) | ${m('log_payload_bytes_per_update', 1)} |\n`
md += `| in the log, WAL only (before any flush) | ${m('log_wal_bytes_per_update', 1)} |\n`
md += `| in the log, SST files after the flush at reopen | ${m('log_sst_bytes_per_update', 1)} |\n`
md += `| in the log, SST files after CompactRange | ${m('log_compacted_sst_bytes_per_update', 1)} |\n`
md += `| snapshot (full state v1, ${num(median('final_state_bytes'))} B) / updates | ${m('snapshot_bytes_per_update', 2)} |\n`
md += `| **after the snapshot replaced the log and CompactRange: SST bytes** | **${m('snapshot_sst_bytes_per_update', 2)}** |\n`
md += `| the same, every file in the data dir (WAL, MANIFEST, OPTIONS, LOG included) | ${m('snapshot_dir_bytes_per_update', 2)} |\n`
md += '\nRaw results (one JSON line per run):\n\n```\n' + runs.map((r) => JSON.stringify(r)).join('\n') + '\n```\n'

writeSection(outPath, 'persistence-bench', md, '## Persistence: RocksDB store (issue 4)\n\nCommand (builds its own Release build in `build-bench/`):\n\n```sh\nbench/persistence/run.sh 3\n```\n\n' +
    '`bench/persistence/run.sh` builds and runs `zeal_bench_persistence` (a real `persistence::rocksdb_store` in a temp dir) 3 times\n' +
    'and writes the medians below: append throughput with sync off and on, the time to load a room whose log holds 100,000\n' +
    'updates and one holding a ~1 MiB snapshot, and disk bytes per stored update before and after the snapshot + compaction.\n\n')
