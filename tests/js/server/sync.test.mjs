// Document sync through zeal-crdt-server with real y-websocket clients and raw y-protocols clients:
// convergence of 2–5 clients on seeded random concurrent edits (text, map, array, xml, nested types),
// offline edits, late joiners, the server's relay rules, and /rooms/<room>(/update) equal to the clients'
// documents.   node server/sync.test.mjs <zeal-crdt-server> [--filter RE] [--verbose]
import * as Y from 'yjs'
import { test, run, check, checkEqual } from '../lib/runner.mjs'
import { normalizeSurrogates, providerClient, rawClient, waitConverged } from '../lib/clients.mjs'
import { httpGet, waitFor } from '../lib/server.mjs'
import { syncStep1, syncStep2, syncUpdate } from '../lib/proto.mjs'
import { renderDoc, bytesEqual } from '../lib/render.mjs'
import { makePrng, randomEdit } from '../lib/session.mjs'

const tick = () => new Promise((resolve) => setImmediate(resolve))

/** Connects n providers to room and waits until all are synced. */
const connectAll = async (t, server, room, n, firstId) => {
  const clients = []
  for (let i = 0; i < n; i++) {
    const c = providerClient(server.ws, room, { clientID: firstId + i })
    t.defer(() => c.destroy())
    clients.push(c)
  }
  await Promise.all(clients.map((c) => c.waitSynced()))
  return clients
}

/** Checks GET /rooms/<room> and /rooms/<room>/update against the expected rendering. */
const checkRoomEndpoints = async (t, server, room, expected) => {
  if (!t.zeal) return
  const enc = encodeURIComponent(room)
  const r = await httpGet(`${server.http}/rooms/${enc}`)
  checkEqual(r.status, 200, `GET /rooms/${enc} status (body ${r.text})`)
  checkEqual(normalizeSurrogates(r.text), expected, `GET /rooms/${enc} body`)
  const u = await httpGet(`${server.http}/rooms/${enc}/update`)
  checkEqual(u.status, 200, `GET /rooms/${enc}/update status`)
  check(/application\/octet-stream/.test(u.headers.get('content-type') ?? ''), `content-type ${u.headers.get('content-type')}`)
  const d = new Y.Doc()
  Y.applyUpdate(d, u.bytes)
  checkEqual(normalizeSurrogates(renderDoc(d)), expected, `GET /rooms/${enc}/update applied to a fresh Y.Doc`)
  d.destroy()
}

/** Random concurrent edits: `rounds` rounds, every client edits `perRound` times, network interleaved. */
const editConcurrently = async (clients, prng, { rounds, perRound }) => {
  for (let r = 0; r < rounds; r++) {
    for (const c of clients) {
      for (let k = 0; k < perRound; k++) randomEdit(prng, c.doc)
      if (prng.bool(0.5)) await tick()
    }
    // let some (not all) messages through between rounds
    if (prng.bool(0.7)) await new Promise((resolve) => setTimeout(resolve, prng.int(3)))
  }
}

for (const [n, seed] of [
  [2, 1],
  [3, 2],
  [5, 3]
]) {
  test(`${n} clients converge on concurrent random edits (seed ${seed})`, async (t) => {
    const server = await t.server()
    const room = `converge-${n}-${seed}`
    const clients = await connectAll(t, server, room, n, 100 * seed + 1)
    const prng = makePrng(seed)
    await editConcurrently(clients, prng, { rounds: 30, perRound: 2 })
    const final = await waitConverged(clients)
    check(final.length > 2, `converged on empty content ${final}`)
    t.log(`room ${room}: ${final.length} chars of JSON`)
    await checkRoomEndpoints(t, server, room, final)
  })
}

