// HTTP endpoints of zeal-crdt-server: /health, /stats, /metrics (Prometheus text), 404/405/413, keep-alive.
//   node server/http.test.mjs <zeal-crdt-server> [--filter RE] [--verbose]
import http from 'node:http'
import { defaults, test, run, check, checkEqual } from '../lib/runner.mjs'
import { providerClient, rawClient, waitConverged } from '../lib/clients.mjs'
import { httpGet, waitFor } from '../lib/server.mjs'

defaults({ zealOnly: true }) // the stand-in has no HTTP endpoints

/** Parses Prometheus text: { samples: Map(name{labels} → number), types: Map(name → type), help: Set }. */
const parsePrometheus = (text) => {
  const samples = new Map()
  const types = new Map()
  const help = new Set()
  for (const line of text.split('\n')) {
    if (line === '') continue
    let m
    if ((m = line.match(/^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/))) types.set(m[1], m[2])
    else if ((m = line.match(/^# HELP (\S+) /))) help.add(m[1])
    else if (line.startsWith('#')) continue
    else if ((m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?) (\S+)( \d+)?$/))) {
      const v = m[3] === '+Inf' ? Infinity : Number(m[3])
      if (Number.isNaN(v) && m[3] !== 'NaN') throw new Error(`bad sample value in ${JSON.stringify(line)}`)
      samples.set(m[1], v)
    } else throw new Error(`not Prometheus text format: ${JSON.stringify(line)}`)
  }
  return { samples, types, help }
}

test('/health → 200 {"status":"ok","uptime_seconds":N}', async (t) => {
  const server = await t.server()
  const r = await httpGet(`${server.http}/health`)
  checkEqual(r.status, 200, 'status')
  check(/application\/json/.test(r.headers.get('content-type') ?? ''), `content-type ${r.headers.get('content-type')}`)
  const j = r.json()
  checkEqual(j.status, 'ok', 'status field')
  check(typeof j.uptime_seconds === 'number' && j.uptime_seconds >= 0, `uptime_seconds ${j.uptime_seconds}`)
}, { zealOnly: true })

test('/stats: rooms, total_clients, limits, uptime, messages and bytes follow the traffic', async (t) => {
  const server = await t.server({ args: ['--max-rooms', '7', '--max-clients-per-room', '9'] })
  const s0 = (await httpGet(`${server.http}/stats`)).json()
  for (const k of ['rooms', 'total_clients', 'max_rooms', 'max_clients_per_room', 'uptime_seconds', 'connections', 'messages_in', 'messages_out', 'bytes_in', 'bytes_out', 'updates_applied']) {
    check(typeof s0[k] === 'number', `/stats field ${k} is ${JSON.stringify(s0[k])} (${JSON.stringify(s0)})`)
  }
  checkEqual([s0.rooms, s0.total_clients, s0.max_rooms, s0.max_clients_per_room], [0, 0, 7, 9], 'rooms, total_clients, max_rooms, max_clients_per_room at start')
  const a = providerClient(server.ws, 'st1', { clientID: 6001 })
  const b = providerClient(server.ws, 'st1', { clientID: 6002 })
  const c = providerClient(server.ws, 'st2', { clientID: 6003 })
  for (const x of [a, b, c]) t.defer(() => x.destroy())
  await Promise.all([a, b, c].map((x) => x.waitSynced()))
  a.doc.getText('text').insert(0, 'stats')
  await waitConverged([a, b])
  const s1 = await waitFor(
    async () => {
      const s = (await httpGet(`${server.http}/stats`)).json()
      return s.rooms === 2 && s.total_clients === 3 && s.connections === 3 && s.updates_applied >= 1 ? s : false
    },
    { what: 'rooms 2, total_clients 3, connections 3, updates_applied ≥ 1', describe: async () => (await httpGet(`${server.http}/stats`)).text }
  )
  check(s1.messages_in > s0.messages_in && s1.messages_out > s0.messages_out, `messages not counted: ${JSON.stringify([s0, s1])}`)
  check(s1.bytes_in > s0.bytes_in && s1.bytes_out > s0.bytes_out, `bytes not counted: ${JSON.stringify([s0, s1])}`)
  check(s1.bytes_in >= s1.messages_in && s1.bytes_out >= s1.messages_out, 'fewer bytes than messages')
  c.provider.disconnect()
  await waitFor(async () => (await httpGet(`${server.http}/stats`)).json().total_clients === 2, { what: 'total_clients 2 after a disconnect' })
}, { zealOnly: true })

test('/metrics: Prometheus text with every contract metric, values following the traffic', async (t) => {
  const server = await t.server()
  const a = providerClient(server.ws, 'm1', { clientID: 7001 })
  const b = providerClient(server.ws, 'm1', { clientID: 7002 })
  for (const x of [a, b]) t.defer(() => x.destroy())
  await Promise.all([a, b].map((x) => x.waitSynced()))
  for (let i = 0; i < 5; i++) a.doc.getText('text').insert(0, `${i}`)
  await waitConverged([a, b])
  const bad = await rawClient(`${server.ws}/m1`)
  bad.send(new Uint8Array([9]))
  await bad.waitClosed()
  const r = await waitFor(
    async () => {
      const res = await httpGet(`${server.http}/metrics`)
      const p = parsePrometheus(res.text)
      return p.samples.get('zeal_updates_applied_total') >= 5 && p.samples.get('zeal_connections') === 2 ? { res, p } : false
    },
    { what: 'zeal_updates_applied_total ≥ 5 and zeal_connections 2', describe: async () => (await httpGet(`${server.http}/metrics`)).text }
  )
  const { res, p } = r
  checkEqual(res.status, 200, 'status')
  check(/^text\/plain; ?version=0\.0\.4/.test(res.headers.get('content-type') ?? ''), `content-type ${res.headers.get('content-type')}`)
  const want = {
    zeal_connections: 'gauge',
    zeal_connections_total: 'counter',
    zeal_http_requests_total: 'counter',
    zeal_rooms: 'gauge',
    zeal_room_clients: 'gauge',
    zeal_rooms_loaded_total: 'counter',
    zeal_rooms_unloaded_total: 'counter',
    zeal_messages_in_total: 'counter',
    zeal_messages_out_total: 'counter',
    zeal_bytes_in_total: 'counter',
    zeal_bytes_out_total: 'counter',
    zeal_updates_applied_total: 'counter',
    zeal_rejected_connections_total: 'counter',
    zeal_update_apply_seconds: 'histogram',
    zeal_uptime_seconds: 'gauge'
  }
  for (const [name, type] of Object.entries(want)) checkEqual(p.types.get(name), type, `# TYPE of ${name}`)
  for (const reason of ['room_full', 'max_rooms', 'too_big', 'malformed', 'invalid_room', 'slow_consumer', 'timeout']) {
    check(p.samples.has(`zeal_rejected_connections_total{reason="${reason}"}`), `no sample for reason ${reason}`)
  }
  checkEqual(p.samples.get('zeal_rejected_connections_total{reason="malformed"}'), 1, 'malformed rejections')
  checkEqual(p.samples.get('zeal_rooms'), 1, 'zeal_rooms')
  checkEqual(p.samples.get('zeal_room_clients'), 2, 'zeal_room_clients')
  check(p.samples.get('zeal_connections_total') >= 3, 'zeal_connections_total')
  check(p.samples.get('zeal_rooms_loaded_total') >= 1, 'zeal_rooms_loaded_total')
  check(p.samples.get('zeal_http_requests_total') >= 1, 'zeal_http_requests_total')
  for (const n of ['zeal_messages_in_total', 'zeal_messages_out_total', 'zeal_bytes_in_total', 'zeal_bytes_out_total']) {
    check(p.samples.get(n) > 0, `${n} = ${p.samples.get(n)}`)
  }
  // histogram: cumulative buckets ending in +Inf = _count, _sum ≥ 0
  const buckets = [...p.samples].filter(([k]) => k.startsWith('zeal_update_apply_seconds_bucket{'))
  check(buckets.length >= 2, 'histogram buckets')
  const les = buckets.map(([k]) => k.match(/le="([^"]+)"/)[1])
  checkEqual(les[les.length - 1], '+Inf', 'last bucket')
  for (let i = 1; i < buckets.length; i++) {
    check(buckets[i][1] >= buckets[i - 1][1], `buckets not cumulative at le=${les[i]}`)
    check(les[i] === '+Inf' || Number(les[i]) > Number(les[i - 1]), `bucket bounds not increasing at ${les[i]}`)
  }
  checkEqual(buckets[buckets.length - 1][1], p.samples.get('zeal_update_apply_seconds_count'), '+Inf bucket = _count')
  check(p.samples.get('zeal_update_apply_seconds_count') >= 5, '_count')
  check(p.samples.get('zeal_update_apply_seconds_sum') > 0, '_sum')
  check(p.samples.get('zeal_uptime_seconds') >= 0, 'uptime')
}, { zealOnly: true })

/** One raw HTTP/1.1 request on an agent; resolves { status, body, reused }. */
const request = (agent, port, { method = 'GET', path, body, headers = {} }) =>
  new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      let data = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (data += d))
      res.on('end', () => resolve({ status: res.statusCode, body: data, reused: req.reusedSocket, headers: res.headers }))
    })
    req.on('error', reject)
    if (body !== undefined) req.write(body)
    req.end()
  })

