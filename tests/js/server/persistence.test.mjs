// Persistence across restarts (issue 4): documents edited by real y-websocket clients are identical after
// SIGTERM + restart on the same data dir; a client offline across the restart syncs both ways; 1,000 rooms
// with awkward names are restored; idle / compaction snapshots show in the log and in /stats storage;
// POST/GET /rooms/<r>/update (online backup/restore) and its survival of a restart; --in-memory.
//   node server/persistence.test.mjs <zeal-crdt-server> [--filter RE] [--verbose]
import path from 'node:path'
import * as Y from 'yjs'
import { defaults, test, run, check, checkEqual } from '../lib/runner.mjs'
import { normalizeSurrogates, providerClient, rawClient, waitConverged } from '../lib/clients.mjs'
import { httpGet, waitFor } from '../lib/server.mjs'
import { syncUpdate } from '../lib/proto.mjs'
import { bytesEqual, renderDoc, toHex } from '../lib/render.mjs'
import { makePrng, randomEdit } from '../lib/session.mjs'
import { docFromUpdate, errorLines, loadedLines, roomRe, snapshotLines, storageStats, svMap, waitLoaded, wouldAdd } from '../lib/storage.mjs'

defaults({ zealOnly: true }) // persistence, /stats storage and POST /rooms are zeal's

const tick = () => new Promise((resolve) => setImmediate(resolve))
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const roomUrl = (server, room) => `${server.http}/rooms/${encodeURIComponent(room)}`

/** A provider client in `room` (URL-encoded), destroyed after the test. */
const provider = (t, server, room, clientID, opts = {}) => {
  const c = providerClient(server.ws, encodeURIComponent(room), { clientID, ...opts })
  t.defer(() => c.destroy())
  return c
}

/** GET /rooms/<room> → its body (normalized surrogates); throws unless 200. */
const roomJson = async (server, room) => {
  const r = await httpGet(roomUrl(server, room))
  checkEqual(r.status, 200, `GET /rooms/${encodeURIComponent(room)} status (body ${r.text})`)
  return normalizeSurrogates(r.text)
}

/** Waits until GET /rooms/<room> renders `expected` (the server has applied and stored the updates). */
const waitRoom = (server, room, expected, timeout = 10000) =>
  waitFor(async () => (await httpGet(roomUrl(server, room))).status === 200 && (await roomJson(server, room)) === expected, {
    timeout,
    what: `GET /rooms/${room} = ${expected.slice(0, 200)}`,
    describe: async () => `  got ${(await httpGet(roomUrl(server, room))).text.slice(0, 400)}`
  })

/** The clients' docs equal `fresh`: same JSON, same state vector bytes, neither has anything the other lacks. */
const checkSameDoc = (fresh, docs, what) => {
  for (const [i, d] of docs.entries()) {
    checkEqual(normalizeSurrogates(renderDoc(fresh)), normalizeSurrogates(renderDoc(d)), `${what}: JSON vs client ${i}`)
    check(bytesEqual(Y.encodeStateVector(fresh), Y.encodeStateVector(d)), () => `${what}: state vector ${JSON.stringify(svMap(fresh))} vs client ${i} ${JSON.stringify(svMap(d))}`)
    const more = wouldAdd(fresh, Y.encodeStateAsUpdate(d))
    check(more === null, () => `${what}: client ${i}'s state adds to the restored doc: ${more}`)
    const extra = wouldAdd(d, Y.encodeStateAsUpdate(fresh))
    check(extra === null, () => `${what}: the restored doc adds to client ${i}'s state: ${extra}`)
  }
}

/** GET /rooms/<room>/update applied to a fresh Y.Doc renders `expected`; returns the bytes. */
const checkUpdateEndpoint = async (server, room, expected) => {
  const u = await httpGet(`${roomUrl(server, room)}/update`)
  checkEqual(u.status, 200, `GET /rooms/${encodeURIComponent(room)}/update status`)
  check(/application\/octet-stream/.test(u.headers.get('content-type') ?? ''), `content-type ${u.headers.get('content-type')}`)
  const d = docFromUpdate(u.bytes)
  checkEqual(normalizeSurrogates(renderDoc(d)), expected, `GET /rooms/${encodeURIComponent(room)}/update applied to a fresh Y.Doc`)
  d.destroy()
  return u.bytes
}

