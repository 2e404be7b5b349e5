// Cluster benchmark (issue 5): one load-client process (raw `ws`, precomputed Yjs update frames) against a
// 3-node zeal-crdt-server cluster on loopback (and a single node for comparison). Its own small launcher
// (tests/js/lib/server.mjs startServer per node, CLI flags --node-id n1..n3 --cluster-port --seeds), so
// that it does not depend on the test harness.
//
//   node bench/cluster/cluster-load.mjs --binary BUILD/app/server/zeal-crdt-server --scenario S [options] --json
//
// Scenarios (one JSON line each with --json):
//   latency  3 nodes n1..n3; --rooms rooms whose rendezvous owner is n1, --clients per room (1 sender at
//            --rate updates/s, the others receive), --duration s. Phase "local": every client of those
//            rooms connected to n1 (the owner); phase "remote": fresh rooms owned by n1, every client
//            connected to n2 (client → n2 → n1 → n2 → client); --order local,remote (default) or
//            remote,local. Latency = send → a receiver's receive of the same frame (matched by order: one
//            sender per room), p50/p99 over every delivery.
//   fanout   the same rooms × clients (room names not chosen: ~1/3 owned by each node) with the clients of
//            every room spread round-robin over the 3 nodes (--topology cluster), or all on one single-node
//            server (--topology single). Rising rate per sender (--steps, --step-seconds each, a pause to
//            drain between steps); a step passes when everything was delivered, p99 < --p99-limit ms and the
//            load client sent ≥ 95 % of the target. Result: the last passing step (delivered updates/s).
//   failover 3 nodes; --failover-rooms rooms owned by n1; in each a raw sender on n2 or n3 and a raw
//            receiver on the other survivor; every sender sends an independent probe update (a fresh
//            Y.Doc: no dependencies) every --probe-ms. kill -9 of n1, then per room: (a) ms until GET
//            /cluster of n2 or n3 lists the room, (b) ms until the first probe sent after the kill is
//            visible in the receiver's doc (Update or SyncStep2 frames applied to a Y.Doc). --repeats
//            fresh clusters.
// Common: --server-args "ARGS" (extra options for every node, e.g. "--in-memory"), --server-cpu LIST (run
// every node under `taskset -c LIST`), --heartbeat-ms / --timeout-ms ([cluster] heartbeat-interval-ms /
// connection-timeout-ms, defaults 500 / 3000 = the server's defaults).
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'

const here = path.dirname(fileURLToPath(import.meta.url))
const jsdir = path.join(here, '../../tests/js')
const require = createRequire(path.join(jsdir, 'package.json'))
const { WebSocket } = require('ws')
const Y = require('yjs')
const { startServer, httpGet, tail } = await import(path.join(jsdir, 'lib/server.mjs'))
const { sleep, quantile, cpuTicks, updateFrame, isUpdateFrame, makeFrames, connect, connectMany, closeAll } = await import(path.join(here, '../lib/ws-load.mjs'))

const args = process.argv.slice(2)
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : def
}
const flag = (name) => args.includes(`--${name}`)
const binary = path.resolve(opt('binary', path.join(here, '../../build-bench/app/server/zeal-crdt-server')))
const scenario = opt('scenario', 'latency')
const ROOMS = Number(opt('rooms', 100))
const CLIENTS = Number(opt('clients', 10))
const RATE = Number(opt('rate', 10))
const DURATION = Number(opt('duration', 8))
const TOPOLOGY = opt('topology', 'cluster')
const STEPS = opt('steps', '5,10,15,20,30,40,60,80').split(',').map(Number)
const STEP_SECONDS = Number(opt('step-seconds', 3))
const P99_LIMIT = Number(opt('p99-limit', 50))
const FAILOVER_ROOMS = Number(opt('failover-rooms', 10))
const PROBE_MS = Number(opt('probe-ms', 10))
const REPEATS = Number(opt('repeats', 1))
const HEARTBEAT_MS = Number(opt('heartbeat-ms', 500))
const TIMEOUT_MS = Number(opt('timeout-ms', 3000))
const SERVER_CPU = opt('server-cpu', null)
const EXTRA = opt('server-args', '').split(' ').filter(Boolean)
const IDS = ['n1', 'n2', 'n3']
const VERBOSE = flag('verbose')
const t00 = performance.now()
const say = (...a) => {
  if (VERBOSE) console.error(`[${((performance.now() - t00) / 1000).toFixed(2)} s]`, ...a)
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN
}
const r2 = (x) => (Number.isFinite(x) ? Number(x.toFixed(2)) : null)
// ---------------------------------------------------------------------------------------------------
// placement (contract 5): weight = splitmix64 finalizer of FNV-1a-64 over node id, 0x00, room; rank by
// weight descending, ties by smaller id. Only used to pick room names; /cluster confirms it.
const M64 = (1n << 64n) - 1n
const fnv = (h, bytes) => {
  for (const b of bytes) h = ((h ^ BigInt(b)) * 1099511628211n) & M64
  return h
}
const mix = (z) => {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64
  return z ^ (z >> 31n)
}
const weight = (id, room) => mix(fnv(fnv(fnv(14695981039346656037n, Buffer.from(id)), [0]), Buffer.from(room)))
const rank = (room, ids = IDS) =>
  ids
    .map((id) => ({ id, w: weight(id, room) }))
    .sort((a, b) => (a.w !== b.w ? (a.w > b.w ? -1 : 1) : a.id < b.id ? -1 : 1))
    .map((x) => x.id)
