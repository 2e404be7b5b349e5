// Aggregates yjs_trace.mjs and zeal_trace_bench JSON lines into a markdown table (medians) and writes it
// into BENCHMARKS.md between <!-- crdt-trace:NAME:begin --> and <!-- crdt-trace:NAME:end -->.
// Usage: node report.mjs yjs.jsonl zeal.jsonl BENCHMARKS.md
import fs from 'node:fs'

import { writeSection } from '../lib/benchmarks-md.mjs'

const [yjsPath, zealPath, outPath] = process.argv.slice(2)
const load = (p) => fs.readFileSync(p, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
const yjs = load(yjsPath)
const zeal = load(zealPath)
const median = (rows, key) => {
  const v = rows.map((r) => r[key]).filter((x) => typeof x === 'number').sort((a, b) => a - b)
  return v.length ? v[Math.floor(v.length / 2)] : NaN
}
const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a')
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}×` : 'n/a')
const rows = [
  ['local edits (one transaction per edit)', 'local_ms', 'local_ms', 'ms', 1],
  ['same edits applied as remote updates', 'remote_apply_ms', 'remote_apply_ms', 'ms', 1],
  ['encode final state v1', 'encode_v1_ms', 'encode_v1_ms', 'ms', 2],
  ['encode final state v2', 'encode_v2_ms', 'encode_v2_ms', 'ms', 2],
  ['decode v1 state into a fresh doc', 'decode_v1_ms', 'decode_v1_ms', 'ms', 2],
  ['decode v2 state into a fresh doc', 'decode_v2_ms', 'decode_v2_ms', 'ms', 2],
]
const name = process.env.TRACE_NAME || 'trace'
let md = `### ${name}\n\n`
md += `Medians of ${process.env.RUNS} runs each, same run, ${process.env.CPU} (${process.env.CORES} cores); `
md += `Yjs ${yjs[0].yjs} on Node ${yjs[0].node}; Zeal built with ${process.env.CXX_VERSION} (RelWithDebInfo). `
md += `${yjs[0].patches} patches in ${yjs[0].txns} transactions; Zeal replays the exact updates Yjs emitted.\n\n`
md += '| measurement | Yjs | Zeal | Yjs / Zeal |\n|---|---:|---:|---:|\n'
for (const [label, yk, zk, unit, d] of rows) {
  const a = median(yjs, yk)
  const b = median(zeal, zk)
  md += `| ${label} | ${fmt(a, d)} ${unit} | ${fmt(b, d)} ${unit} | ${ratio(a, b)} |\n`
}
const yh = median(yjs, 'heap_decoded_doc_bytes')
const zh = median(zeal, 'heap_decoded_doc_bytes')
md += `| memory of the final doc (decoded) | ${fmt(yh / 1024, 0)} KiB | ${fmt(zh / 1024, 0)} KiB | ${ratio(yh, zh)} |\n`
md += `| encoded size v1 / v2 | ${yjs[0].size_v1} / ${yjs[0].size_v2} B | ${zeal[0].size_v1} / ${zeal[0].size_v2} B | |\n`
md += `\nZeal's own local-edit updates byte-identical to Yjs's: ${zeal.map((r) => r.local_updates_identical_to_yjs).join(', ')}. `
md += `Final doc: ${zeal[0].structs} structs. Yjs memory is V8 heapUsed after gc; Zeal's is malloc'd bytes (mallinfo2) held by the doc.\n`

writeSection(outPath, `crdt-trace:${name}`, md, '')