const checkNoErrors = (server, what) => {
  const bad = errorLines(server.stderr())
  check(bad.length === 0, () => `${what}: error lines in the server log:\n${bad.slice(0, 10).join('\n')}`)
}

/** Seeded random edits by every client (text, map, array, nested and xml types), network interleaved. */
const editRandomly = async (clients, prng, rounds) => {
  for (let r = 0; r < rounds; r++) {
    for (const c of clients) {
      randomEdit(prng, c.doc)
      if (prng.bool(0.3)) {
        // make sure every root type gets content, not only what randomEdit happens to pick
        const k = prng.int(3)
        if (k === 0) c.doc.getText('text').insert(prng.int(c.doc.getText('text').length + 1), `r${r}c${c.doc.clientID}`)
        else if (k === 1) c.doc.getMap('map').set(`k${prng.int(20)}`, { r, by: c.doc.clientID })
        else c.doc.getArray('array').insert(prng.int(c.doc.getArray('array').length + 1), [r, `c${c.doc.clientID}`])
      }
      if (prng.bool(0.4)) await tick()
    }
    if (prng.bool(0.5)) await sleep(prng.int(3))
  }
}

test('graceful restart: a fresh client gets exactly the document 3 clients edited (JSON, state vector, GET /rooms)', async (t) => {
  const dir = t.tempDir()
  const server = await t.server({ dataDir: dir })
  const abs = path.join(dir, 'data')
  check(server.stderr().includes(`storage: rocksdb at ${abs} (sync off)`), () => `no "storage: rocksdb at ${abs} (sync off)" line:\n${server.stderr()}`)
  const room = 'persist-graceful'
  const clients = [1001, 1002, 1003].map((id) => provider(t, server, room, id))
  await Promise.all(clients.map((c) => c.waitSynced()))
  await editRandomly(clients, makePrng(401), 40)
  const final = await waitConverged(clients, { timeout: 15000 })
  const obj = JSON.parse(final)
  check(obj.text?.length > 0 && Object.keys(obj.map ?? {}).length > 0 && obj.array?.length > 0, `text, map and array not all edited: ${final}`)
  for (const c of clients.slice(1)) check(bytesEqual(Y.encodeStateVector(c.doc), Y.encodeStateVector(clients[0].doc)), 'clients converged on JSON but not on state vectors')
  await waitRoom(server, room, final)
  const before = await storageStats(server)
  check(before.enabled === true && before.rooms === 1 && before.appends_total > 0, `storage before the restart: ${JSON.stringify(before)}`)
  for (const c of clients) c.provider.disconnect()
  await waitFor(async () => (await httpGet(`${server.http}/stats`)).json().total_clients === 0, { what: 'clients gone' })

  const { server: again, exit } = await t.restart(server)
  checkEqual(exit, { code: 0, signal: null }, 'exit of the stopped server')
  const snaps = snapshotLines(server.stderr()).filter((s) => s.room === room)
  check(snaps.some((s) => s.why === 'shutdown' || s.why === 'idle'), () => `no idle/shutdown snapshot of ${room} before the restart:\n${server.stderr()}`)
  const after = await storageStats(again)
  checkEqual([after.rooms, after.log_entries, after.log_bytes], [1, 0, 0], 'storage rooms, log_entries, log_bytes after a graceful stop (everything in the snapshot)')
  check(after.snapshot_bytes > 0, `snapshot_bytes ${after.snapshot_bytes}`)
  checkEqual((await httpGet(`${again.http}/stats`)).json().rooms, 0, 'rooms loaded right after the restart')

  // GET loads the stored room
  checkEqual(await roomJson(again, room), final, 'GET /rooms after the restart')
  await waitLoaded(again, [room])
  const loaded = loadedLines(again.stderr()).filter((l) => l.room === room)
  check(loaded.length === 1 && loaded[0].snapshotBytes > 0 && loaded[0].logEntries === 0, () => `want one "room=${room} loaded from storage: snapshot <B > 0> bytes, 0 log entries" line:\n${again.stderr()}`)
  await checkUpdateEndpoint(again, room, final)

  const fresh = provider(t, again, room, 1004)
  await fresh.waitSynced()
  checkSameDoc(fresh.doc, clients.map((c) => c.doc), 'fresh client after the restart')
  checkNoErrors(again, 'after the restart')
  // and the room goes on normally: an old client reconnects, edits reach the fresh one
  clients[0].provider.connect()
  await clients[0].waitSynced()
  clients[0].doc.getMap('map').set('after-restart', 'yes')
  await waitConverged([clients[0], fresh])
  checkEqual(JSON.parse(fresh.render()).map['after-restart'], 'yes', 'edit after the restart')
}, { timeout: 60000 })

