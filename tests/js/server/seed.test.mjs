// The seed protocol at ws://host:port/ws with raw `ws` clients: JSON join / switch / leave, errors as
// {"error":...} text frames with the connection kept, binary y-protocols messages once joined (shared
// with y-websocket clients of the same room), custom type 4 relayed to the other members only.
//   node server/seed.test.mjs <zeal-crdt-server> [--filter RE] [--verbose]
import * as Y from 'yjs'
import { defaults, test, run, check, checkEqual } from '../lib/runner.mjs'
import { providerClient, rawClient, waitConverged } from '../lib/clients.mjs'
import { httpGet, waitFor } from '../lib/server.mjs'
import { customMsg, syncStep1, syncUpdate } from '../lib/proto.mjs'
import { bytesEqual } from '../lib/render.mjs'

defaults({ zealOnly: true }) // every test needs /ws

const join = (c, room) => c.send(JSON.stringify({ action: 'join', room }))
const errorText = (m) => {
  if (typeof m !== 'string') return null
  try {
    const o = JSON.parse(m)
    return typeof o.error === 'string' ? o.error : null
  } catch {
    return null
  }
}
const nextError = (c) => c.next((m) => errorText(m) !== null).then(errorText)

/** A doc whose updates we send by hand. */
const makeSource = (clientID) => {
  const d = new Y.Doc()
  d.clientID = clientID
  d.updates = []
  d.on('update', (u) => d.updates.push(u))
  return d
}

/** Stays open: a round trip (SyncStep1 → SyncStep2) still works. */
const checkAlive = async (c, what) => {
  c.send(syncStep1())
  await c.next('sync:step2').catch((e) => {
    throw new Error(`${what}: connection not usable any more: ${e.message}`)
  })
}

test('join a room, exchange updates with another seed client and a y-websocket client of the same room', async (t) => {
  const server = await t.server()
  const s1 = await rawClient(`${server.ws}/ws`)
  const s2 = await rawClient(`${server.ws}/ws`)
  for (const c of [s1, s2]) t.defer(() => c.terminate())
  join(s1, 'seed-room')
  join(s2, 'seed-room')
  const first = await s1.next()
  check(typeof first !== 'string' && first.type === 'sync' && first.sub === 'step1', `first frame after join: ${s1.log()}`)
  await s2.next('sync:step1')
  const p = providerClient(server.ws, 'seed-room', { clientID: 4003 })
  t.defer(() => p.destroy())
  await p.waitSynced()
  const src = makeSource(4001)
  src.getText('text').insert(0, 'from seed')
  s1.send(syncUpdate(src.updates[0]))
  for (const c of [s1, s2]) {
    const m = await c.next('sync:update')
    check(bytesEqual(m.payload, src.updates[0]), 'relayed bytes differ')
  }
  await waitConverged([p], { expected: '{"text":"from seed"}' })
  p.doc.getMap('map').set('from', 'provider')
  const m = await s2.next('sync:update')
  Y.applyUpdate(src, m.payload)
  checkEqual(src.getMap('map').get('from'), 'provider', 'provider edit at the seed client')
  const r = await httpGet(`${server.http}/rooms/seed-room`)
  checkEqual(r.text, p.render(), '/rooms/seed-room')
})

