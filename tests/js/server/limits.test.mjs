// Every limit and every kind of bad input, with its close code and reason, and that the room is left
// intact for the other clients; the rejection counters in /metrics.
//   node server/limits.test.mjs <zeal-crdt-server> [--filter RE] [--verbose]
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import { defaults, test, run, check, checkEqual } from '../lib/runner.mjs'
import { providerClient, rawClient, waitConverged } from '../lib/clients.mjs'
import { httpGet, waitFor } from '../lib/server.mjs'
import { authMsg, awarenessMsg, syncStep1, syncUpdate } from '../lib/proto.mjs'
import { bytesEqual } from '../lib/render.mjs'
import { makePrng } from '../lib/session.mjs'

defaults({ zealOnly: true }) // limits, HTTP checks and close reasons are zeal's

/** Value of a Prometheus sample (name with labels exactly as printed), or undefined. */
const metric = async (server, sample) => {
  const text = (await httpGet(`${server.http}/metrics`)).text
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue
    const i = line.lastIndexOf(' ')
    if (line.slice(0, i) === sample) return Number(line.slice(i + 1))
  }
  return undefined
}
const rejected = (server, reason) => metric(server, `zeal_rejected_connections_total{reason="${reason}"}`)

/** Expects the server to close c with code and a reason matching want (string = exact, RegExp). */
const expectClose = async (c, code, want, what) => {
  const cl = await c.waitClosed().catch((e) => {
    throw new Error(`${what}: ${e.message}`)
  })
  checkEqual(cl.code, code, `${what}: close code (reason ${JSON.stringify(cl.reason)})`)
  if (typeof want === 'string') checkEqual(cl.reason, want, `${what}: close reason`)
  else check(want.test(cl.reason), `${what}: close reason ${JSON.stringify(cl.reason)} does not match ${want}`)
  return cl
}

/** A y-websocket connection that is in `room` (its SyncStep1 arrived). */
const member = async (server, room) => {
  const c = await rawClient(`${server.ws}/${room}`)
  await c.next('sync:step1')
  return c
}

/** A room with content and two provider clients; returns { a, b, before } (before = its rendering). */
const roomWithContent = async (t, server, room) => {
  const a = providerClient(server.ws, room, { clientID: 5001 })
  const b = providerClient(server.ws, room, { clientID: 5002 })
  for (const c of [a, b]) t.defer(() => c.destroy())
  await Promise.all([a.waitSynced(), b.waitSynced()])
  a.doc.getText('text').insert(0, 'intact')
  a.doc.getMap('map').set('k', [1, 2])
  const before = await waitConverged([a, b])
  const r = await httpGet(`${server.http}/rooms/${room}`)
  checkEqual(r.text, before, 'room content before')
  return { a, b, before }
}

/** After bad input: the room's content is unchanged and its other clients still sync. */
const checkRoomIntact = async (server, room, { a, b, before }, what) => {
  const r = await httpGet(`${server.http}/rooms/${room}`)
  checkEqual(r.text, before, `${what}: room content changed`)
  const k = `after ${what}`
  b.doc.getMap('map').set(k, true)
  const final = await waitConverged([a, b])
  check(JSON.parse(final).map[k] === true, `${what}: edit after did not converge`)
  check(a.closes.length === 0 && b.closes.length === 0, `${what}: other clients were closed: ${JSON.stringify([a.closes, b.closes])}`)
  const r2 = await httpGet(`${server.http}/rooms/${room}`)
  checkEqual(r2.text, final, `${what}: room content after the next edit`)
}

