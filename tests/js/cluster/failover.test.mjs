// Cluster (issue 5): kill -9 of a room's owner under load. Three y-websocket clients (one per node) edit
// the room 20 times a second each; a raw writer on the owner node and a raw observer on another node use a
// second room with the same owner (neither ever re-uploads, so what they saw must be in the servers'
// state: the replica). After the kill: within 5 s a survivor (the replica, rank 2) holds the room per
// GET /cluster; the clients on the survivors keep editing on the same WebSocket (no close, no
// 'disconnected' status); the client from the dead node moves its Y.Doc to a survivor and syncs; every
// update any client or the observer had before the kill, and every update echoed to the dead writer, is in
// every client and in GET /rooms/<room>/update on every survivor; all converge.
//   node cluster/failover.test.mjs <zeal-crdt-server> [--filter RE] [--verbose]
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

clusterTest('kill -9 of the owner under load: a survivor serves within 5 s, no survivor WebSocket closes, nothing anyone saw is lost, all converge', async (t, ctx) => {
  const cl = await ctx.start({ args: ['--compact-log-entries', '200'] })
  const room = 'failover-doc'
  const { ranked: [ownerId, replicaId], clients, owner, survivors, onOwner: onDead, onOthers: onLive } = await clientsOnEveryNode(ctx, cl, room, 3001)

  const rawRoom = roomRankedAs('failover-raw-', cl.ids, [owner.id])
  const writer = await rawWriter(owner, rawRoom, 3101)
  const observer = await rawObserver(survivors[0], rawRoom)
  ctx.defer(() => writer.close())
  ctx.defer(() => observer.close())
  await cl.waitOwner(rawRoom, { want: owner })

  const wsBefore = onLive.map((c) => c.provider.ws)
  const tLoad = Date.now()
  const loops = editLoops(clients, clients.map((_, i) => makePrng(6001 + i)), { intervalMs: 50 })
  const wtimer = setInterval(() => writer.edit(), 50)
  ctx.defer(() => loops.stop())
  ctx.defer(() => clearInterval(wtimer))
  await sleep(1500)
  for (const c of clients) check(c.provider.wsconnected && c.provider.synced, () => `${c.label} not connected+synced before the kill: ${JSON.stringify(c.events)}`)
  check(observer.updates > 10 && writer.echoed().length > 10, `raw room before the kill: observer got ${observer.updates} updates, writer ${writer.echoed().length} echoes`)

  // what everyone had right before the kill
  const pre = clients.map((c) => ({ label: c.label, ...snapshotDoc(c.doc) }))
  const preObserver = snapshotDoc(observer.doc)
  const tKill = Date.now()
  const exit = await owner.kill()
  clearInterval(wtimer)
  checkEqual(exit.signal, 'SIGKILL', `${owner.id} exit`)
  await waitFor(() => writer.conn.closeInfo !== null, { what: 'the dead node\'s raw writer socket closed' })
  const echoed = writer.echoed() // everything the dead owner confirmed to the writer
  t.log(`killed ${owner.id} after ${tKill - tLoad} ms of load, ${loops.edits()} edits, ${echoed.length} raw echoes; pre-kill text lengths ${pre.map((p) => p.text.length)}`)

  // a survivor (the replica) holds the room within 5 s of the kill
  const newOwner = await cl.waitOwner(room, { timeout: Math.max(100, 5000 - (Date.now() - tKill)), interval: 10 })
  const failoverMs = Date.now() - tKill
  checkEqual(newOwner.id, replicaId, `node holding ${room} after the kill (placement rank 2 = replica)`)
  // it serves: a marker edit from one survivor's client reaches the other's
  onLive[0].doc.getMap('failover').set('marker', tKill)
  await waitFor(() => onLive[1].doc.getMap('failover').get('marker') === tKill, {
    timeout: 10000,
    interval: 5,
    what: `a post-kill edit of ${onLive[0].label} reaching ${onLive[1].label}`,
    describe: () => onLive.map((c) => `  ${c.label}: synced=${c.provider.synced} events=${JSON.stringify(c.events)}`).join('\n')
  })
  const servingMs = Date.now() - tKill

  // the dead node's client takes its Y.Doc to another survivor
  const target = survivors.find((nd) => nd !== newOwner)
  onDead.moveTo(target)
  await onDead.waitSynced(10000)
  await sleep(1000)
  loops.stop()
  const final = await waitConverged(clients, { timeout: 20000 })

  // the survivors' clients never lost their WebSocket
  onLive.forEach((c, i) => {
    const lost = c.disconnectsSince(tLoad)
    check(lost.length === 0, () => `${c.label}: WebSocket lost during the failover: ${JSON.stringify(lost)} (all events ${JSON.stringify(c.events)})`)
    check(c.provider.ws === wsBefore[i], `${c.label}: the provider's WebSocket was replaced (reconnected)`)
  })
  // nothing anybody had before the kill is missing, in any client or any survivor
  for (const c of clients) {
    for (const p of pre) {
      const miss = missingFrom(c.doc, p)
      check(miss === null, () => `${c.label} lacks what ${p.label} had before the kill (text then: ${JSON.stringify(p.text.slice(0, 200))}): ${miss}`)
    }
  }
  for (const nd of survivors) {
    const d = await serverDoc(nd, room)
    for (const p of pre) {
      const miss = missingFrom(d, p)
      check(miss === null, () => `GET /rooms/${room}/update on ${nd.id} lacks what ${p.label} had before the kill: ${miss}`)
    }
    checkEqual(normalizeSurrogates(renderDoc(d)), final, `GET /rooms/${room}/update on ${nd.id} vs the converged clients`)
    checkEqual(normalizeSurrogates((await roomText(nd, room)).text), final, `GET /rooms/${room} on ${nd.id}`)
    d.destroy()
  }

  // raw room: the survivors' state (the replica) holds every update the dead owner echoed and everything
  // the observer had; nobody re-uploaded anything to it
  const rawOwner = await cl.waitOwner(rawRoom, { timeout: 10000 })
  checkEqual(rawOwner.id, rankNodes(rawRoom, cl.ids)[1], `node holding ${rawRoom} after the kill (rank 2)`)
  const rd = await serverDoc(survivors[1], rawRoom)
  const missEcho = missingFrom(rd, Y.mergeUpdates(echoed))
  check(missEcho === null, () => `${rawRoom}: updates the dead owner echoed to its writer are lost (${echoed.length} echoes; writer text ${JSON.stringify(writer.doc.getText('text').toString().slice(-200))}): ${missEcho}`)
  const missObs = missingFrom(rd, preObserver)
  check(missObs === null, () => `${rawRoom}: what the observer on ${survivors[0].id} had received before the kill is lost: ${missObs}`)
  // and the observer, rejoined to the new owner by its node, ends with exactly that document
  await waitFor(() => renderDoc(observer.doc) === renderDoc(rd), {
    timeout: 5000,
    what: `the raw observer's doc = the new owner's ${rawRoom}`,
    describe: () => `  observer ${renderDoc(observer.doc).slice(-300)}\n  server   ${renderDoc(rd).slice(-300)}`
  })
  check(observer.conn.closeInfo === null, `the raw observer on ${survivors[0].id} was closed: ${JSON.stringify(observer.conn.closeInfo)}`)
  rd.destroy()

  // /stats "cluster": the survivors' clients re-joined after their room went down
  for (const nd of survivors) {
    const st = await clusterStats(nd)
    checkEqual([st.members, st.replication_failures_total], [2, 0], `${nd.id}: /stats cluster members, replication_failures_total`)
    check(st.rejoins_total >= 1, () => `${nd.id}: rejoins_total ${st.rejoins_total} after its clients' room died: ${JSON.stringify(st)}`)
  }
  for (const nd of survivors) {
    const bad = errorLines(nd.stderr())
    check(bad.length === 0, () => `${nd.id}: error lines:\n${bad.slice(0, 10).join('\n')}`)
  }
  const replFail = grepLogs(cl, /replica write failed/)
  console.log(`  failover: kill -9 of ${owner.id} → ${newOwner.id} holds the room (GET /cluster): ${failoverMs} ms; → first post-kill edit delivered across survivors: ${servingMs} ms; ${loops.edits()} edits, ${echoed.length} raw echoes${replFail.length ? `; replica write failures: ${replFail.join(' | ')}` : ''}`)
  for (const l of grepLogs(cl, /member down|rejoined/).slice(0, 8)) t.log(l)
}, { timeout: 60000 })

await run()
