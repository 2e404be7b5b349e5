// Cluster (issue 5): a hung owner (SIGSTOP: its sockets stay open, it answers nothing). The survivors
// declare it down after the connection timeout (--cluster-timeout-ms 2000, heartbeat 200 ms) and the
// replica serves the room; the clients on the survivors keep editing on the same WebSocket. After SIGCONT
// the node finds the others again, the room moves back to it (it is the placement owner) and merges what
// the interim owner got; its own client, hung with it, carries on; everything converges and nothing any
// client had before the SIGSTOP is lost.
//   node cluster/hung.test.mjs <zeal-crdt-server> [--filter RE] [--verbose]
import { run, check, checkEqual } from '../lib/runner.mjs'
import { normalizeSurrogates, waitConverged } from '../lib/clients.mjs'
import { waitFor } from '../lib/server.mjs'
import { renderDoc } from '../lib/render.mjs'
import { makePrng } from '../lib/session.mjs'
import { errorLines } from '../lib/storage.mjs'
import { clientsOnEveryNode, clusterClient, clusterTest, editLoops, missingFrom, rankNodes, roomText, serverDoc, sleep, snapshotDoc } from '../lib/cluster.mjs'

clusterTest('SIGSTOP of the owner: down after the connection timeout, the replica serves; after SIGCONT it rejoins, gets the room back, all converge', async (t, ctx) => {
  const cl = await ctx.start({ args: ['--compact-log-entries', '200'] })
  const room = 'hung-doc'
  const { ranked: [ownerId, replicaId], clients, owner, survivors, onOthers: onLive, wsBefore } = await clientsOnEveryNode(ctx, cl, room, 9001)

  const tLoad = Date.now()
  const loops = editLoops(clients, clients.map((_, i) => makePrng(9101 + i)), { intervalMs: 50 })
  ctx.defer(() => loops.stop())
  await sleep(1000)
  const pre = clients.map((c) => ({ label: c.label, ...snapshotDoc(c.doc) }))
  const tStop = Date.now()
  owner.pause()
  ctx.defer(() => owner.paused && owner.resume())
  await cl.waitMembers(survivors.map((nd) => nd.id), { on: survivors, timeout: 8000 })
  const downMs = Date.now() - tStop
  check(downMs >= 1000, `the survivors dropped the hung ${owner.id} after ${downMs} ms, before any timeout could expire`)
  await cl.waitOwner(room, { want: replicaId, timeout: 5000 })
  const servingHolderMs = Date.now() - tStop
  onLive[0].doc.getMap('hung').set('marker', tStop)
  await waitFor(() => onLive[1].doc.getMap('hung').get('marker') === tStop, {
    timeout: 10000,
    what: `an edit of ${onLive[0].label} reaching ${onLive[1].label} while ${owner.id} hangs`,
    describe: () => onLive.map((c) => `  ${c.label}: synced=${c.provider.synced} events=${JSON.stringify(c.events)}`).join('\n')
  })
  const servingMs = Date.now() - tStop
  await sleep(500)

  const tCont = Date.now()
  owner.resume()
  await cl.waitMembers(cl.ids, { timeout: 15000 })
  const rejoinMs = Date.now() - tCont
  await cl.waitOwner(room, { want: owner, timeout: 15000 })
  const backMs = Date.now() - tCont
  await sleep(1000)
  loops.stop()
  const final = await waitConverged(clients, { timeout: 20000 })

  onLive.forEach((c, i) => {
    const lost = c.disconnectsSince(tLoad)
    check(lost.length === 0, () => `${c.label}: WebSocket lost (SIGSTOP at +${tStop - tLoad} ms, SIGCONT at +${tCont - tLoad} ms): ${JSON.stringify(lost)}`)
    check(c.provider.ws === wsBefore[i], `${c.label}: the provider's WebSocket was replaced (reconnected)`)
  })
  for (const nd of cl.nodes) {
    const d = await serverDoc(nd, room)
    for (const p of pre) {
      const miss = missingFrom(d, p)
      check(miss === null, () => `GET /rooms/${room}/update on ${nd.id} lacks what ${p.label} had before the SIGSTOP: ${miss}`)
    }
    checkEqual(normalizeSurrogates(renderDoc(d)), final, `GET /rooms/${room}/update on ${nd.id} vs the converged clients`)
    checkEqual(normalizeSurrogates((await roomText(nd, room)).text), final, `GET /rooms/${room} on ${nd.id}`)
    d.destroy()
  }
  for (const nd of cl.nodes) {
    const bad = errorLines(nd.stderr())
    check(bad.length === 0, () => `${nd.id}: error lines:\n${bad.slice(0, 10).join('\n')}`)
  }
  const ownClient = clients.find((c) => c.node === owner)
  console.log(`  hung: SIGSTOP of ${owner.id} → dropped by the survivors ${downMs} ms → ${replicaId} holds the room ${servingHolderMs} ms → edits flow ${servingMs} ms; SIGCONT → 3 members ${rejoinMs} ms → room back ${backMs} ms; ${owner.id}'s own client disconnects: ${ownClient.disconnectsSince(tLoad).length}; ${loops.edits()} edits`)
}, { timeout: 60000 })

await run()