test('a message over max-message-size → close 1009 with the reason; exactly the limit passes', async (t) => {
  const limit = 1024
  const server = await t.server({ args: ['--max-message-size', String(limit)] })
  // an awareness frame of exactly `limit` bytes is fine
  const pad = (n) => awarenessMsg([{ clientID: 1, clock: 1, state: { p: 'x'.repeat(n) } }])
  let n = limit - 20
  while (pad(n).length < limit) n++
  while (pad(n).length > limit) n--
  const exact = pad(n)
  checkEqual(exact.length, limit, 'test frame size')
  const ok = await member(server, 'big')
  t.defer(() => ok.terminate())
  ok.send(exact)
  const echo = await ok.next('awareness')
  check(bytesEqual(echo.raw, exact), 'frame of exactly max-message-size was not relayed back')
  // one byte more: closed
  const over = await member(server, 'big')
  over.send(new Uint8Array(limit + 1).fill(0))
  await expectClose(over, 1009, `message exceeds max-message-size (${limit} bytes)`, 'oversize binary')
  // a much larger one, and an oversize text frame on /ws
  const over2 = await member(server, 'big')
  over2.send(new Uint8Array(64 * 1024))
  await expectClose(over2, 1009, `message exceeds max-message-size (${limit} bytes)`, '64 KiB binary')
  const seed = await rawClient(`${server.ws}/ws`)
  seed.send('x'.repeat(limit + 1))
  await expectClose(seed, 1009, `message exceeds max-message-size (${limit} bytes)`, 'oversize text on /ws')
  ok.send(syncStep1())
  await ok.next('sync:step2')
  check(ok.closeInfo === null, 'the other member was closed')
  await waitFor(async () => (await rejected(server, 'too_big')) === 3, { what: 'zeal_rejected_connections_total{reason="too_big"} == 3', describe: async () => `value ${await rejected(server, 'too_big')}` })
})

test('a fragmented message whose fragments are each under max-message-size but the total is over → 1009', async (t) => {
  const limit = 4096
  const server = await t.server({ args: ['--max-message-size', String(limit)] })
  const c = await member(server, 'frag')
  const part = new Uint8Array(3000).fill(1)
  c.ws.send(part, { fin: false, binary: true })
  c.ws.send(part, { fin: true, binary: true })
  await expectClose(c, 1009, `message exceeds max-message-size (${limit} bytes)`, 'fragmented 6000-byte message')
  // fragments under the limit in total are one message: a valid awareness frame split in two
  const ok = await member(server, 'frag')
  t.defer(() => ok.terminate())
  const frame = awarenessMsg([{ clientID: 3, clock: 1, state: { s: 'z'.repeat(2000) } }])
  ok.ws.send(frame.subarray(0, 1000), { fin: false, binary: true })
  ok.ws.send(frame.subarray(1000), { fin: true, binary: true })
  const m = await ok.next('awareness')
  check(bytesEqual(m.raw, frame), 'reassembled fragmented frame relayed with other bytes')
})

test('room full → auth permission-denied frame with the reason, then close 1013; other rooms unaffected', async (t) => {
  const server = await t.server({ args: ['--max-clients-per-room', '2'] })
  const a = await member(server, 'full')
  const b = await member(server, 'full')
  for (const c of [a, b]) t.defer(() => c.terminate())
  const c = await rawClient(`${server.ws}/full`, { open: false })
  const reason = 'room full (max-clients-per-room 2)'
  const auth = await c.next('auth')
  checkEqual([auth.sub, auth.reason], [0, reason], 'permission-denied frame [2, 0, reason]')
  await expectClose(c, 1013, reason, 'third client')
  check(!c.messages.some((m) => m.type === 'sync'), `the rejected client got sync frames:\n${c.log()}`)
  // a y-websocket provider sees the same (and would retry; we stop it)
  const p = providerClient(server.ws, 'full', { clientID: 5101 })
  t.defer(() => p.destroy())
  await waitFor(() => p.closes.length > 0, { what: 'provider closed' })
  checkEqual(p.closes[0], { code: 1013, reason }, 'provider close')
  p.provider.disconnect()
  // another room still accepts
  const other = await member(server, 'not-full')
  t.defer(() => other.terminate())
  // when a member leaves, a new one gets in
  a.close(1000, 'bye')
  await waitFor(async () => (await httpGet(`${server.http}/stats`)).json().total_clients === 2, { what: 'total_clients 2' })
  const d = await member(server, 'full')
  t.defer(() => d.terminate())
  check((await rejected(server, 'room_full')) >= 2, `room_full counter ${await rejected(server, 'room_full')}`)
})