/** count room names `${prefix}${k}` whose owner is `owner`. */
const roomsOwnedBy = (prefix, owner, count) => {
  const out = []
  for (let k = 0; out.length < count; k++) if (rank(`${prefix}${k}`)[0] === owner) out.push(`${prefix}${k}`)
  return out
}

// ---------------------------------------------------------------------------------------------------
// processes: every node started here is SIGKILLed if this process exits (normally or by a signal)

const live = new Set()
const killLive = () => {
  for (const s of live) {
    try {
      s.proc.kill('SIGKILL')
    } catch {
      // gone
    }
    // startServer's temp dir (the parent of --data-dir), removed by stop()/kill() but not on this path
    const i = s.argv.indexOf('--data-dir')
    if (i >= 0) fs.rmSync(path.dirname(s.argv[i + 1]), { recursive: true, force: true })
  }
}
process.on('exit', killLive)
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killLive()
    process.exit(130)
  })
}

const freePorts = async (n) => {
  const servers = []
  try {
    for (let i = 0; i < n; i++) {
      const s = net.createServer()
      await new Promise((resolve, reject) => {
        s.once('error', reject)
        s.listen(0, '127.0.0.1', resolve)
      })
      servers.push(s)
    }
    return servers.map((s) => s.address().port)
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  }
}

const baseArgs = ['--max-rooms', '100000', '--max-clients-per-room', '100000', '--log-level', 'info']
const prefix = SERVER_CPU !== null ? ['taskset', '-c', SERVER_CPU] : []

const track = (s, id) => {
  s.id = id
  live.add(s)
  s.exited.then(() => live.delete(s))
  return s
}

/** One node without a cluster port. */
const startSingle = async () => {
  const s = track(await startServer(binary, { args: [...baseArgs, ...EXTRA], startTimeout: 20000, prefix }), 'single')
  return { nodes: [s], byId: { single: s } }
}

const clusterJson = async (s, timeout = 1000) => {
  const r = await httpGet(`${s.http}/cluster`, { timeout })
  if (r.status !== 200) throw new Error(`GET ${s.http}/cluster: ${r.status} ${r.text.slice(0, 200)}`)
  return r.json()
}

/** Three nodes n1..n3 on loopback, each seeded with all three; resolves once every /cluster lists 3 alive. */
const startCluster = async () => {
  const cports = await freePorts(IDS.length)
  const seeds = cports.map((p) => `127.0.0.1:${p}`).join(',')
  const nodes = await Promise.all(
    IDS.map(async (id, i) => {
      const s = track(
        await startServer(binary, {
          args: [...baseArgs, '--node-id', id, '--cluster-host', '127.0.0.1', '--cluster-port', String(cports[i]), '--seeds', seeds,
            '--cluster-heartbeat-ms', String(HEARTBEAT_MS), '--cluster-timeout-ms', String(TIMEOUT_MS), ...EXTRA],
          startTimeout: 20000,
          prefix
        }),
        id
      )
      await s.waitForLog(new RegExp(`cluster: node ${id} listening on`), 10000)
      say(`${id} started: ${s.http}, cluster port ${cports[i]}`)
      return s
    })
  )
  const byId = Object.fromEntries(nodes.map((s) => [s.id, s]))
  const end = Date.now() + 20000
  let last = null
  for (;;) {
    try {
      const js = await Promise.all(nodes.map((s) => clusterJson(s)))
      last = js
      if (js.every((j) => j.members.filter((m) => m.state === 'alive').length === IDS.length)) break
    } catch (e) {
      last = String(e.message)
    }
    if (Date.now() > end) {
      const logs = nodes.map((s) => `--- ${s.id}\n${tail(s.stderr(), 30)}`).join('\n')
      await stopAll({ nodes })
      throw new Error(`cluster did not form within 20 s: last /cluster ${JSON.stringify(last)}\n${logs}`)
    }
    await sleep(50)
  }
  say('cluster formed')
  return { nodes, byId }
}

