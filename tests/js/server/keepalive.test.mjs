// Keep-alive and back-pressure of zeal-crdt-server: pings, a peer that never answers them is dropped, an
// idle socket is closed 1000 "idle timeout", a slow consumer (outgoing queue over its bound) is closed, and
// the room goes on for the others.   node server/keepalive.test.mjs <zeal-crdt-server> [--filter RE]
import * as Y from 'yjs'
import { defaults, test, run, check, checkEqual } from '../lib/runner.mjs'
import { rawClient } from '../lib/clients.mjs'
import { httpGet, waitFor } from '../lib/server.mjs'
import { awarenessMsg, syncStep1, syncUpdate } from '../lib/proto.mjs'

defaults({ zealOnly: true }) // options and close reasons are zeal's

const metric = async (server, sample) => {
  const text = (await httpGet(`${server.http}/metrics`)).text
  const line = text.split('\n').find((l) => l.startsWith(sample + ' '))
  return line ? Number(line.slice(sample.length + 1)) : undefined
}

test('pings every ping-interval; a peer that answers stays, one that never pongs is dropped', async (t) => {
  const server = await t.server({ args: ['--ping-interval-seconds', '1', '--client-timeout-seconds', '60'] })
  const good = await rawClient(`${server.ws}/ka`)
  const mute = await rawClient(`${server.ws}/ka`, { wsOptions: { autoPong: false } })
  t.defer(() => good.terminate())
  const started = Date.now()
  const cl = await mute.waitClosed(8000)
  const after = (Date.now() - started) / 1000
  t.log(`mute peer dropped after ${after.toFixed(1)} s with ${JSON.stringify(cl)}, ${mute.pings} ping(s)`)
  check(mute.pings >= 1, 'no ping received')
  check(after >= 1, `dropped after ${after} s, before a ping interval passed`)
  check(good.pings >= 1 && good.closeInfo === null, `the answering peer: pings ${good.pings}, closed ${JSON.stringify(good.closeInfo)}`)
  good.send(syncStep1())
  await good.next('sync:step2')
  await waitFor(async () => (await metric(server, 'zeal_rejected_connections_total{reason="timeout"}')) >= 1, { what: 'timeout counter ≥ 1' })
  check(/ping timeout/.test(server.stderr()), 'no "ping timeout" log line')
})

test('no incoming data frame for client-timeout → close 1000 "idle timeout"', async (t) => {
  const server = await t.server({ args: ['--client-timeout-seconds', '2', '--ping-interval-seconds', '1'] })
  const idle = await rawClient(`${server.ws}/idle`)
  const busy = await rawClient(`${server.ws}/idle`)
  t.defer(() => busy.terminate())
  const started = Date.now()
  const timer = setInterval(() => busy.send(syncStep1()), 500)
  t.defer(() => clearInterval(timer))
  const cl = await idle.waitClosed(8000)
  const after = (Date.now() - started) / 1000
  checkEqual(cl, { code: 1000, reason: 'idle timeout' }, 'close of the idle client')
  check(after >= 1.5, `closed after ${after.toFixed(1)} s (timeout 2 s)`)
  check(busy.closeInfo === null, `the busy client was closed: ${JSON.stringify(busy.closeInfo)}`)
  const seedIdle = await rawClient(`${server.ws}/ws`)
  checkEqual(await seedIdle.waitClosed(8000), { code: 1000, reason: 'idle timeout' }, 'close of an idle /ws client')
})

test('a slow consumer (socket not read) is closed once its queue exceeds max-send-queue-bytes', async (t) => {
  const server = await t.server({ args: ['--max-send-queue-bytes', '262144'] })
  const slow = await rawClient(`${server.ws}/slow`)
  await slow.next('sync:step1')
  const sender = await rawClient(`${server.ws}/slow`)
  t.defer(() => sender.terminate())
  await sender.next('sync:step1')
  slow.ws._socket.pause() // stop reading: kernel buffers fill, then the server's queue
  const doc = new Y.Doc()
  doc.clientID = 12001
  const ups = []
  doc.on('update', (u) => ups.push(u))
  const chunk = 'x'.repeat(64 * 1024) // well below the queue bound: a fast client's echo never hits it
  let sent = 0
  // up to ~32 MB relayed; stop as soon as the server gave up on the slow client
  for (let i = 0; i < 500; i++) {
    doc.getText('text').insert(0, chunk)
    sender.send(syncUpdate(ups[ups.length - 1]))
    await sender.next('sync:update', 10000) // the sender's own echo: paces us
    sent++
    if ((await metric(server, 'zeal_rejected_connections_total{reason="slow_consumer"}')) >= 1) break
  }
  t.log(`slow consumer dropped after ${sent} updates of ${chunk.length} B`)
  await waitFor(async () => (await metric(server, 'zeal_rejected_connections_total{reason="slow_consumer"}')) >= 1, {
    timeout: 10000,
    what: 'slow_consumer counter ≥ 1'
  })
  slow.ws._socket.resume()
  const cl = await slow.waitClosed(10000)
  check(cl.code === 1008 || cl.code === 1006, `slow consumer close ${JSON.stringify(cl)}`)
  if (cl.code === 1008) check(/^slow consumer: send queue over 262144 bytes/.test(cl.reason), `reason ${cl.reason}`)
  // the room goes on (a small round trip: the room's state is far over the queue bound by now)
  const marker = awarenessMsg([{ clientID: 5, clock: 1, state: { alive: true } }])
  sender.send(marker)
  await sender.next('awareness')
  const s = (await httpGet(`${server.http}/stats`)).json()
  checkEqual(s.total_clients, 1, 'members left in the room')
}, { timeout: 60000 })

test('a fast client gets a single message larger than max-send-queue-bytes (SyncStep2 of a big room)', async (t) => {
  // The queue bound is about a client that does not read, not about one big message: with the default
  // 16 MiB bound, every client joining a room whose state exceeds 16 MiB would be closed otherwise.
  const server = await t.server({ args: ['--max-send-queue-bytes', '262144'] })
  const a = await rawClient(`${server.ws}/big`)
  t.defer(() => a.terminate())
  await a.next('sync:step1')
  const doc = new Y.Doc()
  doc.clientID = 12002
  const ups = []
  doc.on('update', (u) => ups.push(u))
  for (let i = 0; i < 7; i++) {
    doc.getText('text').insert(0, 'x'.repeat(64 * 1024))
    a.send(syncUpdate(ups[i]))
    await a.next('sync:update')
  }
  const b = await rawClient(`${server.ws}/big`)
  t.defer(() => b.terminate())
  await b.next('sync:step1')
  b.send(syncStep1())
  const m = await b.next('sync:step2').catch((e) => {
    throw new Error(`joiner of a ${Y.encodeStateAsUpdate(doc).length}-byte room (max-send-queue-bytes 262144), sent SyncStep1: ${e.message.split('\n')[0]}`)
  })
  const d = new Y.Doc()
  Y.applyUpdate(d, m.payload)
  checkEqual(d.getText('text').length, 7 * 64 * 1024, 'text length at the joiner')
})

await run()
