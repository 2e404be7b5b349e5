// Process life of zeal-crdt-server: SIGTERM/SIGINT close every client with 1001 "server shutting down"
// and exit 0 with "shutdown complete"; log lines about a connection carry conn=<id> room=<name>.
//   node server/lifecycle.test.mjs <zeal-crdt-server> [--filter RE] [--verbose]
import { defaults, test, run, check, checkEqual } from '../lib/runner.mjs'
import { providerClient, rawClient } from '../lib/clients.mjs'
import { httpGet, waitFor } from '../lib/server.mjs'

defaults({ zealOnly: true }) // uses /stats and /ws

for (const signal of ['SIGTERM', 'SIGINT']) {
  test(`${signal}: every client is closed with 1001 "server shutting down", exit 0, "shutdown complete"`, async (t) => {
    const server = await t.server()
    const raws = []
    for (let i = 0; i < 3; i++) {
      const c = await rawClient(`${server.ws}/life-${i % 2}`)
      await c.next('sync:step1')
      raws.push(c)
    }
    const seed = await rawClient(`${server.ws}/ws`)
    seed.send(JSON.stringify({ action: 'join', room: 'life-0' }))
    await seed.next('sync:step1')
    const idle = await rawClient(`${server.ws}/ws`) // connected to no room
    const p = providerClient(server.ws, 'life-1', { clientID: 8001 })
    t.defer(() => p.destroy())
    await p.waitSynced()
    await waitFor(async () => (await httpGet(`${server.http}/stats`)).json().connections === 6, { what: '6 connections' })
    t.forget(server)
    const stopping = server.stop({ signal })
    stopping.catch(() => {}) // awaited below; no unhandled rejection if a check fails first
    for (const c of [...raws, seed, idle]) {
      const cl = await c.waitClosed(10000)
      checkEqual(cl, { code: 1001, reason: 'server shutting down' }, `close of ${c.url}`)
    }
    await waitFor(() => p.closes.length > 0, { what: 'provider closed' })
    checkEqual(p.closes[0], { code: 1001, reason: 'server shutting down' }, 'provider close')
    p.provider.disconnect() // no reconnect attempts against the stopped server
    const e = await stopping
    checkEqual(e.code, 0, 'exit code')
  }, { timeout: 20000 })
}

test('log lines about a connection carry conn=<id> and room=<name>', async (t) => {
  const server = await t.server()
  const c = await rawClient(`${server.ws}/logged-room`)
  await c.next('sync:step1')
  c.send(new Uint8Array([9])) // malformed: logged as a warning
  await c.waitClosed()
  await waitFor(() => /malformed/.test(server.stderr()), { what: 'a log line about the malformed frame' })
  const lines = server.stderr().split('\n').filter((l) => /malformed/.test(l))
  check(lines.some((l) => /conn=\S+/.test(l) && /room=logged-room\b/.test(l)), `no "conn=… room=logged-room" on the malformed-frame lines:\n${lines.join('\n')}`)
  check(lines.some((l) => /\[(warn|warning)\]/.test(l)), `the malformed frame was not logged as a warning:\n${lines.join('\n')}`)
  check(/\[app\]|\[net\]|\[room\]|\[client\]|\[directory\]/.test(server.stderr()), 'no named module loggers in the log')
}, { zealOnly: true })

test('bad command-line values stop start-up with exit code 2 and a message naming them', async (t) => {
  const { spawnSync } = await import('node:child_process')
  for (const args of [['--port', 'abc'], ['--max-rooms', '0'], ['--port', '70000'], ['--no-such-flag']]) {
    const r = spawnSync(t.binary, args, { encoding: 'utf8', timeout: 10000 })
    checkEqual(r.status, 2, `exit code for ${args.join(' ')} (stderr ${JSON.stringify(r.stderr.slice(0, 300))})`)
    const name = args[0].replace(/^--/, '')
    check(r.stderr.includes(name), `stderr does not name ${name}: ${JSON.stringify(r.stderr.slice(0, 300))}`)
  }
}, { zealOnly: true })

await run()