const KEEP_LOGS = opt('keep-logs', null) // a directory: every node's stderr is written there when it stops
let logSeq = 0
const stopAll = async (c) => {
  await Promise.all(c.nodes.map((s) => s.kill()))
  if (KEEP_LOGS) {
    fs.mkdirSync(KEEP_LOGS, { recursive: true })
    const k = ++logSeq
    for (const s of c.nodes) fs.writeFileSync(path.join(KEEP_LOGS, `${scenario}-${k}-${s.id}.log`), s.stderr())
  }
}

// ---------------------------------------------------------------------------------------------------
// clients

/** Payload of a sync frame [0, sub, varUint8Array]: { sub, payload } or null. */
const syncPayload = (data) => {
  if (data.length < 3 || data[0] !== 0) return null
  let len = 0
  let shift = 0
  let i = 2
  for (; i < data.length; i++) {
    len |= (data[i] & 127) << shift
    shift += 7
    if (!(data[i] & 128)) break
  }
  i++
  return { sub: data[1], payload: data.subarray(i, i + len) }
}


const isUpdate = isUpdateFrame

/**
 * Opens the rooms: specs[r] = { name, sender: ws base URL, receivers: [ws base URL] }. Returns
 * { step(rate, seconds, pids) → stats, close() }. nFrames: frames precomputed per sender.
 */
const openLoad = async (specs, nFrames) => {
  const R = specs.length
  const frames = specs.map((_, r) => makeFrames(1000 + r, nFrames))
  const sendTimes = specs.map(() => new Float64Array(nFrames))
  const recvCount = specs.map((s) => new Uint32Array(s.receivers.length))
  const sentCount = new Uint32Array(R)
  let stepBase = new Uint32Array(R) // first frame index of the current step per room
  let lat = []
  let received = 0
  const receivers = []
  const senders = []
  for (let r = 0; r < R; r++) {
    const s = specs[r]
    const rs = await connectMany(
      s.receivers.length,
      (i) => `${s.receivers[i]}/${s.name}`,
      (i) => (d) => {
        if (!isUpdate(d)) return
        const k = recvCount[r][i]++
        if (k < nFrames && k >= stepBase[r] && sendTimes[r][k] > 0) {
          lat.push(performance.now() - sendTimes[r][k])
          received++
        }
      },
      s.receivers.length
    )
    receivers.push(...rs)
    senders.push(await connect(`${s.sender}/${s.name}`, null))
  }
  const missing = () => {
    let m = 0
    for (let r = 0; r < R; r++) for (let i = 0; i < recvCount[r].length; i++) m += Math.max(0, sentCount[r] - recvCount[r][i])
    return m
  }
  const step = async (rate, seconds, servers) => {
    stepBase = Uint32Array.from(sentCount)
    lat = []
    received = 0
    const cpu0 = servers.map((s) => cpuTicks(s.pid))
    const self0 = process.cpuUsage()
    const t0 = performance.now()
    const period = 1000 / rate
    const timers = []
    let exhausted = false
    await new Promise((resolve) => {
      for (let r = 0; r < R; r++) {
        timers.push(
          setTimeout(() => {
            const start = performance.now()
            let k = 0
            const tick = () => {
              if (performance.now() - t0 >= seconds * 1000) return
              const j = sentCount[r]
              if (j >= nFrames) {
                exhausted = true
                return
              }
              sendTimes[r][j] = performance.now()
              senders[r].send(frames[r][j])
              sentCount[r]++
              k++
              timers.push(setTimeout(tick, Math.max(0, start + k * period - performance.now())))
            }
            tick()
          }, (r * period) / R)
        )
      }
      setTimeout(resolve, seconds * 1000)
    })
    for (const x of timers) clearTimeout(x)
    const elapsed = (performance.now() - t0) / 1000
    const cpu1 = servers.map((s) => cpuTicks(s.pid))
    const self1 = process.cpuUsage(self0)
    const drainEnd = Date.now() + 3000
    while (missing() > 0 && Date.now() < drainEnd) await sleep(10)
    const undelivered = missing()
    let sent = 0
    for (let r = 0; r < R; r++) sent += sentCount[r] - stepBase[r]
    const receiversPerRoom = specs.reduce((a, s) => a + s.receivers.length, 0) / R
    lat.sort((a, b) => a - b)
    // undelivered frames count as late (beyond any limit) in the quantiles
    const all = undelivered ? lat.concat(Array(undelivered).fill(Infinity)) : lat
    const q = (x) => quantile(all, x)
    return {
      target_rate_per_sender: rate,
      seconds: r2(elapsed),
      senders: R,
      receivers_per_room: receiversPerRoom,
      updates_sent: sent,
      sent_per_s: Math.round(sent / elapsed),
      target_sent_per_s: Math.round(rate * R),
      delivered_per_s: Math.round(received / elapsed),
      p50_ms: r2(q(0.5)),
      p99_ms: r2(q(0.99)),
      max_ms: undelivered ? null : r2(lat[lat.length - 1]),
      undelivered_after_drain: undelivered,
      frames_exhausted: exhausted,
      server_cpu_pct: Object.fromEntries(servers.map((s, i) => [s.id, Math.round(((cpu1[i] - cpu0[i]) / 100 / elapsed) * 100)])),
      client_cpu_pct: Math.round(((self1.user + self1.system) / 1e6 / elapsed) * 100)
    }
  }
  const closes = () => [...senders, ...receivers].reduce((a, ws) => a + ws.closes.length, 0)
  const close = () => closeAll([...senders, ...receivers], { terminate: true })
  return { step, close, closes, frameBytes: frames[0][0].length }
}