test('text, map and array edits from 3 clients converge to the expected content', async (t) => {
  const server = await t.server()
  const clients = await connectAll(t, server, 'typed', 3, 11)
  clients.forEach((c, i) => {
    c.doc.transact(() => {
      c.doc.getText('text').insert(0, `c${i}`)
      c.doc.getMap('map').set(`k${i}`, { n: i, s: 'v' + i })
      c.doc.getArray('array').push([i, `x${i}`])
    })
  })
  const final = await waitConverged(clients)
  const obj = JSON.parse(final)
  checkEqual(Object.keys(obj.map).sort(), ['k0', 'k1', 'k2'], 'map keys')
  checkEqual(obj.array.length, 6, 'array length')
  checkEqual(obj.text.length, 6, 'text length')
  for (const s of ['c0', 'c1', 'c2']) check(obj.text.includes(s), `text ${obj.text} lacks ${s}`)
  await checkRoomEndpoints(t, server, 'typed', final)
})

test('offline edits made while disconnected arrive after reconnect', async (t) => {
  const server = await t.server()
  const [a, b, c] = await connectAll(t, server, 'offline', 3, 21)
  a.doc.getText('text').insert(0, 'base ')
  await waitConverged([a, b, c])
  a.provider.disconnect()
  await waitFor(() => !a.provider.wsconnected && a.provider.ws === null, { what: 'a disconnected' })
  const prng = makePrng(9)
  for (let i = 0; i < 20; i++) randomEdit(prng, a.doc)
  a.doc.getMap('map').set('offline', 'from a')
  b.doc.getMap('map').set('online', 'from b')
  for (let i = 0; i < 10; i++) randomEdit(prng, c.doc)
  const bc = await waitConverged([b, c])
  check(!JSON.parse(bc).map?.offline, 'b/c saw a\'s offline edit before a reconnected')
  a.provider.connect()
  await a.waitSynced()
  const final = await waitConverged([a, b, c])
  const obj = JSON.parse(final)
  checkEqual(obj.map.offline, 'from a', 'offline edit')
  checkEqual(obj.map.online, 'from b', 'online edit')
  await checkRoomEndpoints(t, server, 'offline', final)
})

test('a client with local state uploads it on connect; a late joiner gets the full state', async (t) => {
  const server = await t.server()
  // state made before the first connection: the server's SyncStep1 makes the client send it
  const pre = providerClient(server.ws, 'late', { clientID: 31, connect: false })
  t.defer(() => pre.destroy())
  pre.doc.getText('text').insert(0, 'written before connecting')
  pre.doc.getArray('array').push([1, 2, 3])
  pre.provider.connect()
  await pre.waitSynced()
  const late = providerClient(server.ws, 'late', { clientID: 32 })
  t.defer(() => late.destroy())
  await late.waitSynced()
  const final = await waitConverged([pre, late])
  checkEqual(JSON.parse(final).text, 'written before connecting', 'late joiner text')
  // also when the uploader has left: the room keeps the state
  pre.provider.disconnect()
  const later = providerClient(server.ws, 'late', { clientID: 33 })
  t.defer(() => later.destroy())
  await later.waitSynced()
  await waitConverged([later], { expected: final })
  await checkRoomEndpoints(t, server, 'late', final)
})

test('room names: URL-decoded, "+" stays "+", query string ignored', async (t) => {
  const server = await t.server()
  const name = 'café room/ü+1'
  const a = providerClient(server.ws, encodeURIComponent(name), { clientID: 41 })
  const b = providerClient(server.ws, encodeURIComponent(name).replace('%2B', '+'), { clientID: 42, params: { token: 'x y' } })
  const other = providerClient(server.ws, encodeURIComponent(name.replace('+', ' ')), { clientID: 43 })
  for (const c of [a, b, other]) t.defer(() => c.destroy())
  await Promise.all([a, b, other].map((c) => c.waitSynced()))
  a.doc.getText('text').insert(0, 'same room')
  other.doc.getText('text').insert(0, 'other room')
  const final = await waitConverged([a, b])
  checkEqual(JSON.parse(final).text, 'same room', 'a/b text')
  await waitConverged([other], { expected: '{"text":"other room"}' })
  await checkRoomEndpoints(t, server, name, final)
}, { zealOnly: true })

