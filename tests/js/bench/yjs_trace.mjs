// Yjs reference figures for an editing trace (josephg/editing-traces sequential format, gzipped JSON:
// {startContent, endContent, txns: [{patches: [[pos, del, insert], ...]}]}).
//
//   node --expose-gc bench/yjs_trace.mjs <trace.json.gz> [--dump-updates PATH] [--repeat N]
//
// Measures with Yjs: local edits (one transaction per trace txn), the same with an update listener
// collecting every per-edit v1 update, applying those updates as remote updates to a fresh doc,
// encodeStateAsUpdate v1/v2 (time, size), decoding the encoded state into a fresh doc, and heap used by
// the final documents (after gc). Prints one JSON object. --dump-updates writes the collected per-edit
// v1 updates as one file of varUint-length-prefixed updates (lib0 writeVarUint8Array, back to back), so
// the C++ benchmark can replay exactly the same updates. Positions are UTF-16 indexes: traces with
// characters outside the BMP are rejected (their positions are code points).
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import fs from 'node:fs'
import zlib from 'node:zlib'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const args = process.argv.slice(2)
let tracePath = null
let dumpPath = null
let repeat = 5
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--dump-updates') dumpPath = args[++i]
  else if (args[i] === '--repeat') repeat = Number(args[++i])
  else if (!args[i].startsWith('--')) tracePath = args[i]
  else {
    console.error(`unknown option ${args[i]}`)
    process.exit(1)
  }
}
if (!tracePath) {
  console.error('usage: node --expose-gc bench/yjs_trace.mjs <trace.json.gz> [--dump-updates PATH] [--repeat N]')
  process.exit(1)
}
if (typeof globalThis.gc !== 'function') {
  console.error('run node with --expose-gc (heap figures need it)')
  process.exit(1)
}

let raw = fs.readFileSync(tracePath)
if (raw[0] === 0x1f && raw[1] === 0x8b) raw = zlib.gunzipSync(raw)
const trace = JSON.parse(raw.toString('utf8'))
if (!Array.isArray(trace.txns) || trace.kind === 'concurrent') {
  console.error('only sequential traces (startContent, endContent, txns) are supported')
  process.exit(1)
}
const astral = /[\u{10000}-\u{10FFFF}]/u
if (astral.test(trace.endContent ?? '') || astral.test(trace.startContent ?? '')) {
  console.error('trace has characters outside the BMP (code point positions): unsupported')
  process.exit(1)
}

const now = () => performance.now()
const heapNow = () => {
  globalThis.gc()
  globalThis.gc()
  return process.memoryUsage().heapUsed
}
const structCount = (doc) => {
  let n = 0
  for (const structs of doc.store.clients.values()) n += structs.length
  return n
}
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]
const round = (x, d = 2) => Number(x.toFixed(d))

const patchCount = trace.txns.reduce((n, t) => n + t.patches.length, 0)

/** Replays the trace into a fresh doc; onUpdate (optional) listens to 'update'. */
const runLocal = (onUpdate) => {
  const doc = new Y.Doc()
  doc.clientID = 1
  if (onUpdate) doc.on('update', onUpdate)
  const text = doc.getText('text')
  if (trace.startContent) text.insert(0, trace.startContent)
  const t0 = now()
  for (const txn of trace.txns) {
    doc.transact(() => {
      for (const [pos, del, ins] of txn.patches) {
        if (del > 0) text.delete(pos, del)
        if (ins) text.insert(pos, ins)
      }
    })
  }
  return { doc, ms: now() - t0 }
}

const heapBase = heapNow()

// 1. local edits, no listener
let local = runLocal(null)
const localMs = local.ms
const finalText = local.doc.getText('text').toString()
const correct = trace.endContent === undefined || finalText === trace.endContent
const heapLocal = heapNow() - heapBase
const structs = structCount(local.doc)
local = null

// 2. local edits collecting the per-edit updates
const updates = []
const collected = runLocal((u) => updates.push(u))
const localWithUpdatesMs = collected.ms
const updateBytes = updates.reduce((n, u) => n + u.length, 0)
const sourceDoc = collected.doc

// 3. the per-edit updates as remote updates into a fresh doc
const remote = new Y.Doc()
remote.clientID = 2
let t0 = now()
for (const u of updates) Y.applyUpdate(remote, u)
const remoteApplyMs = now() - t0
const remoteCorrect = remote.getText('text').toString() === finalText

// 4. encode
const encodeTimes = { v1: [], v2: [] }
let stateV1 = null
let stateV2 = null
for (let i = 0; i < repeat; i++) {
  t0 = now()
  stateV1 = Y.encodeStateAsUpdate(sourceDoc)
  encodeTimes.v1.push(now() - t0)
  t0 = now()
  stateV2 = Y.encodeStateAsUpdateV2(sourceDoc)
  encodeTimes.v2.push(now() - t0)
}

// 5. decode into a fresh doc
const decodeTimes = { v1: [], v2: [] }
for (let i = 0; i < repeat; i++) {
  let d = new Y.Doc()
  t0 = now()
  Y.applyUpdate(d, stateV1)
  decodeTimes.v1.push(now() - t0)
  d = new Y.Doc()
  t0 = now()
  Y.applyUpdateV2(d, stateV2)
  decodeTimes.v2.push(now() - t0)
}

if (dumpPath) {
  const enc = encoding.createEncoder()
  for (const u of updates) encoding.writeVarUint8Array(enc, u)
  fs.writeFileSync(dumpPath, encoding.toUint8Array(enc))
}

// 6. heap of a decoded doc alone
updates.length = 0
remote.destroy()
sourceDoc.destroy()
const heapBase2 = heapNow()
let decoded = new Y.Doc()
Y.applyUpdate(decoded, stateV1)
const heapDecoded = heapNow() - heapBase2
const decodedCorrect = decoded.getText('text').toString() === finalText
decoded = null

const here = path.dirname(fileURLToPath(import.meta.url))
const yjsVersion = JSON.parse(fs.readFileSync(path.resolve(here, '../node_modules/yjs/package.json'))).version

console.log(
  JSON.stringify({
    trace: path.basename(tracePath),
    yjs: yjsVersion,
    node: process.version,
    txns: trace.txns.length,
    patches: patchCount,
    final_length: finalText.length,
    correct: correct && remoteCorrect && decodedCorrect,
    structs,
    local_ms: round(localMs),
    local_us_per_txn: round((localMs * 1000) / trace.txns.length, 3),
    local_with_updates_ms: round(localWithUpdatesMs),
    updates: trace.txns.length + (trace.startContent ? 1 : 0),
    updates_bytes: updateBytes,
    remote_apply_ms: round(remoteApplyMs),
    encode_v1_ms: round(median(encodeTimes.v1)),
    encode_v2_ms: round(median(encodeTimes.v2)),
    size_v1: stateV1.length,
    size_v2: stateV2.length,
    decode_v1_ms: round(median(decodeTimes.v1)),
    decode_v2_ms: round(median(decodeTimes.v2)),
    heap_local_doc_bytes: heapLocal,
    heap_decoded_doc_bytes: heapDecoded,
    dump_updates: dumpPath ?? null
  })
)
