// kill -9 under steady load (issue 4): writers (y-websocket providers and raw y-protocols clients) edit 3
// rooms every 10–20 ms, 2 observers per room only receive; at a seeded random moment the server is killed
// with SIGKILL. Everything an observer had received from the server, and every update the server echoed
// to a raw writer, must be in the room after the restart (a fresh client's doc covers it: state vector ≥,
// applying it changes nothing); the server's own rendering equals the fresh client's (no duplicates); no
// error lines. Three kill cycles in one run (restart → more load → kill) replay snapshot + log tails; in
// the end the writers reconnect and every room converges to the union of all writers' documents.
//   node server/crash.test.mjs <zeal-crdt-server> [--filter RE] [--verbose]
import * as Y from 'yjs'
import { defaults, test, run, check, checkEqual } from '../lib/runner.mjs'
import { normalizeSurrogates, providerClient, rawClient, waitConverged } from '../lib/clients.mjs'
import { httpGet, waitFor } from '../lib/server.mjs'
import { syncStep2, syncUpdate } from '../lib/proto.mjs'
import { bytesEqual, renderDoc, toHex } from '../lib/render.mjs'
import { makePrng, randomEdit, REMOTE } from '../lib/session.mjs'
import { errorLines, storageStats, svMap, svShortfall, waitLoaded, wouldAdd } from '../lib/storage.mjs'

defaults({ zealOnly: true }) // persistence is zeal's
process.setMaxListeners(100) // every WebsocketProvider adds a process 'exit' listener

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const ROOMS = ['crash-0', 'crash/ü 1', 'crash%2']

/** Gives writer `w` start()/stop(): one seeded random edit every 10-20 ms while running and canEdit(). */
const editLoop = (w, prng, canEdit) => {
  const loop = () => {
    if (!w.running) return
    if (canEdit()) {
      randomEdit(prng, w.doc)
      w.edits++
    }
    w.timer = setTimeout(loop, 10 + prng.int(11))
  }
  w.start = () => {
    w.running = true
    w.timer = setTimeout(loop, prng.int(10))
  }
  w.stop = () => {
    w.running = false
    clearTimeout(w.timer)
  }
}

/** A y-websocket provider that edits every 10–20 ms while `running`. */
const makeProviderWriter = (server, room, clientID, prng) => {
  const c = providerClient(server.ws, encodeURIComponent(room), { clientID })
  const w = { kind: 'provider', room, clientID, c, doc: c.doc, running: false, edits: 0, timer: null }
  editLoop(w, prng, () => true)
  w.connected = () => c.provider.wsconnected && c.provider.synced
  return w
}

/**
 * A raw y-protocols writer: its own Y.Doc, every local update sent as an Update frame while connected;
 * records what it sent, so that the server's echoes (the relay to the sender, sent only after the store
 * confirmed the write) can be told apart from other writers' updates.
 */
const makeRawWriter = (room, clientID, prng) => {
  const doc = new Y.Doc()
  doc.clientID = clientID
  const w = { kind: 'raw', room, clientID, doc, conn: null, sent: new Map(), running: false, edits: 0, timer: null }
  const isOpen = () => w.conn !== null && w.conn.closeInfo === null && w.conn.ws.readyState === 1
  doc.on('update', (u, origin) => {
    if (origin === REMOTE || !isOpen()) return // offline edits go up with the next SyncStep2
    w.sent.set(toHex(u), u)
    w.conn.send(syncUpdate(u))
  })
  w.connect = async (server) => {
    w.conn = await rawClient(`${server.ws}/${encodeURIComponent(room)}`)
    const s1 = await w.conn.next('sync:step1')
    const diff = Y.encodeStateAsUpdate(doc, s1.payload) // what the server lacks, as a y-websocket client would
    w.sent.set(toHex(diff), diff)
    w.conn.send(syncStep2(diff))
  }
  /** The updates of this writer the server echoed on the current connection. */
  w.echoed = () => (w.conn ? w.conn.messages.filter((m) => m.type === 'sync' && m.sub === 'update' && w.sent.has(toHex(m.payload))).map((m) => m.payload) : [])
  editLoop(w, prng, isOpen)
  w.connected = isOpen
  return w
}