/** The rooms of `names` listed in every node's /cluster "rooms": { nodeId: count }. */
const roomsListed = async (c, names) => {
  const out = {}
  for (const s of c.nodes) {
    const j = await clusterJson(s, 2000)
    const set = new Set(j.rooms)
    out[s.id] = names.filter((n) => set.has(n)).length
  }
  return out
}

const storageOf = (s) => (s.stderr().match(/storage: [^\n]*/) ?? [null])[0]

// ---------------------------------------------------------------------------------------------------
// scenarios

const latency = async () => {
  const c = await startCluster()
  const tag = `${process.pid}-${Date.now() % 100000}`
  const out = { scenario: 'latency', rooms: ROOMS, clients_per_room: CLIENTS, rate_per_sender: RATE, duration_s: DURATION, phases: {} }
  try {
    const nFrames = Math.ceil(RATE * DURATION) + 10
    const phases = [['local', 'n1'], ['remote', 'n2']]
    if (opt('order', 'local,remote') === 'remote,local') phases.reverse()
    out.order = phases.map((p) => p[0]).join(',')
    for (const [phase, via] of phases) {
      const names = roomsOwnedBy(`lat-${phase}-${tag}-`, 'n1', ROOMS)
      const url = c.byId[via].ws
      const load = await openLoad(names.map((name) => ({ name, sender: url, receivers: Array(CLIENTS - 1).fill(url) })), nFrames)
      say(`${phase}: ${names.length} rooms open via ${via}`)
      const listed = await roomsListed(c, names)
      await sleep(500)
      const st = await load.step(RATE, DURATION, c.nodes)
      st.rooms_listed = listed // which node loaded the rooms (GET /cluster "rooms"): all on n1
      st.client_closes = load.closes()
      out.phases[phase] = st
      out.frame_bytes = load.frameBytes
      await load.close()
    }
    out.storage_log = storageOf(c.nodes[0])
  } finally {
    await stopAll(c)
  }
  return out
}