test('clients offline across the restart (edits before the stop and while the server is down) sync both ways; providers reconnect by themselves', async (t) => {
  const dir = t.tempDir()
  const server = await t.server({ dataDir: dir })
  const room = 'persist-offline'
  const a = provider(t, server, room, 2001)
  const b = provider(t, server, room, 2002)
  // e (another room) stays connected across the restart: its provider reconnects by itself
  const room2 = 'persist-auto-reconnect'
  const e = provider(t, server, room2, 2005)
  await Promise.all([a.waitSynced(), b.waitSynced(), e.waitSynced()])
  a.doc.getText('text').insert(0, 'base ')
  a.doc.getMap('map').set('base', 1)
  await waitConverged([a, b])
  a.provider.disconnect()
  await waitFor(() => a.provider.ws === null, { what: 'a disconnected' })
  const prng = makePrng(402)
  a.doc.getMap('map').set('a-offline', 'before stop')
  for (let i = 0; i < 15; i++) randomEdit(prng, a.doc)
  b.doc.getMap('map').set('b-online', 'before stop')
  for (let i = 0; i < 15; i++) randomEdit(prng, b.doc)
  e.doc.getMap('map').set('e', 'before stop')
  const bBefore = normalizeSurrogates(b.render())
  await waitRoom(server, room, bBefore)
  await waitRoom(server, room2, e.render())

  const { server: again } = await t.restart(server, {
    whileDown: async () => {
      for (const x of [b, e]) {
        await waitFor(() => x.closes.some((c) => c.code === 1001), { what: 'closed with 1001', describe: () => JSON.stringify(x.closes) })
        checkEqual(x.closes.find((c) => c.code === 1001), { code: 1001, reason: 'server shutting down' }, 'close at shutdown')
      }
      b.provider.disconnect() // b is offline now too (e keeps trying to reconnect)
      a.doc.getMap('map').set('a-down', 'while down')
      b.doc.getMap('map').set('b-down', 'while down')
      e.doc.getMap('map').set('e-down', 'while down')
      for (let i = 0; i < 10; i++) randomEdit(prng, a.doc)
      for (let i = 0; i < 10; i++) randomEdit(prng, b.doc)
    }
  })
  // the restarted room holds exactly what b had before the stop (a's edits before it went offline
  // included), nothing of the offline edits
  const c = provider(t, again, room, 2003)
  await c.waitSynced()
  checkEqual(normalizeSurrogates(c.render()), bBefore, 'restored room before anyone reconnected')
  // e's provider reconnected by itself and uploaded its edit from while the server was down
  await e.waitSynced(10000)
  await waitRoom(again, room2, e.render())
  const eDoc = JSON.parse(await roomJson(again, room2))
  checkEqual([eDoc.map.e, eDoc.map['e-down']], ['before stop', 'while down'], 'e after its automatic reconnect')

  b.provider.connect()
  await b.waitSynced()
  const bc = JSON.parse(await waitConverged([b, c]))
  checkEqual([bc.map.base, bc.map['b-online'], bc.map['b-down']], [1, 'before stop', 'while down'], 'b/c before a reconnects')
  check(bc.map['a-offline'] === undefined && bc.map['a-down'] === undefined, `a's offline edits visible before a reconnected: ${JSON.stringify(bc.map)}`)

  a.provider.connect()
  await a.waitSynced()
  const final = await waitConverged([a, b, c])
  const obj = JSON.parse(final)
  checkEqual(
    [obj.map.base, obj.map['a-offline'], obj.map['a-down'], obj.map['b-online'], obj.map['b-down']],
    [1, 'before stop', 'while down', 'before stop', 'while down'],
    'offline edits of a and b after the restart'
  )
  checkSameDoc(c.doc, [a.doc, b.doc], 'after a reconnected')
  await waitRoom(again, room, final)

  // what the reconnects uploaded is stored too: disconnect everyone, restart, a fresh client
  for (const x of [a, b, c, e]) x.provider.disconnect()
  const { server: third } = await t.restart(again)
  const d = provider(t, third, room, 2004)
  await d.waitSynced()
  checkSameDoc(d.doc, [a.doc, b.doc, c.doc], 'second restart')
  checkEqual(await roomJson(third, room2), normalizeSurrogates(e.render()), 'e\'s room after the second restart')
  checkNoErrors(again, 'first restart')
  checkNoErrors(third, 'second restart')
}, { timeout: 60000 })