test('relay rules: on join SyncStep1; updates relayed unchanged to every member incl. the sender; duplicates not relayed', async (t) => {
  const server = await t.server()
  const src = new Y.Doc()
  src.clientID = 51
  const updates = []
  src.on('update', (u) => updates.push(u))
  src.getText('text').insert(0, 'hello')
  src.getText('text').insert(5, ' world')
  src.getMap('map').set('k', 1)

  const a = await rawClient(`${server.ws}/relay`)
  const b = await rawClient(`${server.ws}/relay`)
  t.defer(() => a.terminate())
  t.defer(() => b.terminate())
  const first = await a.next()
  check(first.type === 'sync' && first.sub === 'step1', `first frame on join: want SyncStep1, got ${a.log()}`)
  checkEqual(Buffer.from(first.payload).toString('hex'), '00', 'SyncStep1 state vector of an empty room')
  await b.next('sync:step1')

  a.send(syncUpdate(updates[0]))
  for (const c of [a, b]) {
    const m = await c.next('sync:update')
    check(bytesEqual(m.payload, updates[0]), `relayed update differs: ${Buffer.from(m.payload).toString('hex')} vs ${Buffer.from(updates[0]).toString('hex')}`)
  }
  // SyncStep2 from a client is relayed as an Update frame with the same bytes
  a.send(syncStep2(updates[1]))
  for (const c of [a, b]) {
    const m = await c.next((x) => x.type === 'sync' && x.sub !== 'step1')
    checkEqual(m.sub, 'update', 'relay of a SyncStep2 is an Update frame')
    check(bytesEqual(m.payload, updates[1]), 'relayed SyncStep2 bytes differ')
  }
  // an exact duplicate is not relayed: the next relay both see is the third update
  a.send(syncUpdate(updates[0]))
  a.send(syncUpdate(updates[2]))
  for (const c of [a, b]) {
    const m = await c.next('sync:update')
    check(bytesEqual(m.payload, updates[2]), `after a duplicate: want the 3rd update relayed next, got ${Buffer.from(m.payload).toString('hex')}`)
  }
  // SyncStep1 with an empty state vector → SyncStep2 with the whole document, to the asker only
  b.send(syncStep1())
  const s2 = await b.next('sync:step2')
  const d = new Y.Doc()
  Y.applyUpdate(d, s2.payload)
  checkEqual(renderDoc(d), renderDoc(src), 'SyncStep2 content')
  // SyncStep1 with a full state vector → an empty diff (applying it changes nothing)
  b.send(syncStep1(src))
  const s2b = await b.next('sync:step2')
  const before = Y.encodeStateVector(d)
  Y.applyUpdate(d, s2b.payload)
  check(bytesEqual(before, Y.encodeStateVector(d)), 'diff against the full state vector was not empty')
  check(!a.messages.some((m) => m.type === 'sync' && m.sub === 'step2'), `a got a SyncStep2 meant for b:\n${a.log()}`)
  // a joiner after the edits: SyncStep1 carries the room's state vector
  const c = await rawClient(`${server.ws}/relay`)
  t.defer(() => c.terminate())
  const s1 = await c.next('sync:step1')
  check(bytesEqual(s1.payload, Y.encodeStateVector(src)), `joiner's SyncStep1 sv ${Buffer.from(s1.payload).toString('hex')}`)
  await checkRoomEndpoints(t, server, 'relay', renderDoc(src))
}, { zealOnly: true })