const fanout = async () => {
  const c = TOPOLOGY === 'single' ? await startSingle() : await startCluster()
  const tag = `${process.pid}-${Date.now() % 100000}`
  const out = { scenario: 'fanout', topology: TOPOLOGY, rooms: ROOMS, clients_per_room: CLIENTS, step_seconds: STEP_SECONDS, p99_limit_ms: P99_LIMIT, steps: [] }
  try {
    const names = Array.from({ length: ROOMS }, (_, r) => `fan-${tag}-${r}`)
    const urls = c.nodes.map((s) => s.ws)
    // client j of room r (j = 0: the sender) on node (r + j) mod N
    const specs = names.map((name, r) => ({
      name,
      sender: urls[r % urls.length],
      receivers: Array.from({ length: CLIENTS - 1 }, (_, j) => urls[(r + j + 1) % urls.length])
    }))
    const nFrames = Math.ceil(STEPS.reduce((a, x) => a + x, 0) * STEP_SECONDS * 2 * 1.05) + 20
    const load = await openLoad(specs, nFrames)
    if (TOPOLOGY !== 'single') out.rooms_owned = await roomsListed(c, names)
    await sleep(500)
    // a failed step is tried once more (a single stall of a shared core, e.g. another process, can push a
    // 3 s step's p99 over the limit); the search stops when both attempts fail
    let stop = false
    for (const rate of STEPS) {
      for (let attempt = 1; attempt <= 2; attempt++) {
        const st = await load.step(rate, STEP_SECONDS, c.nodes)
        st.attempt = attempt
        st.pass = st.undelivered_after_drain === 0 && st.p99_ms !== null && st.p99_ms < P99_LIMIT && st.sent_per_s >= 0.95 * st.target_sent_per_s && !st.frames_exhausted
        out.steps.push(st)
        say(`fanout ${TOPOLOGY} ${rate}/s attempt ${attempt}: delivered ${st.delivered_per_s}/s p99 ${st.p99_ms} ms ${st.pass ? 'pass' : 'FAIL'}`)
        await sleep(300)
        if (st.pass) break
        if (attempt === 2) stop = true
      }
      if (stop) break
    }
    out.client_closes = load.closes()
    out.frame_bytes = load.frameBytes
    await load.close()
    const passed = out.steps.filter((s) => s.pass)
    out.best = passed.length ? passed[passed.length - 1] : null
    out.first_fail = stop ? out.steps[out.steps.length - 1] : null // the second failed attempt
    out.storage_log = storageOf(c.nodes[0])
  } finally {
    await stopAll(c)
  }
  return out
}

/** Probe frames for room r: independent updates (fresh doc each), key `p<i>` of root map "p". */
const probeFrames = (r, n) =>
  Array.from({ length: n }, (_, i) => {
    const d = new Y.Doc()
    d.clientID = 100000 + r * 10000 + i
    let f = null
    d.on('update', (u) => (f = updateFrame(u)))
    d.getMap('p').set(`p${i}`, i)
    d.destroy()
    return f
  })

