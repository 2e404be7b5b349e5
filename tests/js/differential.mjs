// Differential test of zeal-ydoc against real Yjs.
//
//   node differential.mjs <path/to/zeal-ydoc> [--seed N] [--iterations N] [--verbose]
//   (or ZEAL_YDOC=<path> node differential.mjs ...; a path ending in .mjs is run with node)
//
// Each iteration runs a seeded random concurrent session of 2-5 real Yjs docs (text insert/delete/
// format/embed, map set/delete, array insert/delete, nested types, XML elements and attributes, partial
// syncs between random pairs), collects every doc's local updates (v1 and v2 event bytes), and feeds
// them to zeal-ydoc in several delivery orders: each doc's own sequence, shuffled, shuffled with
// duplicates, merged chunks (Y.mergeUpdates of random subsets), and a partial delivery (some updates
// dropped → pending structs/deletes). The same delivery is replayed into a fresh Y.Doc, and we check:
// identical `json` (rendered by lib/render.mjs), state vector, pending info, byte-identical `apply`
// output in v1 and v2, `apply` output loaded into a fresh Yjs doc renders the same, `diff` against a
// random doc's state vector, `merge` of the chunks equals Y.mergeUpdates, `apply -` (stdin) of the merged
// update, and `dump` accepts merged chunks (Skips included). Prints `N passed, N failed`
// last; exits 1 on any failure and keeps the failing inputs in a temp dir (printed).
import * as Y from 'yjs'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { renderDoc, stateVectorJSON, pendingJSON, bytesEqual, toHex } from './lib/render.mjs'
import { makePrng, randomSession } from './lib/session.mjs'

const args = process.argv.slice(2)
let binary = process.env.ZEAL_YDOC
let seed = 1
let iterations = 30 // ≈ 60 s with a Debug build of zeal-ydoc on 2 cores
let verbose = false
for (let i = 0; i < args.length; i++) {
  const a = args[i]
  if (a === '--seed') seed = Number(args[++i])
  else if (a === '--iterations') iterations = Number(args[++i])
  else if (a === '--verbose') verbose = true
  else if (!a.startsWith('--')) binary = a
  else {
    console.error(`unknown option ${a}`)
    process.exit(2)
  }
}
if (!binary || !Number.isInteger(seed) || !Number.isInteger(iterations)) {
  console.error('usage: node differential.mjs <zeal-ydoc> [--seed N] [--iterations N] [--verbose]')
  process.exit(2)
}
binary = path.resolve(binary)

const run = (dir, argv, stdinBytes) => {
  const [cmd, cmdArgs] = binary.endsWith('.mjs') ? [process.execPath, [binary, ...argv]] : [binary, argv]
  const t0 = performance.now()
  const r = spawnSync(cmd, cmdArgs, { cwd: dir, input: stdinBytes, maxBuffer: 1 << 28, timeout: 60000 })
  spawnMs += performance.now() - t0
  const stderr = (r.stderr ?? '').toString()
  if (/runtime error|Sanitizer/.test(stderr)) sanitizerReports.push(`${argv.join(' ')}: ${stderr.slice(0, 2000)}`)
  return { status: r.status, stdout: r.stdout ?? Buffer.alloc(0), stderr: (r.stderr ?? '').toString(), error: r.error }
}

const describe = (r) => `exit ${r.status}${r.error ? ' ' + r.error.message : ''}: ${r.stderr.trim().slice(0, 500)}`

const sortedKeys = (o) => JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1))))

let spawnMs = 0
let sanitizerReports = [] // sanitizer output of zeal-ydoc runs in this iteration (even with exit 0)
const yjsNotes = new Set()
let passed = 0
let failed = 0
const keptDirs = []

