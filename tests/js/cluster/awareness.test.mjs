// Cluster (issue 5): awareness across nodes. The room lives on n3; a y-websocket client on n1 sets its
// awareness state, clients on n2 and n3 see it (and its updates); a late joiner on n2 gets every state
// with its join; the state is removed everywhere when the client disconnects (null state) and when a raw
// connection on n1 goes away without one (the room removes its client ids).
//   node cluster/awareness.test.mjs <zeal-crdt-server> [--filter RE] [--verbose]
import { run, checkEqual } from '../lib/runner.mjs'
import { rawClient } from '../lib/clients.mjs'
import { waitFor } from '../lib/server.mjs'
import { awarenessMsg } from '../lib/proto.mjs'
import { clusterClient, clusterTest, rankNodes, roomRankedAs } from '../lib/cluster.mjs'

const states = (c) => Object.fromEntries([...c.awareness.getStates()].map(([id, s]) => [id, s]))
const hasState = (c, id, pred = () => true) => c.awareness.getStates().has(id) && pred(c.awareness.getStates().get(id))
const describe = (cs) => () => cs.map((c) => `  ${c.label}: ${JSON.stringify(states(c))}`).join('\n')

clusterTest('awareness set on n1 reaches clients on n2 and n3 (room on n3); removal on disconnect and on a dropped socket crosses nodes', async (t, ctx) => {
  const cl = await ctx.start()
  const [n1, n2, n3] = cl.nodes
  const room = roomRankedAs('aw-room-', cl.ids, ['n3'])
  checkEqual(rankNodes(room, cl.ids)[0], 'n3', 'placement of the room')
  const a = clusterClient(n1, room, { clientID: 2001, label: 'alice on n1' })
  const b = clusterClient(n2, room, { clientID: 2002, label: 'bob on n2' })
  const c = clusterClient(n3, room, { clientID: 2003, label: 'carol on n3' })
  for (const x of [a, b, c]) ctx.defer(() => x.destroy())
  a.awareness.setLocalState({ user: 'alice', cursor: 1 })
  await Promise.all([a, b, c].map((x) => x.waitSynced()))
  const owner = await cl.waitOwner(room)
  checkEqual(owner.id, 'n3', '/cluster: node holding the room')

  await waitFor(() => hasState(b, 2001, (s) => s.user === 'alice') && hasState(c, 2001, (s) => s.user === 'alice'), { what: 'bob (n2) and carol (n3) see alice (n1)', describe: describe([a, b, c]) })
  b.awareness.setLocalState({ user: 'bob' })
  await waitFor(() => hasState(a, 2002, (s) => s.user === 'bob') && hasState(c, 2002, (s) => s.user === 'bob'), { what: 'alice and carol see bob (n2)', describe: describe([a, b, c]) })
  const t0 = performance.now()
  a.awareness.setLocalStateField('cursor', 42)
  await waitFor(() => hasState(b, 2001, (s) => s.cursor === 42) && hasState(c, 2001, (s) => s.cursor === 42), { interval: 1, what: 'bob and carol see alice\'s cursor 42', describe: describe([a, b, c]) })
  console.log(`  awareness update n1 → n2 and n3: ${(performance.now() - t0).toFixed(1)} ms`)

  // a late joiner on n2 gets both states with its join
  const d = clusterClient(n2, room, { clientID: 2004, label: 'dave on n2 (late)' })
  ctx.defer(() => d.destroy())
  d.awareness.setLocalState({ user: 'dave' }) // (a provider's initial {} has clock 0: y-protocols peers ignore it)
  await waitFor(() => hasState(d, 2001, (s) => s.cursor === 42) && hasState(d, 2002, (s) => s.user === 'bob'), { what: 'the late joiner on n2 sees alice and bob', describe: describe([d]) })

  // provider.disconnect() on n1 sends a null state: everyone on n2 and n3 drops alice
  a.provider.disconnect()
  await waitFor(() => !hasState(b, 2001) && !hasState(c, 2001) && !hasState(d, 2001), { what: 'alice removed on n2 and n3 after her disconnect', describe: describe([b, c, d]) })

  // a raw connection on n1 with two client ids goes away without a null state
  const r = await rawClient(`${n1.ws}/${encodeURIComponent(room)}`)
  ctx.defer(() => r.terminate())
  r.send(awarenessMsg([{ clientID: 777, clock: 1, state: { user: 'raw' } }]))
  r.send(awarenessMsg([{ clientID: 778, clock: 3, state: { user: 'raw2' } }]))
  await waitFor(() => [b, c, d].every((x) => hasState(x, 777) && hasState(x, 778)), { what: 'clients on n2 and n3 see 777 and 778 (from n1)', describe: describe([b, c, d]) })
  r.terminate()
  await waitFor(() => [b, c, d].every((x) => !hasState(x, 777) && !hasState(x, 778)), { what: 'clients on n2 and n3 drop 777/778 after the n1 socket died', describe: describe([b, c, d]) })

  // and a client on the owner node leaving is seen on the others
  c.awareness.setLocalState({ user: 'carol' })
  await waitFor(() => hasState(b, 2003, (s) => s.user === 'carol') && hasState(d, 2003, (s) => s.user === 'carol'), { what: 'bob and dave (n2) see carol (n3)', describe: describe([b, d]) })
  c.provider.disconnect()
  await waitFor(() => !hasState(b, 2003) && !hasState(d, 2003), { what: 'carol (n3) removed on n2', describe: describe([b, d]) })
  checkEqual(Object.keys(states(b)).sort(), ['2002', '2004'], 'states bob (n2) has in the end')
  for (const x of [b, d]) checkEqual(x.disconnectsSince(0), [], `${x.label}: disconnects`)
}, { timeout: 40000 })

await run()