// 1,000 rooms, among them names that are prefixes of one another, contain '/', '%', spaces, '+', non-ASCII
// and the maximum length, so that a key layout without length prefix or escaping would collide.
const AWKWARD = ['a', 'ab', 'a b', 'a+b', 'ä/ö', 'x%2Fy', 'x/y', 'update', 'a/update', '😀', 'ü'.repeat(128), 'room-1', 'room-10', 'room-1/0']
const roomNames = () => {
  const names = [...AWKWARD]
  for (let i = 0; names.length < 1000; i++) if (!names.includes(`room-${i}`)) names.push(`room-${i}`)
  return names
}
/** One distinct v1 update for room number i: text, map and array content naming the room. */
const roomUpdate = (name, i) => {
  const d = new Y.Doc()
  d.clientID = 100000 + i
  let u = null
  d.on('update', (x) => {
    u = x
  })
  d.transact(() => {
    d.getText('text').insert(0, `content of ${name}`)
    d.getMap('map').set('i', i)
    d.getArray('array').push([name])
  })
  const expected = renderDoc(d)
  d.destroy()
  return { update: u, expected }
}

test('1,000 rooms (names with /, %, +, unicode, prefixes, 256 bytes) are restored after a restart', async (t) => {
  const dir = t.tempDir()
  const server = await t.server({ dataDir: dir, args: ['--max-rooms', '1100'] })
  const names = roomNames()
  checkEqual(new Set(names).size, 1000, 'distinct room names')
  const rooms = names.map((name, i) => ({ name, ...roomUpdate(name, i) }))
  // batches of 100 concurrent writers: raw y-websocket clients (the server's echo = stored), every 10th
  // room through POST /rooms/<r>/update
  for (let b = 0; b < rooms.length; b += 100) {
    await Promise.all(
      rooms.slice(b, b + 100).map(async (r, k) => {
        if ((b + k) % 10 === 9) {
          const p = await httpGet(`${roomUrl(server, r.name)}/update`, { method: 'POST', body: r.update })
          checkEqual([p.status, p.text], [200, '{"ok":true}'], `POST /rooms/${encodeURIComponent(r.name)}/update`)
          return
        }
        const c = await rawClient(`${server.ws}/${encodeURIComponent(r.name)}`)
        try {
          await c.next('sync:step1')
          c.send(syncUpdate(r.update))
          const echo = await c.next('sync:update')
          check(bytesEqual(echo.payload, r.update), `room ${r.name}: echo differs`)
        } finally {
          c.close()
        }
      })
    )
  }
  const s1 = await storageStats(server)
  checkEqual(s1.rooms, 1000, `storage.rooms before the restart (${JSON.stringify(s1)})`)
  check(s1.appends_total >= 1000, `appends_total ${s1.appends_total}`)
  await waitFor(async () => (await httpGet(`${server.http}/stats`)).json().total_clients === 0, { what: 'writers gone' })

  const { server: again } = await t.restart(server, { startTimeout: 30000 })
  const snapped = new Set(snapshotLines(server.stderr()).map((s) => s.room))
  const unsnapped = names.filter((n) => !snapped.has(n))
  check(unsnapped.length === 0, () => `${unsnapped.length} rooms without a "snapshot written" line before the restart, e.g. ${JSON.stringify(unsnapped.slice(0, 5))}`)
  const s2 = await storageStats(again)
  checkEqual([s2.rooms, s2.log_entries], [1000, 0], `storage rooms, log_entries after the restart (${JSON.stringify(s2)})`)
  check(s2.snapshot_bytes > 0 && s2.db_bytes > 0, `snapshot_bytes / db_bytes: ${JSON.stringify(s2)}`)
  checkEqual((await httpGet(`${again.http}/stats`)).json().rooms, 0, 'rooms loaded right after the restart')

  const wrong = []
  for (let b = 0; b < rooms.length; b += 25) {
    await Promise.all(
      rooms.slice(b, b + 25).map(async (r) => {
        const g = await httpGet(roomUrl(again, r.name))
        if (g.status !== 200 || g.text !== r.expected) wrong.push(`${JSON.stringify(r.name)}: ${g.status} ${g.text.slice(0, 200)} (want ${r.expected})`)
      })
    )
  }
  check(wrong.length === 0, () => `${wrong.length} rooms not restored:\n${wrong.slice(0, 10).join('\n')}`)
  checkEqual((await httpGet(`${again.http}/stats`)).json().rooms, 1000, 'rooms loaded after GET of every room')
  await waitLoaded(again, names)
  checkEqual(loadedLines(again.stderr()).length, 1000, '"loaded from storage" lines')
  // GET /rooms/<r>/update of rooms whose names contain '/' or look like the route
  for (const name of ['ä/ö', 'a/update', 'update', 'x%2Fy', 'room-1/0']) {
    await checkUpdateEndpoint(again, name, rooms.find((r) => r.name === name).expected)
  }
  // a y-websocket client in an awkward room gets the stored state
  const p = provider(t, again, 'x%2Fy', 9999)
  await p.waitSynced()
  checkEqual(p.render(), rooms.find((r) => r.name === 'x%2Fy').expected, 'provider in room "x%2Fy"')
  // names not stored are still unknown
  for (const name of ['abc', 'room-1000', 'x', 'ä']) checkEqual((await httpGet(roomUrl(again, name))).status, 404, `GET /rooms/${name} (not stored)`)
  checkEqual((await storageStats(again)).rooms, 1000, 'storage.rooms after the GETs (a GET of an unknown room stores nothing)')
  checkNoErrors(again, 'after the restart')
}, { timeout: 100000 })