const failoverOnce = async () => {
  const tag = `${process.pid}-${Date.now() % 100000}`
  const names = roomsOwnedBy(`fo-${tag}-`, 'n1', FAILOVER_ROOMS)
  // probes for 1.5 s before and 10 s after the kill (a fresh Y.Doc each: ~0.2 ms per probe, made up front)
  const nProbes = Math.ceil(11500 / PROBE_MS) + 50
  const allFrames = names.map((_, r) => probeFrames(r, nProbes))
  const c = await startCluster()
  const rooms = []
  try {
    for (let r = 0; r < names.length; r++) {
      const [sNode, rNode] = r % 2 ? ['n3', 'n2'] : ['n2', 'n3']
      const room = { name: names[r], frames: allFrames[r], sendTimes: new Float64Array(nProbes), seen: new Float64Array(nProbes), next: 0, sNode, rNode, replica: rank(names[r])[1] }
      const doc = new Y.Doc()
      doc.getMap('p').observe((ev) => {
        const now = performance.now()
        for (const k of ev.keysChanged) {
          const i = Number(k.slice(1))
          if (i < nProbes && !room.seen[i]) room.seen[i] = now
        }
      })
      room.frameTypes = {}
      room.receiver = await connect(`${c.byId[rNode].ws}/${room.name}`, (d) => {
        const p = syncPayload(d)
        const ty = `${d[0]}.${d[0] === 0 ? d[1] : ''}`
        room.frameTypes[ty] = (room.frameTypes[ty] ?? 0) + 1
        if (p && (p.sub === 1 || p.sub === 2)) {
          try {
            Y.applyUpdate(doc, p.payload)
          } catch {
            // not decodable: ignore
          }
        }
      })
      room.sender = await connect(`${c.byId[sNode].ws}/${room.name}`, null)
      rooms.push(room)
    }
    const send = () => {
      for (const room of rooms) {
        if (room.next >= nProbes || room.sender.readyState !== WebSocket.OPEN) continue
        room.sendTimes[room.next] = performance.now()
        room.sender.send(room.frames[room.next++])
      }
    }
    let timer = setInterval(send, PROBE_MS)
    await sleep(1500)
    const listedBefore = await roomsListed(c, names)
    say('before the kill:', rooms.map((room) => `${room.name} ${room.sNode}→${room.rNode} sent ${room.next} seen ${room.seen.filter((x) => x > 0).length} frames ${JSON.stringify(room.frameTypes)}`).join('\n'))
    // pre-kill latency of the probes (sent at least 200 ms ago)
    const preLat = []
    const cutoff = performance.now() - 200
    for (const room of rooms) for (let i = 0; i < room.next; i++) if (room.sendTimes[i] < cutoff) preLat.push(room.seen[i] ? room.seen[i] - room.sendTimes[i] : Infinity)
    preLat.sort((a, b) => a - b)
    const tKill = performance.now()
    c.byId.n1.proc.kill('SIGKILL')
    const survivors = [c.byId.n2, c.byId.n3]
    const owned = new Map() // room → { ms, node }
    const end = tKill + 10000
    let lastErr = null
    while (performance.now() < end) {
      const done = owned.size === rooms.length && rooms.every((room) => room.recovered !== undefined)
      if (done) break
      await Promise.all(
        survivors.map(async (s) => {
          try {
            const j = await clusterJson(s, 1000)
            const t = performance.now()
            const set = new Set(j.rooms)
            for (const room of rooms) if (!owned.has(room.name) && set.has(room.name)) owned.set(room.name, { ms: t - tKill, node: s.id })
          } catch (e) {
            lastErr = `${s.id}: ${e.message}`
          }
        })
      )
      for (const room of rooms) {
        if (room.recovered !== undefined) continue
        for (let i = 0; i < room.next; i++) {
          if (room.sendTimes[i] >= tKill && room.seen[i]) {
            room.recovered = room.seen[i] - tKill
            break
          }
        }
      }
      await sleep(10)
    }
    clearInterval(timer)
    const ownedMs = rooms.map((room) => owned.get(room.name)?.ms ?? Infinity)
    const recMs = rooms.map((room) => room.recovered ?? Infinity)
    const res = {
      rooms: rooms.length,
      owner_ms_median: r2(median(ownedMs)),
      owner_ms_max: r2(Math.max(...ownedMs)),
      delivered_ms_median: r2(median(recMs)),
      delivered_ms_max: r2(Math.max(...recMs)),
      new_owner_is_replica: rooms.filter((room) => owned.get(room.name)?.node === room.replica).length,
      pre_kill_probe_p50_ms: r2(quantile(preLat, 0.5)),
      pre_kill_probe_p99_ms: r2(quantile(preLat, 0.99)),
      rooms_listed_before: listedBefore,
      client_closes: rooms.reduce((a, room) => a + room.sender.closes.length + room.receiver.closes.length, 0),
      recovered_rooms: recMs.filter(Number.isFinite).length,
      last_poll_error: lastErr
    }
    if (res.recovered_rooms < rooms.length || owned.size < rooms.length) {
      res.logs = survivors.map((s) => `--- ${s.id}\n${tail(s.stderr(), 40)}`).join('\n')
    }
    await closeAll(rooms.flatMap((room) => [room.sender, room.receiver]), { terminate: true })
    return res
  } finally {
    await stopAll(c)
  }
}

const failover = async () => {
  const runs = []
  for (let i = 0; i < REPEATS; i++) runs.push(await failoverOnce())
  return { scenario: 'failover', failover_rooms: FAILOVER_ROOMS, probe_ms: PROBE_MS, heartbeat_ms: HEARTBEAT_MS, timeout_ms: TIMEOUT_MS, runs }
}

const r = scenario === 'latency' ? await latency() : scenario === 'fanout' ? await fanout() : scenario === 'failover' ? await failover() : null
if (!r) {
  console.error(`unknown --scenario ${scenario}`)
  process.exit(2)
}
r.server_args = EXTRA.join(' ')
r.node = process.version
r.host = `${os.cpus()[0].model} (${os.cpus().length} cores)`
if (flag('json')) console.log(JSON.stringify(r))
else console.error(JSON.stringify(r, null, 1))
process.exit(0)