test('unknown path 404, other methods 405, body over max-http-body 413, keep-alive', async (t) => {
  const server = await t.server()
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  t.defer(() => agent.destroy())
  const r404 = await request(agent, server.port, { path: '/nope' })
  checkEqual(r404.status, 404, 'GET /nope')
  checkEqual(JSON.parse(r404.body), { error: 'not found' }, 'GET /nope body')
  const r2 = await request(agent, server.port, { path: '/health' })
  checkEqual(r2.status, 200, 'GET /health')
  check(r2.reused, 'the second request did not reuse the keep-alive connection')
  const r405 = await request(agent, server.port, { method: 'POST', path: '/health', body: '{}', headers: { 'content-type': 'application/json' } })
  checkEqual(r405.status, 405, 'POST /health')
  const r405b = await request(agent, server.port, { method: 'DELETE', path: '/rooms/x' })
  checkEqual(r405b.status, 405, 'DELETE /rooms/x')
  const big = 'x'.repeat(65 * 1024)
  const r413 = await request(new http.Agent(), server.port, { method: 'POST', path: '/health', body: big, headers: { 'content-length': String(big.length) } }).catch((e) => ({ status: `error ${e.code}` }))
  checkEqual(r413.status, 413, 'POST with a body over max-http-body')
  const after = await httpGet(`${server.http}/health`)
  checkEqual(after.status, 200, 'the server still answers')
}, { zealOnly: true })

await run()