test('idle snapshot (--snapshot-idle-seconds 1): log entries → 0, snapshot bytes > 0; kill -9 then restores it', async (t) => {
  const dir = t.tempDir()
  const server = await t.server({ dataDir: dir, args: ['--snapshot-idle-seconds', '1'] })
  const room = 'snap-idle'
  const a = provider(t, server, room, 3001)
  await a.waitSynced()
  for (let i = 0; i < 20; i++) a.doc.getText('text').insert(i, String.fromCharCode(97 + i))
  await waitRoom(server, room, a.render())
  const logBefore = server.stderr()
  const s1 = await storageStats(server)
  if (!/snapshot written/.test(logBefore) && !/snapshot written/.test(server.stderr())) {
    // no snapshot yet (the idle timer is 1 s): the log holds the 20 updates
    checkEqual([s1.rooms, s1.log_entries, s1.snapshot_bytes], [1, 20, 0], 'storage rooms, log_entries, snapshot_bytes before the idle snapshot')
    check(s1.log_bytes > 20, `log_bytes ${s1.log_bytes}`)
  }
  checkEqual(s1.appends_total, 20, 'appends_total (one per update)')
  const m = await server.waitForLog(new RegExp(`${roomRe(room)}snapshot written \\(idle\\): (\\d+) bytes, covers seq (\\d+)`), 5000)
  const s2 = await waitFor(async () => {
    const s = await storageStats(server)
    return s.log_entries === 0 ? s : false
  }, { what: 'log_entries 0 after the idle snapshot', describe: async () => JSON.stringify(await storageStats(server)) })
  checkEqual([s2.rooms, s2.log_entries, s2.log_bytes, s2.snapshot_bytes], [1, 0, 0, Number(m[1])], 'storage after the idle snapshot (snapshot_bytes = the logged size)')
  check(s2.snapshots_total >= 1 && s2.snapshot_bytes > 0, `snapshots_total / snapshot_bytes ${JSON.stringify(s2)}`)
  // one more update goes to the log again, then another idle snapshot
  a.doc.getMap('map').set('later', true)
  await waitRoom(server, room, a.render())
  await waitFor(() => snapshotLines(server.stderr()).filter((s) => s.room === room && s.why === 'idle').length >= 2, {
    timeout: 5000,
    what: 'a second idle snapshot'
  })
  const s3 = await waitFor(async () => {
    const s = await storageStats(server)
    return s.log_entries === 0 ? s : false
  }, { what: 'log_entries 0 after the second idle snapshot' })
  check(s3.appends_total === 21 && s3.snapshots_total >= 2, `after the second snapshot: ${JSON.stringify(s3)}`)
  const expected = normalizeSurrogates(a.render())
  a.provider.disconnect()
  const { server: again } = await t.restart(server, { signal: 'SIGKILL' })
  checkEqual(await roomJson(again, room), expected, 'GET /rooms after kill -9 (snapshot only)')
  const [l] = await waitLoaded(again, [room])
  check(l && l.snapshotBytes === s3.snapshot_bytes && l.logEntries === 0, () => `loaded line ${JSON.stringify(l)}, want snapshot ${s3.snapshot_bytes} bytes, 0 log entries`)
  checkNoErrors(again, 'after kill -9')
}, { timeout: 40000 })