for (let it = 0; it < iterations; it++) {
  const iterSeed = seed * 100003 + it
  const prng = makePrng(iterSeed)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `zeal-diff-${iterSeed}-`))
  const problems = []
  const check = (cond, what) => {
    if (!cond) problems.push(what)
    return cond
  }

  // --- a random session
  const nDocs = 2 + prng.int(4)
  const clients = []
  while (clients.length < nDocs) {
    const r = prng.int(10)
    const c = r < 6 ? 1 + prng.int(5000) : r < 8 ? 2 ** 32 + prng.int(1000) : 2 ** 53 - 1 - prng.int(1000)
    if (!clients.includes(c)) clients.push(c)
  }
  const docs = randomSession(prng, {
    clients,
    steps: 10 + prng.int(50),
    gc: prng.bool(0.8),
    syncEvery: 2 + prng.int(6)
  })
  const all = docs.flatMap((d) => d.updates)
  const converged = renderDoc(docs[0])

  // --- deliveries
  const deliveries = []
  deliveries.push({ name: 'own', list: docs.flatMap((d) => d.updates) })
  deliveries.push({ name: 'shuffled', list: prng.shuffle(all) })
  {
    const dup = prng.shuffle(all)
    const n = 1 + prng.int(Math.max(1, all.length >> 2))
    for (let i = 0; i < n; i++) dup.splice(prng.int(dup.length + 1), 0, prng.pick(all))
    deliveries.push({ name: 'duplicated', list: dup })
  }
  {
    const chunks = []
    let rest = prng.shuffle(all)
    while (rest.length > 0) {
      const n = 1 + prng.int(Math.min(rest.length, 6))
      const part = rest.slice(0, n)
      rest = rest.slice(n)
      chunks.push({
        v1: Y.mergeUpdates(part.map((u) => u.v1)),
        v2: Y.mergeUpdatesV2(part.map((u) => u.v2)),
        parts: part
      })
    }
    deliveries.push({ name: 'merged', list: prng.shuffle(chunks), merged: true })
  }
  {
    const keep = prng.shuffle(all).filter(() => prng.bool(0.7))
    deliveries.push({ name: 'partial', list: keep.length > 0 ? keep : [all[0]], partial: true })
  }

  const gc = prng.bool(0.7)
  const gcArgs = gc ? [] : ['--no-gc']
  const svSource = prng.pick(docs)
  const svBytes = Y.encodeStateVector(svSource)
  fs.writeFileSync(path.join(dir, 'diff.sv'), svBytes)

  for (const del of deliveries) {
    const v2 = prng.bool()
    const fmtArgs = v2 ? ['--v2'] : []
    const files = del.list.map((u, i) => {
      const f = `${del.name}.${i}.${v2 ? 'v2' : 'v1'}.bin`
      fs.writeFileSync(path.join(dir, f), v2 ? u.v2 : u.v1)
      return f
    })
    // the reference: the same delivery into a fresh Yjs doc
    const ref = new Y.Doc({ gc })
    ref.clientID = 999999
    for (const u of del.list) {
      if (v2) Y.applyUpdateV2(ref, u.v2)
      else Y.applyUpdate(ref, u.v1)
    }
    const expJson = renderDoc(ref)
    const expSv = stateVectorJSON(ref)
    const expPending = pendingJSON(ref)
    const expStateV1 = Y.encodeStateAsUpdate(ref)
    const expStateV2 = Y.encodeStateAsUpdateV2(ref)
    const tag = `${del.name}/${v2 ? 'v2' : 'v1'}`
    if (!del.partial && expJson !== converged) {
      // Yjs itself: a local edit that splits a surrogate pair in memory (U+FFFD halves) without any
      // struct referencing the split leaves the live docs different from a replay of their updates.
      if (expJson.includes('\uFFFD') || converged.includes('\uFFFD')) yjsNotes.add(`${iterSeed}`)
      else check(false, `${tag}: (Yjs itself) replay renders differently from the converged doc`)
    }

    const rj = run(dir, ['json', ...fmtArgs, ...gcArgs, ...files])
    if (check(rj.status === 0, `${tag}: json ${describe(rj)}`)) {
      const got = rj.stdout.toString().replace(/\n$/, '')
      check(got === expJson, `${tag}: json differs\n  got:      ${got}\n  expected: ${expJson}`)
    }
    const rs = run(dir, ['sv', ...fmtArgs, ...files])
    if (check(rs.status === 0, `${tag}: sv ${describe(rs)}`)) {
      let got = null
      try {
        got = sortedKeys(JSON.parse(rs.stdout.toString()))
      } catch (e) {
        got = `unparsable: ${rs.stdout.toString()}`
      }
      check(got === sortedKeys(expSv), `${tag}: sv differs\n  got:      ${got}\n  expected: ${sortedKeys(expSv)}`)
    }
    const rp = run(dir, ['pending', ...fmtArgs, ...files])
    if (check(rp.status === 0, `${tag}: pending ${describe(rp)}`)) {
      let got = null
      try {
        const p = JSON.parse(rp.stdout.toString())
        got = JSON.stringify({ missing: JSON.parse(sortedKeys(p.missing ?? {})), pendingDeletes: p.pendingDeletes })
      } catch (e) {
        got = `unparsable: ${rp.stdout.toString()}`
      }
      const exp = JSON.stringify({ missing: JSON.parse(sortedKeys(expPending.missing)), pendingDeletes: expPending.pendingDeletes })
      check(got === exp, `${tag}: pending differs\n  got:      ${got}\n  expected: ${exp}`)
    }
    for (const outV2 of [false, true]) {
      const out = `${del.name}.state.${outV2 ? 'v2' : 'v1'}.out`
      const ra = run(dir, ['apply', ...fmtArgs, ...(outV2 ? ['--out-v2'] : []), ...gcArgs, '-o', out, ...files])
      const otag = `${tag}: apply${outV2 ? ' --out-v2' : ''}`
      if (!check(ra.status === 0, `${otag} ${describe(ra)}`)) continue
      const got = new Uint8Array(fs.readFileSync(path.join(dir, out)))
      const exp = outV2 ? expStateV2 : expStateV1
      check(bytesEqual(got, exp), `${otag} bytes differ\n  got:      ${toHex(got)}\n  expected: ${toHex(exp)}`)
      try {
        const back = new Y.Doc({ gc })
        if (outV2) Y.applyUpdateV2(back, got)
        else Y.applyUpdate(back, got)
        check(renderDoc(back) === expJson, `${otag} output loaded into Yjs renders ${renderDoc(back)}`)
      } catch (e) {
        check(false, `${otag} output rejected by Yjs: ${e.message}`)
      }
    }
    {
      const outV2 = prng.bool()
      const rd = run(dir, ['diff', '--sv', 'diff.sv', ...fmtArgs, ...(outV2 ? ['--out-v2'] : []), ...files])
      if (check(rd.status === 0, `${tag}: diff ${describe(rd)}`)) {
        const exp = outV2 ? Y.encodeStateAsUpdateV2(ref, svBytes) : Y.encodeStateAsUpdate(ref, svBytes)
        check(bytesEqual(rd.stdout, exp), `${tag}: diff${outV2 ? ' --out-v2' : ''} bytes differ\n  got:      ${toHex(rd.stdout)}\n  expected: ${toHex(exp)}`)
      }
    }
    if (del.name === 'own') {
      // stdin input: the merged update of everything, read from `-`
      const mergedAll = v2 ? Y.mergeUpdatesV2(del.list.map((u) => u.v2)) : Y.mergeUpdates(del.list.map((u) => u.v1))
      const d = new Y.Doc({ gc })
      if (v2) Y.applyUpdateV2(d, mergedAll)
      else Y.applyUpdate(d, mergedAll)
      const rin = run(dir, ['apply', ...fmtArgs, ...gcArgs, '-'], mergedAll)
      if (check(rin.status === 0, `${tag}: apply - ${describe(rin)}`)) {
        const exp = Y.encodeStateAsUpdate(d)
        check(bytesEqual(rin.stdout, exp), `${tag}: apply - (stdin) bytes differ\n  got:      ${toHex(rin.stdout)}\n  expected: ${toHex(exp)}`)
      }
    }
    if (del.merged) {
      // dump must accept every merged chunk (Skips included)
      const chunkFile = files[prng.int(files.length)]
      const rdump = run(dir, ['dump', ...fmtArgs, chunkFile])
      check(rdump.status === 0 && rdump.stdout.length > 0, `${tag}: dump ${chunkFile} ${describe(rdump)}`)
      // doc-less merge of one chunk's parts, and of all chunks
      const chunk = prng.pick(del.list)
      const pfiles = chunk.parts.map((u, i) => {
        const f = `merge-part.${i}.${v2 ? 'v2' : 'v1'}.bin`
        fs.writeFileSync(path.join(dir, f), v2 ? u.v2 : u.v1)
        return f
      })
      for (const [what, fl, exp] of [
        ['merge of parts', pfiles, v2 ? chunk.v2 : chunk.v1],
        ['merge of chunks', files, v2 ? Y.mergeUpdatesV2(del.list.map((u) => u.v2)) : Y.mergeUpdates(del.list.map((u) => u.v1))]
      ]) {
        const rm = run(dir, ['merge', ...fmtArgs, ...(v2 ? ['--out-v2'] : []), ...fl])
        if (check(rm.status === 0, `${tag}: ${what} ${describe(rm)}`)) {
          check(bytesEqual(rm.stdout, exp), `${tag}: ${what} bytes differ\n  got:      ${toHex(rm.stdout)}\n  expected: ${toHex(exp)}`)
        }
      }
    }
  }

  for (const rep of sanitizerReports) check(false, `sanitizer report: ${rep}`)
  sanitizerReports = []
  const info = `iteration ${it} (seed ${iterSeed}: ${nDocs} docs [${clients.join(',')}], ${all.length} updates, gc ${gc})`
  if (problems.length === 0) {
    passed++
    if (verbose) console.log(`ok   ${info}`)
    fs.rmSync(dir, { recursive: true, force: true })
  } else {
    failed++
    fs.writeFileSync(path.join(dir, 'problems.txt'), problems.join('\n') + '\n')
    fs.writeFileSync(
      path.join(dir, 'README.txt'),
      `${info}\nFiles: <delivery>.<i>.<fmt>.bin are the inputs of each delivery in apply order;` +
        ` *.out what zeal-ydoc wrote; diff.sv the state vector used for diff; problems.txt the failures.\n` +
        `Reproduce: node differential.mjs ${binary} --seed ${seed} --iterations ${it + 1}\n`
    )
    keptDirs.push(dir)
    console.log(`FAIL ${info}: inputs kept in ${dir}`)
    for (const p of problems.slice(0, 6)) console.log(`  ${p.length > 1500 ? p.slice(0, 1500) + '…' : p}`)
    if (problems.length > 6) console.log(`  … ${problems.length - 6} more in ${dir}/problems.txt`)
  }
}

if (verbose) console.log(`time in zeal-ydoc: ${(spawnMs / 1000).toFixed(1)} s of ${(performance.now() / 1000).toFixed(1)} s`)
if (yjsNotes.size > 0) {
  console.log(`note: in ${yjsNotes.size} session(s) (seeds ${[...yjsNotes].join(', ')}) Yjs's live docs differ from a ` +
    'replay of their own updates (surrogate pair split in memory only); compared against the replay')
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
