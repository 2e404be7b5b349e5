// Awareness through zeal-crdt-server: states appear for the others, joiners get all current states,
// states of a closed connection are removed (null states broadcast), query awareness answers all states.
//   node server/awareness.test.mjs <zeal-crdt-server> [--filter RE] [--verbose]
import { test, run, check, checkEqual } from '../lib/runner.mjs'
import { providerClient, rawClient } from '../lib/clients.mjs'
import { waitFor } from '../lib/server.mjs'
import { awarenessMsg, queryAwareness } from '../lib/proto.mjs'
import { bytesEqual } from '../lib/render.mjs'

const states = (c) => Object.fromEntries([...c.awareness.getStates()].map(([id, s]) => [id, s]))
const hasState = (c, id, pred = () => true) => c.awareness.getStates().has(id) && pred(c.awareness.getStates().get(id))

test('provider awareness states appear for the others and follow updates', async (t) => {
  const server = await t.server()
  const a = providerClient(server.ws, 'aw', { clientID: 1001 })
  const b = providerClient(server.ws, 'aw', { clientID: 1002 })
  for (const c of [a, b]) t.defer(() => c.destroy())
  a.awareness.setLocalState({ user: 'alice', cursor: 1 })
  await Promise.all([a.waitSynced(), b.waitSynced()])
  b.awareness.setLocalStateField('user', 'bob')
  await waitFor(() => hasState(b, 1001, (s) => s.user === 'alice'), { what: 'b sees alice', describe: () => JSON.stringify(states(b)) })
  await waitFor(() => hasState(a, 1002, (s) => s.user === 'bob'), { what: 'a sees bob', describe: () => JSON.stringify(states(a)) })
  a.awareness.setLocalStateField('cursor', 42)
  await waitFor(() => hasState(b, 1001, (s) => s.cursor === 42), { what: 'b sees alice cursor 42', describe: () => JSON.stringify(states(b)) })
  // a third client joining later gets both states with the join
  const c = providerClient(server.ws, 'aw', { clientID: 1003 })
  t.defer(() => c.destroy())
  await waitFor(() => hasState(c, 1001, (s) => s.cursor === 42) && hasState(c, 1002, (s) => s.user === 'bob'), {
    what: 'late joiner sees alice and bob',
    describe: () => JSON.stringify(states(c))
  })
  // provider.disconnect() sends a null state itself; the others drop it
  a.provider.disconnect()
  await waitFor(() => !hasState(b, 1001) && !hasState(c, 1001), { what: 'alice removed after disconnect', describe: () => JSON.stringify([states(b), states(c)]) })
})

test('a connection that goes away without a null state: its client ids are removed for the others', async (t) => {
  const server = await t.server()
  const observer = providerClient(server.ws, 'aw-drop', { clientID: 2001 })
  t.defer(() => observer.destroy())
  await observer.waitSynced()
  const watcher = await rawClient(`${server.ws}/aw-drop`)
  t.defer(() => watcher.terminate())
  // one raw connection controls two client ids
  const r = await rawClient(`${server.ws}/aw-drop`)
  r.send(awarenessMsg([{ clientID: 777, clock: 1, state: { user: 'raw' } }]))
  r.send(awarenessMsg([{ clientID: 778, clock: 3, state: { user: 'raw2' } }]))
  await waitFor(() => hasState(observer, 777) && hasState(observer, 778), { what: 'observer sees 777 and 778', describe: () => JSON.stringify(states(observer)) })
  r.terminate() // TCP gone, no close frame, no null state
  await waitFor(() => !hasState(observer, 777) && !hasState(observer, 778), {
    what: 'observer drops 777/778 after the connection died',
    describe: () => JSON.stringify(states(observer))
  })
  // the raw watcher saw a removal frame: null states for both ids
  const removal = await watcher.next((m) => m.type === 'awareness' && m.entries.some((e) => e.state === null))
  const removed = removal.entries.filter((e) => e.state === null).map((e) => e.clientID).sort()
  checkEqual(removed, [777, 778], 'client ids in the removal frame')
  // y-protocols accepts a null state with the same clock (the reference server sends exactly that)
  for (const e of removal.entries) {
    if (e.clientID === 777) check(e.clock >= 1, `removal clock for 777 is ${e.clock}, want ≥ 1`)
    if (e.clientID === 778) check(e.clock >= 3, `removal clock for 778 is ${e.clock}, want ≥ 3`)
  }
  // also after a clean close
  const r2 = await rawClient(`${server.ws}/aw-drop`)
  r2.send(awarenessMsg([{ clientID: 779, clock: 1, state: { user: 'raw3' } }]))
  await waitFor(() => hasState(observer, 779), { what: 'observer sees 779' })
  r2.close(1000, 'bye')
  await waitFor(() => !hasState(observer, 779), { what: 'observer drops 779 after a clean close', describe: () => JSON.stringify(states(observer)) })
})