test('compaction: --compact-log-entries 50 with 200 updates without pause; --compact-log-bytes 1024', async (t) => {
  const dir = t.tempDir()
  const server = await t.server({ dataDir: dir, args: ['--compact-log-entries', '50', '--snapshot-idle-seconds', '3600'] })
  const room = 'compact-entries'
  const src = new Y.Doc()
  src.clientID = 3101
  const updates = []
  src.on('update', (u) => updates.push(u))
  for (let i = 0; i < 200; i++) src.getText('text').insert(src.getText('text').length, `${i % 10}`)
  const c = await rawClient(`${server.ws}/${room}`)
  t.defer(() => c.terminate())
  await c.next('sync:step1')
  for (const u of updates) c.send(syncUpdate(u))
  // Each echo is the next update, or the next run of updates merged (they waited in the room's mailbox
  // together): in acceptance order either way.
  for (let next = 0; next < updates.length;) {
    const e = await c.next('sync:update', 10000)
    let n = 1
    const run = (k) => (k === 1 ? updates[next] : Y.mergeUpdates(updates.slice(next, next + k)))
    while (next + n <= updates.length && !bytesEqual(run(n), e.payload)) n++
    check(next + n <= updates.length, () => `echo after update #${next - 1} is not updates #${next}.. (alone or merged, in acceptance order): ${toHex(e.payload)}`)
    next += n
  }
  // the snapshot is logged when its write is confirmed, possibly after the last echo
  await waitFor(() => /room=compact-entries snapshot written \(compaction\)/.test(server.stderr()), {
    what: '"snapshot written (compaction)" after 200 updates with --compact-log-entries 50',
    describe: () => server.stderr()
  })
  const s = await waitFor(async () => {
    const x = await storageStats(server)
    return x.log_entries < 50 ? x : false
  }, { what: 'log_entries < 50', describe: async () => JSON.stringify(await storageStats(server)) })
  const compactions = snapshotLines(server.stderr()).filter((x) => x.room === room && x.why === 'compaction')
  t.log(`${compactions.length} compactions, seqs ${compactions.map((x) => x.seq).join(',')}`)
  checkEqual(s.appends_total, 200, 'appends_total')
  check(s.snapshots_total >= compactions.length && s.snapshot_bytes > 0, `storage ${JSON.stringify(s)}`)
  for (let i = 1; i < compactions.length; i++) check(compactions[i].seq > compactions[i - 1].seq, `compaction seqs not increasing: ${compactions.map((x) => x.seq)}`)
  c.close()

  // bytes threshold: 300-byte updates, 1024 bytes of log → compaction
  const room2 = 'compact-bytes'
  const src2 = new Y.Doc()
  src2.clientID = 3102
  const ups2 = []
  src2.on('update', (u) => ups2.push(u))
  for (let i = 0; i < 10; i++) src2.getText('text').insert(0, String.fromCharCode(65 + i).repeat(300))
  const sKill = await storageStats(server)
  const { server: s2srv } = await t.restart(server, { signal: 'SIGKILL', args: ['--compact-log-bytes', '1024', '--snapshot-idle-seconds', '3600'] })
  // the kill -9 above: snapshot + log tail of compact-entries are replayed
  checkEqual(await roomJson(s2srv, room), renderDoc(src), 'compact-entries after kill -9 (snapshot + log tail)')
  const [l] = await waitLoaded(s2srv, [room])
  check(l && l.snapshotBytes === sKill.snapshot_bytes && l.logEntries === sKill.log_entries, () => `loaded line ${JSON.stringify(l)}, want snapshot ${sKill.snapshot_bytes} bytes and ${sKill.log_entries} log entries (storage at the kill)`)
  const c2 = await rawClient(`${s2srv.ws}/${room2}`)
  t.defer(() => c2.terminate())
  await c2.next('sync:step1')
  for (const u of ups2) c2.send(syncUpdate(u))
  const echo2 = new Y.Doc() // echoes come one by one or merged: read until they hold all ten
  while (echo2.getText('text').length < 3000) Y.applyUpdate(echo2, (await c2.next('sync:update', 10000)).payload)
  await waitFor(() => /room=compact-bytes snapshot written \(compaction\)/.test(s2srv.stderr()), {
    what: '"snapshot written (compaction)" after 10 × 300 bytes with --compact-log-bytes 1024',
    describe: () => s2srv.stderr()
  })
  // log_bytes counts every room: compact-entries still holds its log tail (sKill.log_bytes, no new updates)
  const sb = await waitFor(async () => {
    const x = await storageStats(s2srv)
    return x.log_bytes - sKill.log_bytes < 1024 ? x : false
  }, { what: `log_bytes of compact-bytes < 1024 (total − ${sKill.log_bytes} of compact-entries)`, describe: async () => JSON.stringify(await storageStats(s2srv)) })
  checkEqual(sb.rooms, 2, 'storage.rooms')
  checkEqual(await roomJson(s2srv, room2), renderDoc(src2), 'compact-bytes content')
  checkNoErrors(s2srv, 'after the restart')
}, { timeout: 40000 })