test('max-rooms reached → permission denied + close 1013 "server full (max-rooms N)"', async (t) => {
  const server = await t.server({ args: ['--max-rooms', '2'] })
  const a = await member(server, 'r1')
  const b = await member(server, 'r2')
  for (const c of [a, b]) t.defer(() => c.terminate())
  const c = await rawClient(`${server.ws}/r3`, { open: false })
  const reason = 'server full (max-rooms 2)'
  const auth = await c.next('auth')
  checkEqual([auth.sub, auth.reason], [0, reason], 'permission-denied frame')
  await expectClose(c, 1013, reason, 'client of a third room')
  // seed client: error text then 1013
  const s = await rawClient(`${server.ws}/ws`)
  s.send(JSON.stringify({ action: 'join', room: 'r3' }))
  const e = await s.next('text')
  checkEqual(JSON.parse(e), { error: reason }, 'seed error frame')
  await expectClose(s, 1013, reason, 'seed client of a third room')
  // existing rooms still take members
  const a2 = await member(server, 'r1')
  t.defer(() => a2.terminate())
  const r = await httpGet(`${server.http}/stats`)
  checkEqual([r.json().rooms, r.json().max_rooms], [2, 2], '/stats rooms, max_rooms')
  check((await rejected(server, 'max_rooms')) >= 2, `max_rooms counter ${await rejected(server, 'max_rooms')}`)
})

test('malformed frames → close 1002 "malformed message: ..."; the room stays intact', async (t) => {
  const server = await t.server()
  const ctx = await roomWithContent(t, server, 'mal')
  const frames = {
    'unknown type 9': [9],
    'unknown type 200 (two-byte varuint)': [0xc8, 0x01],
    'empty frame': [],
    'truncated sync': [0],
    'unknown sync subtype': [0, 9, 0],
    'sync update with a length past the end': [0, 2, 50, 1, 2],
    'truncated varuint': [0x80]
  }
  let n = 0
  for (const [what, bytes] of Object.entries(frames)) {
    const c = await member(server, 'mal')
    c.send(new Uint8Array(bytes))
    await expectClose(c, 1002, /^malformed message: ./, what)
    n++
  }
  await checkRoomIntact(server, 'mal', ctx, 'malformed frames')
  await waitFor(async () => (await rejected(server, 'malformed')) >= n, { what: `malformed counter ≥ ${n}` })
  check(/\[warn|\[warning/.test(server.stderr()) && /malformed/.test(server.stderr()), 'no warning about the malformed frames logged')
}, { timeout: 20000 })

test('malformed updates → close 1007 "malformed update: ..."; the room is unchanged', async (t) => {
  const server = await t.server()
  const ctx = await roomWithContent(t, server, 'badupd')
  const src = new Y.Doc()
  src.clientID = 5201
  const ups = []
  src.on('update', (u) => ups.push(u))
  src.getText('text').insert(0, 'this must never appear in the room')
  const real = ups[0]
  const cases = {
    'truncated real update': real.subarray(0, Math.floor(real.length / 2)),
    'garbage bytes': new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]),
    'struct with an unknown content ref': (() => {
      const e = encoding.createEncoder()
      encoding.writeVarUint(e, 1) // one client
      encoding.writeVarUint(e, 1) // one struct
      encoding.writeVarUint(e, 5201)
      encoding.writeVarUint(e, 0)
      encoding.writeUint8(e, 0x1f) // unknown content ref
      return encoding.toUint8Array(e)
    })()
  }
  for (const [what, update] of Object.entries(cases)) {
    const watcher = await member(server, 'badupd')
    const c = await member(server, 'badupd')
    c.send(syncUpdate(update))
    await expectClose(c, 1007, /^malformed update: ./, what)
    // nothing was relayed to the watcher: its next update is our marker
    const marker = new Y.Doc()
    marker.clientID = 5300 + Object.keys(cases).indexOf(what)
    const mu = []
    marker.on('update', (u) => mu.push(u))
    marker.getArray('markers').push([what])
    watcher.send(syncUpdate(mu[0]))
    const m = await watcher.next('sync:update')
    check(bytesEqual(m.payload, mu[0]), `${what}: a member received ${Buffer.from(m.payload).toString('hex')} before the marker`)
    watcher.close()
  }
  // the markers are in the room now; the content before them is unchanged
  const r = (await httpGet(`${server.http}/rooms/badupd`)).json()
  const before = JSON.parse(ctx.before)
  checkEqual(r.text, before.text, 'text after malformed updates')
  checkEqual(r.map, before.map, 'map after malformed updates')
  check(!JSON.stringify(r).includes('never appear'), 'malformed update content reached the room')
  ctx.before = JSON.stringify(r)
  await waitConverged([ctx.a, ctx.b], { expected: ctx.before })
  await checkRoomIntact(server, 'badupd', ctx, 'malformed updates')
}, { timeout: 20000 })