test('kill -9 under steady load, 3 cycles: everything any client received survives; no duplicates, no errors; all converge', async (t) => {
  const dir = t.tempDir()
  const args = ['--compact-log-entries', '150', '--snapshot-idle-seconds', '2']
  let server = await t.server({ dataDir: dir, args })
  const master = makePrng(4242)
  const rooms = ROOMS.map((name, r) => {
    const base = 10000 + 1000 * r
    const writers = [
      makeProviderWriter(server, name, base + 1, makePrng(base + 1)),
      makeProviderWriter(server, name, base + 2, makePrng(base + 2)),
      makeRawWriter(name, base + 3, makePrng(base + 3))
    ]
    const observers = [1, 2].map((k) => {
      const o = providerClient(server.ws, encodeURIComponent(name), { clientID: base + 100 + k })
      o.received = 0
      o.doc.on('update', () => o.received++)
      return o
    })
    return { name, writers, observers }
  })
  for (const r of rooms) {
    for (const w of r.writers) t.defer(() => (w.kind === 'provider' ? w.c.destroy() : w.conn?.terminate()))
    for (const o of r.observers) t.defer(() => o.destroy())
  }
  const allWriters = rooms.flatMap((r) => r.writers)
  const allProviders = rooms.flatMap((r) => [...r.writers.filter((w) => w.kind === 'provider').map((w) => w.c), ...r.observers])
  const connectEveryone = async () => {
    for (const p of allProviders) if (!p.provider.shouldConnect) p.provider.connect()
    for (const w of allWriters) if (w.kind === 'raw') await w.connect(server)
    await Promise.all(allProviders.map((p) => p.waitSynced(10000)))
  }
  await connectEveryone()

  let sawSnapshotPlusLog = false
  for (let cycle = 0; cycle < 3; cycle++) {
    const seed = master.int(1e9)
    const prng = makePrng(seed)
    for (const o of rooms.flatMap((r) => r.observers)) o.received = 0
    for (const w of allWriters) w.start()
    const loadMs = 800 + prng.int(1700)
    await sleep(loadMs)
    const notConnected = [...allProviders.filter((p) => !p.provider.wsconnected), ...allWriters.filter((w) => w.kind === 'raw' && !w.connected())]
    check(notConnected.length === 0, `cycle ${cycle} (seed ${seed}): ${notConnected.length} clients not connected at the kill`)

    // kill -9; then: what did every observer receive, what did the server echo to every raw writer
    const seen = new Map() // room → { observers: [{ state, sv, received }], echoed: [update] }
    const { server: next, exit } = await t.restart(server, {
      signal: 'SIGKILL',
      whileDown: async () => {
        for (const w of allWriters) w.stop()
        // every socket is closed by the kernel; what arrived before the close is what the server sent
        await waitFor(() => allProviders.every((p) => !p.provider.wsconnected) && allWriters.every((w) => w.kind !== 'raw' || w.conn.closeInfo !== null), {
          what: 'every client sees the server gone'
        })
        for (const p of allProviders) p.provider.disconnect() // nobody re-uploads before the check
        for (const r of rooms) {
          seen.set(r.name, {
            observers: r.observers.map((o) => ({ state: Y.encodeStateAsUpdate(o.doc), sv: Y.encodeStateVector(o.doc), received: o.received })),
            echoed: r.writers.filter((w) => w.kind === 'raw').flatMap((w) => w.echoed())
          })
        }
      }
    })
    server = next
    checkEqual(exit.signal, 'SIGKILL', 'the server was killed')
    const edits = allWriters.reduce((n, w) => n + w.edits, 0)
    t.log(`cycle ${cycle}: seed ${seed}, killed after ${loadMs} ms of load, ${edits} edits so far`)

    for (const r of rooms) {
      const s = seen.get(r.name)
      check(s.observers.every((o) => o.received > 0), () => `cycle ${cycle} (seed ${seed}), room ${r.name}: an observer received nothing during ${loadMs} ms of load (${s.observers.map((o) => o.received)})`)
      check(s.echoed.length > 0, `cycle ${cycle} (seed ${seed}), room ${r.name}: no echo to the raw writer`)
      const fresh = providerClient(server.ws, encodeURIComponent(r.name), { clientID: 900000 + 10 * cycle + ROOMS.indexOf(r.name) })
      try {
        await fresh.waitSynced(10000)
        for (const [i, o] of s.observers.entries()) {
          const short = svShortfall(fresh.doc, o.sv)
          check(short.length === 0, () => `cycle ${cycle} (seed ${seed}), room ${r.name}: observer ${i} had received more than the restarted room holds: ${short.join('; ')}`)
          const more = wouldAdd(fresh.doc, o.state)
          check(more === null, () => `cycle ${cycle} (seed ${seed}), room ${r.name}: observer ${i}'s document adds to the restarted room: ${more}`)
        }
        const echoedMore = wouldAdd(fresh.doc, Y.mergeUpdates(s.echoed))
        check(echoedMore === null, () => `cycle ${cycle} (seed ${seed}), room ${r.name}: updates echoed to the raw writer are missing after the restart: ${echoedMore}`)
        // the server's own rendering equals what it sent the fresh client (nothing applied twice)
        const g = await httpGet(`${server.http}/rooms/${encodeURIComponent(r.name)}`)
        checkEqual(normalizeSurrogates(g.text), normalizeSurrogates(fresh.render()), `cycle ${cycle} (seed ${seed}), room ${r.name}: GET /rooms vs the fresh client`)
        const text = fresh.doc.getText('text').toString()
        const serverText = JSON.parse(g.text).text ?? ''
        checkEqual(normalizeSurrogates(serverText).length, normalizeSurrogates(text).length, `cycle ${cycle}, room ${r.name}: text length server vs client`)
      } finally {
        fresh.destroy()
      }
    }
    const loaded = await waitLoaded(server, ROOMS)
    if (loaded.some((l) => l.snapshotBytes > 0 && l.logEntries > 0)) sawSnapshotPlusLog = true
    t.log(`  loaded: ${loaded.map((l) => `${l.room}: snapshot ${l.snapshotBytes} B + ${l.logEntries} entries in ${l.ms} ms`).join('; ')}`)
    const bad = errorLines(server.stderr())
    check(bad.length === 0, () => `cycle ${cycle} (seed ${seed}): error lines after the restart:\n${bad.join('\n')}`)
    const st = await storageStats(server)
    checkEqual([st.rooms, st.load_failures_total, st.write_errors_total], [ROOMS.length, 0, 0], `cycle ${cycle}: storage rooms, load_failures_total, write_errors_total`)

    // the writers' and observers' providers reconnect (and upload what the server lost), raw writers too
    await connectEveryone()
  }
  check(sawSnapshotPlusLog, 'no restart loaded a room from a snapshot plus a log tail (the replay path was not exercised)')

  // the end: every room converges to the union of all writers' documents, stored as such
  const finals = new Map()
  const freshOnes = []
  for (const r of rooms) {
    const fresh = providerClient(server.ws, encodeURIComponent(r.name), { clientID: 990000 + ROOMS.indexOf(r.name) })
    t.defer(() => fresh.destroy())
    freshOnes.push(fresh)
    await fresh.waitSynced(10000)
    const members = [...r.writers.filter((w) => w.kind === 'provider').map((w) => w.c), ...r.observers, fresh]
    const conv = await waitConverged(members, { timeout: 20000 })
    const union = new Y.Doc()
    for (const w of r.writers) Y.applyUpdate(union, Y.encodeStateAsUpdate(w.doc))
    checkEqual(conv, normalizeSurrogates(renderDoc(union)), `room ${r.name}: converged doc vs the union of the writers' docs`)
    check(bytesEqual(Y.encodeStateVector(fresh.doc), Y.encodeStateVector(union)), () => `room ${r.name}: state vector ${JSON.stringify(svMap(fresh.doc))} vs union ${JSON.stringify(svMap(union))}`)
    for (const w of r.writers) {
      const more = wouldAdd(fresh.doc, Y.encodeStateAsUpdate(w.doc))
      check(more === null, () => `room ${r.name}: writer ${w.clientID} has something the room lacks: ${more}`)
    }
    const g = await httpGet(`${server.http}/rooms/${encodeURIComponent(r.name)}`)
    checkEqual(normalizeSurrogates(g.text), conv, `room ${r.name}: GET /rooms after convergence`)
    finals.set(r.name, conv)
    union.destroy()
  }
  // and a graceful restart keeps exactly that
  for (const p of [...allProviders, ...freshOnes]) p.provider.disconnect()
  for (const w of allWriters) if (w.kind === 'raw') w.conn.close()
  const { server: last } = await t.restart(server)
  for (const r of rooms) {
    const g = await httpGet(`${last.http}/rooms/${encodeURIComponent(r.name)}`)
    checkEqual(normalizeSurrogates(g.text), finals.get(r.name), `room ${r.name}: after the final graceful restart`)
  }
  const bad = errorLines(last.stderr())
  check(bad.length === 0, () => `error lines after the final restart:\n${bad.join('\n')}`)
}, { timeout: 100000 })

await run()