test('HTTP: POST /rooms/<r>/update reaches members, GET .../update round-trips, 400 on garbage, 413, survives a restart', async (t) => {
  const dir = t.tempDir()
  const server = await t.server({ dataDir: dir, args: ['--max-message-size', '4096'] })
  const room = 'http room/ü'
  const member = provider(t, server, room, 4001)
  await member.waitSynced()
  const raw = await rawClient(`${server.ws}/${encodeURIComponent(room)}`)
  t.defer(() => raw.terminate())
  await raw.next('sync:step1')

  const src = new Y.Doc()
  src.clientID = 4002
  const ups = []
  src.on('update', (u) => ups.push(u))
  src.transact(() => {
    src.getText('text').insert(0, 'posted over HTTP')
    src.getMap('map').set('via', 'POST')
    src.getArray('array').push([1, 'two'])
  })
  const p = await httpGet(`${roomUrl(server, room)}/update`, { method: 'POST', body: ups[0] })
  checkEqual([p.status, p.text], [200, '{"ok":true}'], 'POST status and body')
  const relayed = await raw.next('sync:update')
  check(bytesEqual(relayed.payload, ups[0]), 'the member got other bytes than the posted update')
  await waitConverged([member], { expected: renderDoc(src) })

  // GET .../update → a v1 update giving the same content
  member.doc.getMap('map').set('member', 'edit')
  const expected = normalizeSurrogates(member.render())
  await waitRoom(server, room, expected)
  const bytes = await checkUpdateEndpoint(server, room, expected)
  check(wouldAdd(member.doc, bytes) === null && wouldAdd(docFromUpdate(bytes), Y.encodeStateAsUpdate(member.doc)) === null, 'GET /update is not the member\'s full state')

  // malformed bodies → 400, room unchanged, members not disturbed
  const truncated = ups[0].slice(0, Math.floor(ups[0].length / 2))
  for (const [what, body] of [
    ['garbage', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff])],
    ['truncated update', truncated],
    ['text', new TextEncoder().encode('{"not":"an update"}')]
  ]) {
    const r = await httpGet(`${roomUrl(server, room)}/update`, { method: 'POST', body })
    checkEqual(r.status, 400, `POST ${what}: status (body ${r.text})`)
    check(/^malformed update: ./.test(r.json().error ?? ''), `POST ${what}: body ${r.text}`)
  }
  checkEqual(await roomJson(server, room), expected, 'room after the malformed POSTs')
  check(member.closes.length === 0 && raw.closeInfo === null, `members closed: ${JSON.stringify([member.closes, raw.closeInfo])}`)
  // over max-message-size → 413
  const big = new Y.Doc()
  big.getText('text').insert(0, 'z'.repeat(5000))
  const r413 = await httpGet(`${roomUrl(server, room)}/update`, { method: 'POST', body: Y.encodeStateAsUpdate(big) })
  checkEqual(r413.status, 413, `POST over max-message-size (body ${r413.text})`)
  checkEqual(await roomJson(server, room), expected, 'room after the 413')
  // POST into a room that does not exist yet creates it
  const only = new Y.Doc()
  only.clientID = 4003
  only.getArray('array').push(['only posted'])
  const p2 = await httpGet(`${roomUrl(server, 'posted-only')}/update`, { method: 'POST', body: Y.encodeStateAsUpdate(only) })
  checkEqual(p2.status, 200, `POST into a new room (body ${p2.text})`)
  checkEqual(await roomJson(server, 'posted-only'), renderDoc(only), 'new room from POST')

  member.provider.disconnect()
  raw.close()
  const { server: again } = await t.restart(server, { signal: 'SIGKILL' }) // POSTed updates are stored at once
  checkEqual(await roomJson(again, room), expected, 'room after kill -9 + restart')
  checkEqual(await roomJson(again, 'posted-only'), renderDoc(only), 'POST-only room after kill -9 + restart')
  // backup → restore into a new room: GET .../update of one room POSTed into another
  const backup = await checkUpdateEndpoint(again, room, expected)
  const rest = await httpGet(`${roomUrl(again, 'restored copy')}/update`, { method: 'POST', body: backup })
  checkEqual(rest.status, 200, 'POST of the backup')
  checkEqual(await roomJson(again, 'restored copy'), expected, 'restored copy')
  checkEqual((await httpGet(roomUrl(again, 'never-written'))).status, 404, 'GET of a room never written')
  checkNoErrors(again, 'after the restart')
}, { timeout: 40000 })

