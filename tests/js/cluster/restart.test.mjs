// Cluster (issue 5): a killed owner restarts with the same data dir and ports and rejoins: GET /cluster
// shows 3 members again on every node, its rooms move back to it (it holds them again per /cluster),
// nothing is lost (what the interim owner stored reaches the restarted node by handoff), and the clients on
// the other nodes edit throughout (kill, interim owner, restart, handback) on the same WebSocket. The
// client of the restarted node reconnects by itself (same URL). A raw writer that never re-uploads writes
// a second room only while the interim owner serves it: after the handback the restarted node must hold
// every update echoed to it.
//   node cluster/restart.test.mjs <zeal-crdt-server> [--filter RE] [--verbose]
import * as Y from 'yjs'
import { run, check, checkEqual } from '../lib/runner.mjs'
import { normalizeSurrogates, waitConverged } from '../lib/clients.mjs'
import { renderDoc } from '../lib/render.mjs'
import { makePrng } from '../lib/session.mjs'
import { errorLines } from '../lib/storage.mjs'
import {
  clientsOnEveryNode,
  clusterClient,
  clusterJson,
  clusterStats,
  clusterTest,
  editLoops,
  grepLogs,
  missingFrom,
  rankNodes,
  rawObserver,
  rawWriter,
  roomRankedAs,
  roomText,
  serverDoc,
  sleep,
  snapshotDoc
} from '../lib/cluster.mjs'

clusterTest('restart of a killed owner: it rejoins, its rooms move back to it without loss, the other clients edit throughout without disconnects', async (t, ctx) => {
  const cl = await ctx.start({ args: ['--compact-log-entries', '200', '--snapshot-idle-seconds', '1'] })
  const room = 'restart-doc'
  const { ranked: [ownerId, replicaId], clients, owner, onOwner, onOthers: onLive, wsBefore } = await clientsOnEveryNode(ctx, cl, room, 4001)
  const interim = cl.node(replicaId)

  const tLoad = Date.now()
  const loops = editLoops(clients, clients.map((_, i) => makePrng(7001 + i)), { intervalMs: 50 })
  ctx.defer(() => loops.stop())
  await sleep(1000)
  const preKill = clients.map((c) => ({ label: c.label, ...snapshotDoc(c.doc) }))
  const tKill = Date.now()
  await owner.kill()
  await cl.waitOwner(room, { want: interim, timeout: 5000, interval: 10 })
  const failoverMs = Date.now() - tKill

  // a second room of the same owner, written only while the interim owner serves it
  const rawRoom = roomRankedAs('restart-raw-', cl.ids, [owner.id, interim.id])
  const other = cl.nodes.find((nd) => nd !== owner && nd !== interim)
  const writer = await rawWriter(other, rawRoom, 4101)
  const observer = await rawObserver(interim, rawRoom)
  ctx.defer(() => writer.close())
  ctx.defer(() => observer.close())
  for (let i = 0; i < 40; i++) {
    writer.edit()
    await sleep(10)
  }
  await writer.waitEchoed()
  const echoed = writer.echoed()
  checkEqual(echoed.length, 40, 'echoes of the raw writer while the interim owner serves')
  await sleep(500)
  const preRestart = onLive.map((c) => ({ label: c.label, ...snapshotDoc(c.doc) }))

  // restart on the same ports and data dir
  const tRestart = Date.now()
  await owner.start()
  await cl.waitMembers(cl.ids, { timeout: 15000 })
  const rejoinMs = Date.now() - tRestart
  await cl.waitOwner(room, { want: owner, timeout: 15000, interval: 20 })
  const handbackMs = Date.now() - tRestart
  await cl.waitOwner(rawRoom, { want: owner, timeout: 15000 })
  // the restarted node has everything echoed to the raw writer (it was down while these were written)
  const rd = await serverDoc(owner, rawRoom)
  const missEcho = missingFrom(rd, Y.mergeUpdates(echoed))
  check(missEcho === null, () => `${rawRoom} on the restarted ${owner.id} lacks updates the interim owner ${interim.id} had echoed: ${missEcho}`)
  checkEqual(renderDoc(rd), renderDoc(writer.doc), `${rawRoom}: the restarted node's document vs the raw writer's`)
  rd.destroy()
  check(observer.conn.closeInfo === null && writer.conn.closeInfo === null, `raw clients closed by the handback: ${JSON.stringify([observer.conn.closeInfo, writer.conn.closeInfo])}`)

  // the restarted node's client reconnected by itself (its provider kept retrying the same URL)
  await onOwner.waitSynced(15000)
  await sleep(1000)
  loops.stop()
  const final = await waitConverged(clients, { timeout: 20000 })

  onLive.forEach((c, i) => {
    const lost = c.disconnectsSince(tLoad)
    check(lost.length === 0, () => `${c.label}: WebSocket lost (kill at +${tKill - tLoad} ms, restart at +${tRestart - tLoad} ms): ${JSON.stringify(lost)}`)
    check(c.provider.ws === wsBefore[i], `${c.label}: the provider's WebSocket was replaced (reconnected)`)
  })
  for (const nd of cl.nodes) {
    const d = await serverDoc(nd, room)
    for (const p of [...preKill, ...preRestart]) {
      const miss = missingFrom(d, p)
      check(miss === null, () => `GET /rooms/${room}/update on ${nd.id} lacks what ${p.label} had: ${miss}`)
    }
    checkEqual(normalizeSurrogates(renderDoc(d)), final, `GET /rooms/${room}/update on ${nd.id} vs the converged clients`)
    checkEqual(normalizeSurrogates((await roomText(nd, room)).text), final, `GET /rooms/${room} on ${nd.id}`)
    d.destroy()
  }
  // exactly one node holds each room again, the restarted one; /cluster peers empty
  for (const nd of cl.nodes) {
    const j = await clusterJson(nd)
    checkEqual(j.members.map((m) => [m.id, m.state]), cl.ids.map((id) => [id, 'alive']), `${nd.id}: /cluster members after the restart`)
    checkEqual(j.rooms.includes(room), nd === owner, `${nd.id}: holds ${room} (rooms ${JSON.stringify(j.rooms)})`)
  }
  // /stats "cluster": the interim owner handed both rooms off, the restarted node received them
  const si = await clusterStats(interim)
  const so = await clusterStats(owner)
  check(si.handoffs_out_total >= 2, () => `${interim.id}: handoffs_out_total ${si.handoffs_out_total} (want ≥ 2: ${room}, ${rawRoom}): ${JSON.stringify(si)}`)
  check(so.handoffs_in_total >= 2, () => `${owner.id}: handoffs_in_total ${so.handoffs_in_total} (want ≥ 2): ${JSON.stringify(so)}`)
  for (const nd of cl.nodes) {
    const bad = errorLines(nd.stderr())
    check(bad.length === 0, () => `${nd.id}: error lines:\n${bad.slice(0, 10).join('\n')}`)
  }
  console.log(`  restart: kill → ${interim.id} holds the room ${failoverMs} ms; restart → 3 members on every node ${rejoinMs} ms; restart → room back on ${owner.id} ${handbackMs} ms; ${loops.edits()} edits`)
  for (const l of grepLogs(cl, /handing off|handed off|received from node/).slice(0, 10)) t.log(l)
}, { timeout: 80000 })

await run()