test('malformed awareness → close 1007 "malformed awareness update: ..."', async (t) => {
  const server = await t.server()
  const ctx = await roomWithContent(t, server, 'badaw')
  const cases = {
    'entry count but no entries': new Uint8Array([1, 3]),
    'truncated string': new Uint8Array([1, 77, 1, 10, 0x7b])
  }
  for (const [what, payload] of Object.entries(cases)) {
    const c = await member(server, 'badaw')
    c.send(awarenessMsg(payload))
    await expectClose(c, 1007, /^malformed awareness update: ./, what)
  }
  check(!ctx.a.awareness.getStates().has(77), 'a malformed awareness state reached a client')
  await checkRoomIntact(server, 'badaw', ctx, 'malformed awareness')
})

test('awareness state that is not JSON → close 1007, never relayed (y-protocols clients throw on it)', async (t) => {
  const server = await t.server()
  const ctx = await roomWithContent(t, server, 'badjson')
  const watcher = await member(server, 'badjson')
  t.defer(() => watcher.terminate())
  for (const [i, text] of ['{not json', '', '{"a":1', 'undefined', '{"a":1}x'].entries()) {
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, 1)
    encoding.writeVarUint(e, 80 + i)
    encoding.writeVarUint(e, 1)
    encoding.writeVarString(e, text)
    const c = await member(server, 'badjson')
    c.send(awarenessMsg(encoding.toUint8Array(e)))
    await expectClose(c, 1007, /^malformed awareness update: ./, `awareness state ${JSON.stringify(text)}`)
  }
  const marker = awarenessMsg([{ clientID: 90, clock: 1, state: { ok: true } }])
  watcher.send(marker)
  const m = await watcher.next('awareness')
  check(bytesEqual(m.raw, marker), `a member received ${JSON.stringify(m.entries)} before the marker`)
  await checkRoomIntact(server, 'badjson', ctx, 'awareness state not JSON')
})