test('an update with a missing dependency is relayed, kept pending and completed later', async (t) => {
  const server = await t.server()
  const src = new Y.Doc()
  src.clientID = 61
  const updates = []
  src.on('update', (u) => updates.push(u))
  src.getText('text').insert(0, 'ab')
  src.getText('text').insert(2, 'cd')
  const a = await rawClient(`${server.ws}/pending`)
  t.defer(() => a.terminate())
  await a.next('sync:step1')
  a.send(syncUpdate(updates[1])) // depends on updates[0]
  const m = await a.next('sync:update')
  check(bytesEqual(m.payload, updates[1]), 'pending update relayed with other bytes')
  if (t.zeal) {
    const r = await httpGet(`${server.http}/rooms/pending`)
    checkEqual(r.text, '{}', 'room with only a pending update')
  }
  a.send(syncUpdate(updates[0]))
  await a.next('sync:update')
  const p = providerClient(server.ws, 'pending', { clientID: 62 })
  t.defer(() => p.destroy())
  await p.waitSynced()
  await waitConverged([p], { expected: '{"text":"abcd"}' })
  await checkRoomEndpoints(t, server, 'pending', '{"text":"abcd"}')
}, { zealOnly: true })

test('churn: clients leaving and rejoining with offline edits while others keep editing converge', async (t) => {
  const server = await t.server()
  const stable = await connectAll(t, server, 'churn', 3, 71)
  const movers = await connectAll(t, server, 'churn', 2, 81)
  const prng = makePrng(17)
  for (let cycle = 0; cycle < 8; cycle++) {
    const m = movers[cycle % 2]
    m.provider.disconnect()
    for (let i = 0; i < 5; i++) randomEdit(prng, m.doc)
    for (const c of stable) randomEdit(prng, c.doc)
    await tick()
    m.provider.connect()
    for (const c of stable) randomEdit(prng, c.doc)
    if (prng.bool()) await new Promise((resolve) => setTimeout(resolve, prng.int(20)))
  }
  const final = await waitConverged([...stable, ...movers], { timeout: 15000 })
  await checkRoomEndpoints(t, server, 'churn', final)
}, { timeout: 40000 })

test('frames sent right after the upgrade, before the join completed, are not lost', async (t) => {
  const server = await t.server()
  const src = new Y.Doc()
  src.clientID = 91
  const ups = []
  src.on('update', (u) => ups.push(u))
  for (let i = 0; i < 5; i++) src.getArray('array').push([i])
  for (let round = 0; round < 5; round++) {
    const c = await rawClient(`${server.ws}/early-${round}`, { open: false })
    await new Promise((resolve) => c.ws.once('open', resolve))
    for (const u of ups) c.send(syncUpdate(u)) // same tick as the open event
    // Relayed back once the join completed: one by one, or merged (they waited in the room's mailbox
    // together), so read updates until the echo holds all five.
    const echo = new Y.Doc()
    while (echo.getArray('array').length < ups.length) Y.applyUpdate(echo, (await c.next('sync:update')).payload)
    checkEqual(JSON.stringify(echo.getArray('array').toJSON()), '[0,1,2,3,4]', 'echo')
    c.close()
    const p = providerClient(server.ws, `early-${round}`, { clientID: 92 + round })
    t.defer(() => p.destroy())
    await p.waitSynced()
    await waitConverged([p], { expected: '{"array":[0,1,2,3,4]}' })
  }
})

test('an update close to max-message-size (900 KiB of text) is applied and relayed', async (t) => {
  const server = await t.server()
  const [a, b] = await connectAll(t, server, 'large', 2, 95)
  a.doc.getText('text').insert(0, 'y'.repeat(900 * 1024))
  const final = await waitConverged([a, b], { timeout: 15000 })
  checkEqual(JSON.parse(final).text.length, 900 * 1024, 'text length')
  check(a.closes.length === 0 && b.closes.length === 0, `closed: ${JSON.stringify([a.closes, b.closes])}`)
  await checkRoomEndpoints(t, server, 'large', final)
}, { zealOnly: true })

test('GET /rooms/<unknown> and /rooms/<unknown>/update → 404', async (t) => {
  const server = await t.server()
  for (const p of ['/rooms/nope', '/rooms/nope/update']) {
    const r = await httpGet(server.http + p)
    checkEqual(r.status, 404, `${p} status`)
    if (p === '/rooms/nope') checkEqual(r.json(), { error: 'room not found' }, `${p} body`)
  }
}, { zealOnly: true })

await run()
