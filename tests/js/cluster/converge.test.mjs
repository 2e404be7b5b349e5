// Cluster (issue 5): 3 zeal-crdt-server nodes on loopback (two started with --config, one with CLI
// flags). y-websocket clients on node 1, 2 and 3 in the same room make seeded random concurrent edits and
// converge; GET /rooms/<room>(/update) on every node (forwarded to the owner) equals the clients' document;
// GET /cluster on every node lists the 3 members and exactly one node, the placement's owner, holds the
// room. Rooms written with POST /rooms/<r>/update on one node are read on every other node. Measures the
// cross-node latency of an edit (client on n1 → clients on n2 and n3).
//   node cluster/converge.test.mjs <zeal-crdt-server> [--filter RE] [--verbose]
import { run, check, checkEqual } from '../lib/runner.mjs'
import { normalizeSurrogates, waitConverged } from '../lib/clients.mjs'
import { httpGet, waitFor } from '../lib/server.mjs'
import { renderDoc } from '../lib/render.mjs'
import { makePrng, randomEdit } from '../lib/session.mjs'
import { docFromUpdate } from '../lib/storage.mjs'
import * as Y from 'yjs'
import { clusterClient, clusterJson, clusterStats, clusterTest, grepLogs, rankNodes, roomText, serverDoc, sleep } from '../lib/cluster.mjs'

const tick = () => new Promise((resolve) => setImmediate(resolve))

clusterTest('3 nodes: clients on n1, n2, n3 converge on seeded random edits; GET /rooms equal on every node; one owner in /cluster', async (t, ctx) => {
  const cl = await ctx.start({ flagsFor: [2] })
  // /cluster before any room: every node lists the 3 members alive, sorted by id, itself marked
  for (const nd of cl.nodes) {
    const j = await clusterJson(nd)
    checkEqual(j.node_id, nd.id, `${nd.id}: /cluster node_id`)
    check(Number.isInteger(j.epoch) && j.epoch >= 1, `${nd.id}: /cluster epoch ${j.epoch}`)
    checkEqual(
      j.members.map((m) => [m.id, m.address, m.state, m.self]),
      cl.nodes.map((x) => [x.id, x.address, 'alive', x === nd]),
      `${nd.id}: /cluster members [id, address, state, self]`
    )
    checkEqual(j.peers, [], `${nd.id}: /cluster peers (every seed is a live member)`)
    checkEqual([j.rooms_owned, j.rooms], [0, []], `${nd.id}: /cluster rooms_owned, rooms before any client`)
  }

  const room = 'cluster converge/ü'
  const clients = cl.nodes.map((nd, i) => clusterClient(nd, room, { clientID: 1001 + i, label: `client on ${nd.id}` }))
  for (const c of clients) ctx.defer(() => c.destroy())
  await Promise.all(clients.map((c) => c.waitSynced()))
  const prng = makePrng(5001)
  for (let r = 0; r < 40; r++) {
    for (const c of clients) {
      randomEdit(prng, c.doc)
      if (prng.bool(0.3)) c.doc.getText('text').insert(0, `r${r}c${c.doc.clientID} `)
      if (prng.bool(0.5)) await tick()
    }
    if (prng.bool(0.7)) await sleep(prng.int(4))
  }
  const final = await waitConverged(clients, { timeout: 20000 })
  const obj = JSON.parse(final)
  check(obj.text?.length > 0 && Object.keys(obj).length >= 2, `little content after 120 edits: ${final}`)
  for (const c of clients) check(c.disconnectsSince(0).length === 0, () => `${c.label} lost its connection: ${JSON.stringify(c.events)}`)

  // every node answers GET /rooms/<room> (forwarded to the owner) with the same document
  for (const nd of cl.nodes) {
    await waitFor(async () => normalizeSurrogates((await roomText(nd, room)).text) === final, {
      timeout: 5000,
      what: `GET /rooms on ${nd.id} = the clients' document`,
      describe: async () => `  got ${JSON.stringify(await roomText(nd, room)).slice(0, 400)}\n  want ${final.slice(0, 400)}`
    })
    const d = await serverDoc(nd, room)
    checkEqual(normalizeSurrogates(renderDoc(d)), final, `GET /rooms/<room>/update on ${nd.id} applied to a fresh Y.Doc`)
    check(Buffer.compare(Buffer.from(Y.encodeStateVector(d)), Buffer.from(Y.encodeStateVector(clients[0].doc))) === 0, `${nd.id}: state vector of GET /rooms/<room>/update differs from the clients'`)
    d.destroy()
  }

  // exactly one node holds the room: the placement's owner (rank 1), with rooms_owned 1
  const expectOwner = rankNodes(room, cl.ids)[0]
  const holders = []
  for (const nd of cl.nodes) {
    const j = await clusterJson(nd)
    checkEqual(j.members.filter((m) => m.state === 'alive').length, 3, `${nd.id}: alive members`)
    if (j.rooms.includes(room)) holders.push(nd.id)
    checkEqual(j.rooms_owned, j.rooms.includes(room) ? 1 : 0, `${nd.id}: rooms_owned (rooms ${JSON.stringify(j.rooms)})`)
  }
  checkEqual(holders, [expectOwner], `nodes listing ${room} in /cluster "rooms" (placement says ${expectOwner})`)
  // /stats "cluster": the owner replicated every update, the others looked the room up remotely
  for (const nd of cl.nodes) {
    const st = await clusterStats(nd)
    checkEqual([st.enabled, st.node_id, st.members, st.replication_failures_total], [true, nd.id, 3, 0], `${nd.id}: /stats cluster enabled, node_id, members, replication_failures_total`)
    if (nd.id === expectOwner) check(st.replication_appends_total > 0, () => `${nd.id} (owner): replication_appends_total ${st.replication_appends_total}: ${JSON.stringify(st)}`)
    else check(st.remote_lookups_total >= 1, () => `${nd.id}: remote_lookups_total ${st.remote_lookups_total} for a room owned by ${expectOwner}: ${JSON.stringify(st)}`)
  }

  // cross-node latency: an edit on n1 until the clients on n2 and n3 have it
  const lat = []
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now()
    clients[0].doc.getMap('ping').set('i', i)
    await waitFor(() => clients[1].doc.getMap('ping').get('i') === i && clients[2].doc.getMap('ping').get('i') === i, { timeout: 5000, interval: 1, what: `ping ${i} on n2 and n3` })
    lat.push(performance.now() - t0)
  }
  lat.sort((a, b) => a - b)
  console.log(`  cross-node latency (edit on n1 → seen on n2 and n3, room on ${expectOwner}), 20 samples: median ${lat[10].toFixed(1)} ms, max ${lat[19].toFixed(1)} ms`)
}, { timeout: 60000 })