test('awareness frames are relayed unchanged to every member, the sender included', async (t) => {
  const server = await t.server()
  const a = await rawClient(`${server.ws}/aw-relay`)
  const b = await rawClient(`${server.ws}/aw-relay`)
  for (const c of [a, b]) t.defer(() => c.terminate())
  const frame = awarenessMsg([{ clientID: 31, clock: 5, state: { name: 'x', n: [1, 2] } }])
  a.send(frame)
  for (const c of [a, b]) {
    const m = await c.next('awareness')
    check(bytesEqual(m.raw, frame), `relayed awareness frame differs: ${Buffer.from(m.raw).toString('hex')} vs ${Buffer.from(frame).toString('hex')}`)
  }
  // an outdated clock changes nothing and is not relayed: the next relay is the newer one
  a.send(awarenessMsg([{ clientID: 31, clock: 4, state: { name: 'old' } }]))
  const newer = awarenessMsg([{ clientID: 31, clock: 6, state: { name: 'y' } }])
  a.send(newer)
  for (const c of [a, b]) {
    const m = await c.next('awareness')
    check(bytesEqual(m.raw, newer), `after an outdated clock: want the clock-6 frame next, got ${JSON.stringify(m.entries)}`)
  }
  // a joiner gets one awareness frame with all states after SyncStep1
  const j = await rawClient(`${server.ws}/aw-relay`)
  t.defer(() => j.terminate())
  const first = await j.next()
  checkEqual(`${first.type}:${first.sub}`, 'sync:step1', 'first frame for a joiner')
  const second = await j.next()
  checkEqual(second.type, 'awareness', `second frame for a joiner (${j.log()})`)
  checkEqual(second.entries.map((e) => [e.clientID, e.clock, e.state]), [[31, 6, { name: 'y' }]], 'joiner awareness')
}, { zealOnly: true })

test('query awareness [3] is answered with all states', async (t) => {
  const server = await t.server()
  const a = providerClient(server.ws, 'aw-query', { clientID: 3001 })
  const b = providerClient(server.ws, 'aw-query', { clientID: 3002 })
  for (const c of [a, b]) t.defer(() => c.destroy())
  a.awareness.setLocalState({ user: 'a' })
  b.awareness.setLocalState({ user: 'b' })
  await Promise.all([a.waitSynced(), b.waitSynced()])
  await waitFor(() => hasState(a, 3002) && hasState(b, 3001), { what: 'a and b see each other' })
  const o = await rawClient(`${server.ws}/aw-query`)
  t.defer(() => o.terminate())
  await o.next('sync:step1')
  await o.next('awareness')
  const q = await rawClient(`${server.ws}/aw-query`)
  t.defer(() => q.terminate())
  await q.next('sync:step1')
  await q.next('awareness') // the join's state frame
  q.send(queryAwareness())
  const m = await q.next('awareness')
  const got = Object.fromEntries(m.entries.map((e) => [e.clientID, e.state]))
  checkEqual(got, { 3001: { user: 'a' }, 3002: { user: 'b' } }, 'query awareness answer')
  // the answer goes to the asker only: the next awareness frame another member gets is q's marker
  const marker = awarenessMsg([{ clientID: 99, clock: 1, state: { marker: true } }])
  q.send(marker)
  const om = await o.next('awareness')
  check(bytesEqual(om.raw, marker), `another member got ${JSON.stringify(om.entries)} before the marker (query answer leaked?)`)
  // an empty room answers with an empty awareness frame (or all states = none)
  const e = await rawClient(`${server.ws}/aw-query-empty`)
  t.defer(() => e.terminate())
  await e.next('sync:step1')
  e.send(queryAwareness())
  const em = await e.next('awareness')
  checkEqual(em.entries, [], 'query awareness in an empty room')
}, { zealOnly: true })

await run()
