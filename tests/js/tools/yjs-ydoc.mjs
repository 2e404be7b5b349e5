// A Yjs-backed stand-in for zeal-ydoc (same command line, subset: apply, json, sv, diff, merge, pending, dump).
// Used to check the differential harness itself: `node differential.mjs tools/yjs-ydoc.mjs` must pass.
import * as Y from 'yjs'
import fs from 'node:fs'
import { renderDoc, stateVectorJSON, pendingJSON } from '../lib/render.mjs'

const [cmd, ...rest] = process.argv.slice(2)
const opts = { v2: false, outV2: false, gc: true, out: null, sv: null, files: [] }
for (let i = 0; i < rest.length; i++) {
  const a = rest[i]
  if (a === '--v2') opts.v2 = true
  else if (a === '--out-v2') opts.outV2 = true
  else if (a === '--no-gc') opts.gc = false
  else if (a === '-o') opts.out = rest[++i]
  else if (a === '--sv') opts.sv = rest[++i]
  else if (a.startsWith('--')) {
    console.error(`unknown option ${a}`)
    process.exit(1)
  } else opts.files.push(a)
}
const read = (f) => new Uint8Array(fs.readFileSync(f === '-' ? 0 : f))
const write = (bytes) => {
  if (opts.out) fs.writeFileSync(opts.out, bytes)
  else process.stdout.write(bytes)
}
const load = () => {
  const doc = new Y.Doc({ gc: opts.gc })
  doc.clientID = 999999
  for (const f of opts.files) (opts.v2 ? Y.applyUpdateV2 : Y.applyUpdate)(doc, read(f))
  return doc
}
const encode = (doc, sv) => {
  if (opts.outV2) return Y.encodeStateAsUpdateV2(doc, sv)
  return Y.encodeStateAsUpdate(doc, sv)
}
try {
  switch (cmd) {
    case 'apply':
      write(encode(load()))
      break
    case 'json':
      process.stdout.write(renderDoc(load()) + '\n')
      break
    case 'sv':
      process.stdout.write(JSON.stringify(stateVectorJSON(load())) + '\n')
      break
    case 'pending':
      process.stdout.write(JSON.stringify(pendingJSON(load())) + '\n')
      break
    case 'diff':
      write(encode(load(), read(opts.sv)))
      break
    case 'merge': {
      const ups = opts.files.map(read)
      let m = opts.v2 ? Y.mergeUpdatesV2(ups) : Y.mergeUpdates(ups)
      if (opts.v2 !== opts.outV2) m = opts.outV2 ? Y.convertUpdateFormatV1ToV2(m) : Y.convertUpdateFormatV2ToV1(m)
      write(m)
      break
    }
    case 'dump': {
      const u = read(opts.files[0])
      const { structs, ds } = opts.v2 ? Y.decodeUpdateV2(u) : Y.decodeUpdate(u)
      for (const st of structs) {
        const kind = st instanceof Y.Item ? st.content.constructor.name : st.constructor.name
        process.stdout.write(`${st.id.client}:${st.id.clock} len ${st.length} ${kind}\n`)
      }
      for (const [client, items] of ds.clients) {
        process.stdout.write(`delete ${client}: ${items.map((d) => `[${d.clock},${d.clock + d.len})`).join(' ')}\n`)
      }
      break
    }
    default:
      console.error('usage: yjs-ydoc.mjs apply|json|sv|diff|merge|pending|dump [options] FILE...')
      process.exit(1)
  }
} catch (e) {
  console.error(`malformed input: ${e.message}`)
  process.exit(2)
}