test('seeded random frames: every close is 1002/1007 with a reason, the server survives, the room is intact', async (t) => {
  const server = await t.server()
  const ctx = await roomWithContent(t, server, 'fuzz')
  const prng = makePrng(4242)
  const codes = {}
  let c = null
  for (let i = 0; i < 300; i++) {
    if (!c || c.closeInfo) c = await member(server, 'fuzz')
    const len = prng.int(prng.bool(0.8) ? 12 : 200)
    const bytes = new Uint8Array(len)
    for (let k = 0; k < len; k++) bytes[k] = prng.int(256)
    if (len > 0 && prng.bool(0.7)) bytes[0] = prng.int(5) // mostly known outer types
    if (len > 1 && bytes[0] === 0 && prng.bool(0.7)) bytes[1] = prng.int(3)
    if (len > 0 && bytes[0] === 4) bytes[0] = 9 // no custom on y-websocket paths: it would be relayed
    c.send(bytes)
    // settle: a round trip on the same connection, or its close
    c.send(syncStep1(new Uint8Array([0])))
    const r = await Promise.race([c.next('sync:step2').then(() => null), c.waitClosed()])
    if (r) {
      codes[r.code] = (codes[r.code] ?? 0) + 1
      check([1002, 1007].includes(r.code) && r.reason.length > 0, `frame ${Buffer.from(bytes).toString('hex')} → close ${JSON.stringify(r)}`)
    }
  }
  t.log(`closes by code: ${JSON.stringify(codes)}`)
  if (c && !c.closeInfo) c.terminate()
  const r = (await httpGet(`${server.http}/rooms/fuzz`)).json()
  const before = JSON.parse(ctx.before)
  checkEqual([r.text, r.map], [before.text, before.map], 'text and map after random frames')
  ctx.before = JSON.stringify(r)
  await waitConverged([ctx.a, ctx.b], { expected: ctx.before })
  await checkRoomIntact(server, 'fuzz', ctx, 'random frames')
}, { timeout: 60000 })

test('text frame on a y-websocket connection → close 1003 "text frames are not supported"', async (t) => {
  const server = await t.server()
  const ctx = await roomWithContent(t, server, 'txt')
  const c = await member(server, 'txt')
  c.send('{"action":"join","room":"txt"}')
  await expectClose(c, 1003, 'text frames are not supported', 'text frame')
  await checkRoomIntact(server, 'txt', ctx, 'text frame')
})

test('invalid room names on y-websocket paths → close 1008 "invalid room name: ..."', async (t) => {
  const server = await t.server()
  const paths = {
    'empty name': '/',
    'bad percent-encoding': '/%ZZroom',
    'truncated percent-encoding': '/room%4',
    'control character': '/bad%01name',
    'DEL': '/bad%7Fname',
    'invalid UTF-8': '/bad%FF%FEname',
    'overlong name (257 bytes)': '/' + 'a'.repeat(257)
  }
  for (const [what, p] of Object.entries(paths)) {
    const c = await rawClient(`${server.ws}${p}`, { open: false })
    await expectClose(c, 1008, /^invalid room name: ./, what)
  }
  // the longest valid name works
  const ok = await member(server, 'a'.repeat(256))
  ok.terminate()
  await waitFor(async () => (await rejected(server, 'invalid_room')) >= Object.keys(paths).length, {
    what: 'invalid_room counter',
    describe: async () => `value ${await rejected(server, 'invalid_room')}`
  })
})

test('auth messages from a client never break the connection', async (t) => {
  const server = await t.server()
  const c = await member(server, 'auth')
  t.defer(() => c.terminate())
  c.send(authMsg('some-token'))
  c.send(authMsg('', 1))
  c.send(syncStep1())
  await c.next('sync:step2')
  check(c.closeInfo === null, `closed: ${JSON.stringify(c.closeInfo)}`)
  check(/auth/i.test(server.stderr()), 'the auth message was not logged')
})

test('a bare auth frame [2] (no subtype) does not break the connection either', async (t) => {
  // issue 3: "AUTH (type 2) from a client is accepted and logged; it must never break a connection"
  const server = await t.server()
  const c = await member(server, 'auth-bare')
  t.defer(() => c.terminate())
  c.send(new Uint8Array([2]))
  c.send(syncStep1())
  await c.next('sync:step2')
  check(c.closeInfo === null, `closed: ${JSON.stringify(c.closeInfo)}`)
})

await run()