clusterTest('rooms written with POST /rooms/<r>/update on one node are read with GET on every node; each on its placement owner', async (t, ctx) => {
  const cl = await ctx.start()
  const rooms = Array.from({ length: 12 }, (_, i) => `posted-${i}`)
  const expected = new Map()
  for (const [i, r] of rooms.entries()) {
    const d = new Y.Doc()
    d.clientID = 7000 + i
    d.getText('text').insert(0, `content of ${r}`)
    d.getMap('map').set('i', i)
    expected.set(r, renderDoc(d))
    const via = cl.nodes[i % 3]
    const p = await httpGet(`${via.http}/rooms/${encodeURIComponent(r)}/update`, { method: 'POST', body: Y.encodeStateAsUpdate(d) })
    checkEqual([p.status, p.text], [200, '{"ok":true}'], `POST /rooms/${r}/update on ${via.id}`)
    d.destroy()
  }
  for (const r of rooms) {
    for (const nd of cl.nodes) {
      const g = await roomText(nd, r)
      checkEqual([g.status, g.text], [200, expected.get(r)], `GET /rooms/${r} on ${nd.id}`)
      const u = await httpGet(`${nd.http}/rooms/${encodeURIComponent(r)}/update`)
      checkEqual(u.status, 200, `GET /rooms/${r}/update on ${nd.id}`)
      checkEqual(renderDoc(docFromUpdate(u.bytes)), expected.get(r), `GET /rooms/${r}/update on ${nd.id} applied`)
    }
  }
  const held = new Map()
  for (const nd of cl.nodes) for (const r of (await clusterJson(nd)).rooms) held.set(r, [...(held.get(r) ?? []), nd.id])
  for (const r of rooms) checkEqual(held.get(r) ?? [], [rankNodes(r, cl.ids)[0]], `nodes holding ${r}`)
  check(new Set(rooms.map((r) => rankNodes(r, cl.ids)[0])).size === 3, 'the 12 rooms do not spread over the 3 nodes (placement)')
  for (const nd of cl.nodes) checkEqual((await httpGet(`${nd.http}/rooms/never-written`)).status, 404, `GET /rooms/never-written on ${nd.id}`)
}, { timeout: 40000 })

clusterTest('a fourth process with a member\'s node id is refused ("duplicate node id"); the 3 members stay as they are', async (t, ctx) => {
  const cl = await ctx.start()
  const before = await Promise.all(cl.nodes.map((nd) => clusterJson(nd)))
  const dup = await cl.addNode('n2')
  await dup.server.waitForLog(/duplicate node id n2/, 10000)
  await waitFor(() => cl.nodes.some((nd) => /\[error\].*duplicate node id n2/.test(nd.stderr())), {
    timeout: 10000,
    what: 'a "duplicate node id n2" line at error level on a member',
    describe: () => grepLogs(cl, /duplicate/).join('\n')
  })
  check(/\[error\].*duplicate node id n2/.test(dup.stderr()), () => `the duplicate's "duplicate node id" line is not at error level:\n${grepLogs(cl, /duplicate/).join('\n')}`)
  await sleep(500)
  for (const [i, nd] of cl.nodes.entries()) {
    const j = await clusterJson(nd)
    checkEqual(
      j.members.map((m) => [m.id, m.address, m.state]),
      before[i].members.map((m) => [m.id, m.address, m.state]),
      `${nd.id}: /cluster members after the duplicate tried to join`
    )
  }
  const dj = await clusterJson(dup)
  checkEqual(dj.members.filter((m) => m.state === 'alive').map((m) => m.id), ['n2'], 'the duplicate\'s own /cluster members (alone)')
}, { timeout: 40000 })

await run()