test('--in-memory: nothing is stored; after a restart the room is gone; /stats storage {"enabled":false}', async (t) => {
  const dir = t.tempDir()
  const server = await t.server({ dataDir: dir, args: ['--in-memory'] })
  check(server.stderr().includes('storage: in-memory (nothing is persisted)'), () => `no in-memory line:\n${server.stderr()}`)
  checkEqual((await httpGet(`${server.http}/stats`)).json().storage, { enabled: false }, '/stats storage')
  const a = provider(t, server, 'volatile', 5001)
  await a.waitSynced()
  a.doc.getText('text').insert(0, 'gone after restart')
  await waitRoom(server, 'volatile', a.render())
  a.provider.disconnect()
  const { server: again } = await t.restart(server)
  checkEqual((await httpGet(roomUrl(again, 'volatile'))).status, 404, 'GET /rooms after restarting an in-memory server')
}, { timeout: 20000 })

test('--sync: start-up line "(sync on)", /stats storage.sync true, updates stored', async (t) => {
  const dir = t.tempDir()
  const server = await t.server({ dataDir: dir, args: ['--sync'] })
  check(server.stderr().includes(`storage: rocksdb at ${path.join(dir, 'data')} (sync on)`), () => `no "(sync on)" line:\n${server.stderr()}`)
  const s = await storageStats(server)
  checkEqual([s.enabled, s.sync], [true, true], '/stats storage enabled, sync')
  const d = new Y.Doc()
  d.getText('text').insert(0, 'fsynced')
  checkEqual((await httpGet(`${roomUrl(server, 'synced')}/update`, { method: 'POST', body: Y.encodeStateAsUpdate(d) })).status, 200, 'POST')
  const { server: again } = await t.restart(server, { signal: 'SIGKILL' })
  checkEqual(await roomJson(again, 'synced'), renderDoc(d), 'after kill -9')
}, { timeout: 20000 })

await run()