test('custom type 4 is relayed raw to the other members, not to the sender', async (t) => {
  const server = await t.server()
  const [a, b, c] = await Promise.all([0, 1, 2].map(() => rawClient(`${server.ws}/ws`)))
  for (const x of [a, b, c]) t.defer(() => x.terminate())
  for (const x of [a, b, c]) join(x, 'custom')
  for (const x of [a, b, c]) await x.next('sync:step1')
  const payload = new Uint8Array([1, 2, 3, 250, 0, 7])
  const frame = customMsg(payload)
  a.send(frame)
  for (const x of [b, c]) {
    const m = await x.next('custom')
    check(bytesEqual(m.raw, frame), `custom frame relayed as ${Buffer.from(m.raw).toString('hex')}, sent ${Buffer.from(frame).toString('hex')}`)
  }
  // the sender gets nothing: send an update after it; the update relay is the first thing a gets
  const src = makeSource(4101)
  src.getText('text').insert(0, 'x')
  a.send(syncUpdate(src.updates[0]))
  await a.next('sync:update')
  check(!a.messages.some((m) => typeof m !== 'string' && m.type === 'custom'), `the sender received its custom message:\n${a.log()}`)
  // an empty custom payload and a text custom payload are relayed as well
  b.send(customMsg('hello'))
  const m = await a.next('custom')
  checkEqual(Buffer.from(m.payload).toString('utf8'), 'hello', 'custom payload')
  b.send(new Uint8Array([4]))
  const e = await c.next((x) => typeof x !== 'string' && x.type === 'custom' && x.raw.length === 1)
  checkEqual(e.raw.length, 1, 'empty custom frame')
}, { timeout: 20000 })

test('a second join switches rooms; leave leaves; binary frames outside a room get "not in a room"', async (t) => {
  const server = await t.server()
  const s = await rawClient(`${server.ws}/ws`)
  const inA = await rawClient(`${server.ws}/ws`)
  const inB = await rawClient(`${server.ws}/ws`)
  for (const x of [s, inA, inB]) t.defer(() => x.terminate())
  // binary before any join
  s.send(syncStep1())
  checkEqual(await nextError(s), 'not in a room', 'binary before join')
  join(inA, 'room-a')
  join(inB, 'room-b')
  await inA.next('sync:step1')
  await inB.next('sync:step1')
  const srcB = makeSource(4201)
  srcB.getText('text').insert(0, 'b content')
  inB.send(syncUpdate(srcB.updates[0]))
  await inB.next('sync:update')

  join(s, 'room-a')
  await s.next('sync:step1')
  join(s, 'room-b') // switch: leaves room-a, joins room-b (SyncStep1 with room-b's state vector)
  const sv = await s.next('sync:step1')
  check(bytesEqual(sv.payload, Y.encodeStateVector(srcB)), `SyncStep1 after switching to room-b has sv ${Buffer.from(sv.payload).toString('hex')}`)
  await waitFor(async () => (await httpGet(`${server.http}/stats`)).json().total_clients === 3, { what: 'total_clients 3 after the switch' })
  // updates in room-a no longer reach s; updates in room-b do
  const srcA = makeSource(4202)
  srcA.getText('text').insert(0, 'a content')
  inA.send(syncUpdate(srcA.updates[0]))
  await inA.next('sync:update')
  srcB.getText('text').insert(0, 'more ')
  inB.send(syncUpdate(srcB.updates[1]))
  const got = await s.next('sync:update')
  check(bytesEqual(got.payload, srcB.updates[1]), `after the switch s got an update of the wrong room: ${Buffer.from(got.payload).toString('hex')}`)
  // leave: nothing more is relayed to s; a binary frame gets the error
  s.send(JSON.stringify({ action: 'leave' }))
  await waitFor(async () => (await httpGet(`${server.http}/stats`)).json().total_clients === 2, { what: 'total_clients 2 after leave' })
  srcB.getText('text').insert(0, 'even ')
  inB.send(syncUpdate(srcB.updates[2]))
  await inB.next('sync:update')
  s.send(syncUpdate(srcB.updates[2]))
  checkEqual(await nextError(s), 'not in a room', 'binary after leave')
  check(s.messages.filter((m) => typeof m !== 'string' && m.type === 'sync' && m.sub === 'update').length === 1, `s received updates after leave:\n${s.log()}`)
  // join again works
  join(s, 'room-a')
  const sv2 = await s.next('sync:step1')
  check(bytesEqual(sv2.payload, Y.encodeStateVector(srcA)), 'SyncStep1 of room-a after re-join')
}, { timeout: 20000 })

