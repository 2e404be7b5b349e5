// Cluster (issue 5): graceful leave. SIGTERM of a room's owner under load: it says bye, closes its own
// clients with 1001, hands its rooms to their new owners and exits 0. The clients on the other nodes
// keep editing on the same WebSocket (no close), the room is served by its new owner (placement rank 2),
// and no update is lost: everything any client had before the SIGTERM is there afterwards, and a raw
// writer on the leaving node (which never re-uploads) finds every update the room echoed to it in the
// new owner's document. The survivors' /cluster shows 2 members and the left node as a "left" peer.
//   node cluster/leave.test.mjs <zeal-crdt-server> [--filter RE] [--verbose]
import * as Y from 'yjs'
import { run, check, checkEqual } from '../lib/runner.mjs'
import { normalizeSurrogates, waitConverged } from '../lib/clients.mjs'
import { waitFor } from '../lib/server.mjs'
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

clusterTest('SIGTERM of the owner (graceful leave): no client elsewhere disconnected, the new owner serves, nothing lost, exit 0', async (t, ctx) => {
  const cl = await ctx.start({ args: ['--compact-log-entries', '200'] })
  const room = 'leave-doc'
  const { ranked: [ownerId, nextId], clients, owner, survivors, onOwner, onOthers: onLive, wsBefore } = await clientsOnEveryNode(ctx, cl, room, 5001)

  const rawRoom = roomRankedAs('leave-raw-', cl.ids, [owner.id])
  const writer = await rawWriter(owner, rawRoom, 5101)
  const observer = await rawObserver(survivors[0], rawRoom)
  ctx.defer(() => writer.close())
  ctx.defer(() => observer.close())
  await cl.waitOwner(rawRoom, { want: owner })

  const tLoad = Date.now()
  const loops = editLoops(clients, clients.map((_, i) => makePrng(8001 + i)), { intervalMs: 50 })
  const wtimer = setInterval(() => writer.edit(), 50)
  ctx.defer(() => loops.stop())
  ctx.defer(() => clearInterval(wtimer))
  await sleep(1500)
  for (const c of clients) check(c.provider.wsconnected && c.provider.synced, () => `${c.label} not connected+synced before the SIGTERM: ${JSON.stringify(c.events)}`)

  const pre = clients.map((c) => ({ label: c.label, ...snapshotDoc(c.doc) }))
  const tStop = Date.now()
  const stopping = owner.stop({ timeout: 20000 }) // throws unless exit 0 + "shutdown complete"
  stopping.catch(() => {}) // awaited below; no unhandled rejection meanwhile
  // the room is served by its new owner while (and after) the old one leaves
  const newOwner = await cl.waitOwner(room, { want: nextId, timeout: 15000, interval: 10 }) // only the new owner lists it
  const moveMs = Date.now() - tStop
  checkEqual(newOwner.id, nextId, `node holding ${room} after the leave (placement rank 2)`)
  const exit = await stopping
  const exitMs = Date.now() - tStop
  checkEqual([exit.code, exit.signal], [0, null], `${owner.id} exit after SIGTERM`)
  clearInterval(wtimer)
  await waitFor(() => writer.conn.closeInfo !== null, { what: 'the leaving node\'s raw writer closed' })
  checkEqual(writer.conn.closeInfo, { code: 1001, reason: 'server shutting down' }, 'close of the raw writer on the leaving node')
  const echoed = writer.echoed()
  await waitFor(() => onOwner.closes.some((c) => c.code === 1001), { what: `${onOwner.label} closed with 1001`, describe: () => JSON.stringify(onOwner.events) })

  // a post-leave edit of one survivor's client reaches the other
  onLive[0].doc.getMap('leave').set('marker', tStop)
  await waitFor(() => onLive[1].doc.getMap('leave').get('marker') === tStop, { timeout: 10000, what: `a post-leave edit of ${onLive[0].label} reaching ${onLive[1].label}` })
  onOwner.moveTo(survivors.find((nd) => nd !== newOwner))
  await onOwner.waitSynced(10000)
  await sleep(1000)
  loops.stop()
  const final = await waitConverged(clients, { timeout: 20000 })

  onLive.forEach((c, i) => {
    const lost = c.disconnectsSince(tLoad)
    check(lost.length === 0, () => `${c.label}: WebSocket lost during the leave: ${JSON.stringify(lost)}`)
    check(c.provider.ws === wsBefore[i], `${c.label}: the provider's WebSocket was replaced (reconnected)`)
  })
  for (const nd of survivors) {
    const d = await serverDoc(nd, room)
    for (const p of pre) {
      const miss = missingFrom(d, p)
      check(miss === null, () => `GET /rooms/${room}/update on ${nd.id} lacks what ${p.label} had before the SIGTERM: ${miss}`)
    }
    checkEqual(normalizeSurrogates(renderDoc(d)), final, `GET /rooms/${room}/update on ${nd.id} vs the converged clients`)
    checkEqual(normalizeSurrogates((await roomText(nd, room)).text), final, `GET /rooms/${room} on ${nd.id}`)
    d.destroy()
  }
  // raw room: handed off with every update the leaving owner had echoed
  await cl.waitOwner(rawRoom, { want: rankNodes(rawRoom, cl.ids)[1], timeout: 10000 })
  const rd = await serverDoc(survivors[1], rawRoom)
  const missEcho = missingFrom(rd, Y.mergeUpdates(echoed))
  check(missEcho === null, () => `${rawRoom}: updates the leaving owner echoed (${echoed.length}) are lost: ${missEcho}`)
  // Updates the writer sent after the server had queued its 1001 close frame (one round trip at most) are
  // discarded by the closing server and never echoed: a raw writer does not resend them, a Yjs provider
  // does on reconnect. So the new owner must hold every echoed update (above) and nothing the writer did not write.
  const extra = missingFrom(writer.doc, Y.encodeStateAsUpdate(rd))
  check(extra === null, () => `${rawRoom}: the new owner holds what the raw writer never wrote: ${extra}`)
  await waitFor(() => renderDoc(observer.doc) === renderDoc(rd), { timeout: 5000, what: `the raw observer on ${survivors[0].id} = the new owner's ${rawRoom}` })
  check(observer.conn.closeInfo === null, `the raw observer was closed: ${JSON.stringify(observer.conn.closeInfo)}`)
  rd.destroy()

  for (const nd of survivors) {
    const j = await clusterJson(nd)
    checkEqual(j.members.map((m) => [m.id, m.state]), survivors.map((x) => [x.id, 'alive']), `${nd.id}: /cluster members after the leave`)
    const p = j.peers.find((x) => x.address === owner.address)
    checkEqual(p && [p.id, p.state], [owner.id, 'left'], `${nd.id}: /cluster peer entry of ${owner.id} (peers ${JSON.stringify(j.peers)})`)
    const bad = errorLines(nd.stderr())
    check(bad.length === 0, () => `${nd.id}: error lines:\n${bad.slice(0, 10).join('\n')}`)
  }
  const sn = await clusterStats(newOwner)
  check(sn.handoffs_in_total >= 1, () => `${newOwner.id}: handoffs_in_total ${sn.handoffs_in_total} after ${owner.id} handed ${room} to it: ${JSON.stringify(sn)}`)
  const leftLog = owner.history[0].server.stderr()
  const bad = errorLines(leftLog)
  check(bad.length === 0, () => `${owner.id} (left): error lines:\n${bad.slice(0, 10).join('\n')}`)
  console.log(`  leave: SIGTERM of ${owner.id} → ${newOwner.id} holds the room ${moveMs} ms, ${owner.id} exited after ${exitMs} ms; ${loops.edits()} edits, ${echoed.length} raw echoes`)
  for (const l of grepLogs(cl, /handing off|handed off|received from node|member left/).slice(0, 10)) t.log(l)
}, { timeout: 60000 })

await run()
