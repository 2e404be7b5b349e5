// Turns bench/server/load.mjs JSON lines (both servers) into a markdown table and writes it into
// BENCHMARKS.md between <!-- server-bench:begin --> and <!-- server-bench:end -->.
// Usage: node report.mjs results.jsonl BENCHMARKS.md
import fs from 'node:fs'

import { writeSection } from '../lib/benchmarks-md.mjs'

const [inPath, outPath] = process.argv.slice(2)
const rows = fs.readFileSync(inPath, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
const get = (server, scenario) => rows.find((r) => r.server === server && r.scenario === scenario) ?? {}
const num = (x, d = 0) => (typeof x === 'number' && Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a')
const ratio = (a, b, higherBetter) => {
  if (!(typeof a === 'number' && typeof b === 'number' && a > 0 && b > 0)) return ''
  return `${(higherBetter ? a / b : b / a).toFixed(1)}×`
}

const zr = get('zeal', 'rate')
const zm = get('zeal', 'max')
const zi = get('zeal', 'idle')
const yr = get('yws', 'rate')
const ym = get('yws', 'max')
const yi = get('yws', 'idle')
const table = [
  ['**fixed rate**: sent updates/s (100 senders)', zr.sent_per_s, yr.sent_per_s, null, 0],
  ['fixed rate: delivered updates/s to receivers', zr.delivered_per_s, yr.delivered_per_s, true, 0],
  ['fixed rate: latency p50', zr.p50_ms, yr.p50_ms, false, 2, 'ms'],
  ['fixed rate: latency p99', zr.p99_ms, yr.p99_ms, false, 2, 'ms'],
  ['fixed rate: server CPU', zr.server_cpu_pct, yr.server_cpu_pct, false, 0, '%'],
  ['**max rate**: sent updates/s', zm.sent_per_s, ym.sent_per_s, true, 0],
  ['max rate: delivered updates/s to receivers', zm.delivered_per_s, ym.delivered_per_s, true, 0],
  ['max rate: latency p50', zm.p50_ms, ym.p50_ms, false, 1, 'ms'],
  ['max rate: latency p99', zm.p99_ms, ym.p99_ms, false, 1, 'ms'],
  ['max rate: server CPU / load client CPU', `${num(zm.server_cpu_pct)} / ${num(zm.client_cpu_pct)}`, `${num(ym.server_cpu_pct)} / ${num(ym.client_cpu_pct)}`, null, 0, '%'],
  [`**idle**: server RSS before → with ${num(zi.connections)} connections`, `${num(zi.rss_before_mib, 1)} → ${num(zi.rss_after_mib, 1)}`, `${num(yi.rss_before_mib, 1)} → ${num(yi.rss_after_mib, 1)}`, null, 0, 'MiB'],
  ['idle: RSS per idle connection', zi.rss_per_connection_bytes, yi.rss_per_connection_bytes, false, 0, 'B'],
  ['idle: connections opened per second (200 handshakes in flight)', zi.connect_per_s, yi.connect_per_s, true, 0]
]
const any = rows[0] ?? {}
let md = '### 100 rooms × 10 clients, one sender per room; 10,000 idle connections\n\n'
md += `Same run, ${process.env.CPU ?? any.host} (${process.env.CORES ?? '?'} cores), server and load client on the same machine`
md += process.env.PINNED && process.env.PINNED !== '0' ? ' (load client pinned to CPU 0, server to CPU 1 with taskset: each server gets one core); ' : '; '
md += `load client: one Node ${any.node} process with raw \`ws\` sockets and precomputed Yjs update frames (${num(zr.frame_bytes)} B, one text insert each). `
md += `Zeal ${process.env.BUILD_TYPE || ''} build with its default threads (1 I/O, 2 actor); reference: y-websocket 2.1.0 \`bin/utils\` \`setupWSConnection\` on \`ws\` (one Node process). `
md += `Each traffic scenario runs ${process.env.DURATION ?? '?'} s. Fixed rate: every sender ${num(zr.rate_per_sender)} updates/s. `
md += `Max rate: every sender keeps ${num(zm.window)} updates in flight (until its own echo). Latency: sender's send → a receiver's `
md += `receive of the same frame, in the load client's clock; "delivered" counts receivers only (9 per room).\n\n`
if (process.env.LOAD_START) {
  md += `Load average (1/5/15 min) at the start ${process.env.LOAD_START}, at the end ${process.env.LOAD_END}: `
  md += 'anything above ~2 means other processes competed for the two cores, and the throughput and latency '
  md += 'figures are then mostly noise (the RSS figures are not affected).\n\n'
}
md += '| measurement | Zeal | y-websocket | Zeal advantage |\n|---|---:|---:|---:|\n'
for (const [label, a, b, hb, d, unit = ''] of table) {
  const fa = typeof a === 'string' ? a : num(a, d)
  const fb = typeof b === 'string' ? b : num(b, d)
  const u = unit ? ` ${unit}` : ''
  md += `| ${label} | ${fa}${u} | ${fb}${u} | ${hb === null ? '' : ratio(a, b, hb)} |\n`
}
const undelivered = rows.filter((r) => r.undelivered_after_drain > 0)
if (undelivered.length) {
  md += `\nUndelivered after a 10 s drain: ${undelivered.map((r) => `${r.server} ${r.scenario}: ${r.undelivered_after_drain}`).join(', ')}.\n`
}
md += '\nRaw results (one JSON line per scenario):\n\n```\n' + rows.map((r) => JSON.stringify(r)).join('\n') + '\n```\n'

writeSection(outPath, 'server-bench', md, '## Server load (issue 3)\n\nCommand (after `scripts/build.sh` with a RelWithDebInfo or Release build):\n\n```sh\nbench/server/run.sh 10 10000\n```\n\n' +
    '`bench/server/run.sh` runs `bench/server/load.mjs` against `build/app/server/zeal-crdt-server` and against the\n' +
    'y-websocket reference server (`tests/js/tools/yws-server.cjs`) with the same load, one after the other, and writes\n' +
    'the table below.\n\n')