test('rapid join switches without waiting end in the last room only; joining the same room again', async (t) => {
  const server = await t.server()
  const s = await rawClient(`${server.ws}/ws`)
  t.defer(() => s.terminate())
  for (let i = 0; i < 10; i++) join(s, `hop-${i}`)
  await waitFor(async () => (await httpGet(`${server.http}/stats`)).json().total_clients === 1, {
    what: 'exactly one membership after 10 quick joins',
    describe: async () => (await httpGet(`${server.http}/stats`)).text
  })
  // an update goes to hop-9 only
  const src = makeSource(4301)
  src.getText('text').insert(0, 'hop')
  s.send(syncUpdate(src.updates[0]))
  await s.next('sync:update')
  await waitFor(async () => (await httpGet(`${server.http}/rooms/hop-9`)).text === '{"text":"hop"}', { what: 'update in hop-9' })
  for (let i = 0; i < 9; i++) {
    const r = await httpGet(`${server.http}/rooms/hop-${i}`)
    check(r.status === 404 || r.text === '{}', `hop-${i} got content: ${r.status} ${r.text}`)
  }
  // join the room it is in: still one membership, a fresh SyncStep1
  const before = s.messages.length
  join(s, 'hop-9')
  await s.next((m) => s.messages.indexOf(m) >= before && typeof m !== 'string' && m.type === 'sync' && m.sub === 'step1')
  await new Promise((resolve) => setTimeout(resolve, 100))
  checkEqual((await httpGet(`${server.http}/stats`)).json().total_clients, 1, 'total_clients after joining the same room again')
})

test('malformed or unknown JSON commands → {"error":...} text frame, connection kept', async (t) => {
  const server = await t.server()
  const s = await rawClient(`${server.ws}/ws`)
  t.defer(() => s.terminate())
  const bad = [
    'not json',
    '{"action":"join"',
    '[]',
    '42',
    '{}',
    '{"action":"dance"}',
    '{"action":"join"}',
    '{"action":"join","room":5}',
    '{"action":"join","room":null}',
    '{"action":7,"room":"r"}',
    ''
  ]
  for (const text of bad) {
    s.send(text)
    const e = await nextError(s).catch((x) => {
      throw new Error(`after sending ${JSON.stringify(text)}: ${x.message}`)
    })
    check(e.length > 0, `empty error for ${JSON.stringify(text)}`)
    t.log(`${JSON.stringify(text)} → ${JSON.stringify(e)}`)
  }
  // still usable: join and sync
  join(s, 'after-errors')
  await s.next('sync:step1')
  await checkAlive(s, 'after malformed commands')
  // while in a room, a malformed command keeps the membership
  s.send('{oops')
  await nextError(s)
  await checkAlive(s, 'malformed command while in a room')
})

test('invalid room names on /ws → error text frame, connection stays', async (t) => {
  const server = await t.server()
  const s = await rawClient(`${server.ws}/ws`)
  t.defer(() => s.terminate())
  for (const room of ['', 'a'.repeat(257), 'bad\u0001name', 'tab\tname', 'del\u007f']) {
    join(s, room)
    const e = await nextError(s)
    check(/room/i.test(e), `error for room ${JSON.stringify(room)}: ${JSON.stringify(e)}`)
  }
  join(s, 'a'.repeat(256)) // the longest valid name
  await s.next('sync:step1')
  await checkAlive(s, 'after invalid room names')
  check(s.closeInfo === null, `closed: ${JSON.stringify(s.closeInfo)}`)
})

test('room full on /ws → error text frame, then close 1013 with the reason', async (t) => {
  const server = await t.server({ args: ['--max-clients-per-room', '2'] })
  const a = await rawClient(`${server.ws}/ws`)
  const b = await rawClient(`${server.ws}/ws`)
  const c = await rawClient(`${server.ws}/ws`)
  for (const x of [a, b, c]) t.defer(() => x.terminate())
  join(a, 'full')
  join(b, 'full')
  await a.next('sync:step1')
  await b.next('sync:step1')
  join(c, 'full')
  const e = await nextError(c)
  checkEqual(e, 'room full (max-clients-per-room 2)', 'error text')
  const cl = await c.waitClosed()
  checkEqual(cl, { code: 1013, reason: 'room full (max-clients-per-room 2)' }, 'close')
  await checkAlive(a, 'member of the full room')
})

await run()
