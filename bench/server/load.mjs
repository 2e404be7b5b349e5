// Server load benchmark: one load-client process (raw `ws`, precomputed real Yjs update frames, so the
// client side costs little) against zeal-crdt-server or the y-websocket reference server.
//
//   node bench/server/load.mjs --server zeal --binary build/app/server/zeal-crdt-server [options]
//   node bench/server/load.mjs --server yws [options]       (tests/js/tools/yws-server.cjs: y-websocket 2.x
//                                                            bin/utils setupWSConnection on `ws`)
// Options: --scenario rate|max|idle|all (all), --rooms 100, --clients 10 (per room, one of them sends),
//   --rate 20 (updates/s per sender, scenario rate), --duration 10 (s), --window 8 (max: updates in
//   flight per sender, counted until its own echo), --idle-connections 10000, --json (one JSON line),
//   --server-cpu N (run the server under taskset -c N; run.sh pins the load client to the other core),
//   --server-args "ARGS" (extra zeal-crdt-server options, e.g. "--actor-threads 1" or "--in-memory").
// Zeal results also carry the server's `storage: ...` start-up line and the "storage" object of its
// GET /stats after the drain (null if it has none), so a persistence run can show it really stored.
//
// rate/max: each room has 1 sender + (clients-1) receivers; the sender's k-th update is matched to the
// k-th update frame a receiver gets in that room (one sender per room, the servers relay in order), so
// latency = receive time − send time of the same frame, in this process (performance.now()).
// "delivered/s" counts update frames received by receivers (not the senders' own echoes).
// idle: server VmRSS (/proc/<pid>/status) after start + 1 s, then after N connections spread over the
// rooms (100 per room) have joined (their SyncStep1 arrived) and 2 s of quiet; (after − before) / N.
import fs from 'node:fs'
import path from 'node:path'
import os from 'node:os'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'

const here = path.dirname(fileURLToPath(import.meta.url))
const jsdir = path.join(here, '../../tests/js')
const require = createRequire(path.join(jsdir, 'package.json'))
const { startServer, httpGet } = await import(path.join(jsdir, 'lib/server.mjs'))
const { sleep, quantile, cpuTicks, makeFrames, isUpdateFrame, connect: wsConnect, connectMany: wsConnectMany, closeAll } =
  await import(path.join(here, '../lib/ws-load.mjs'))
/** Raw connections (joined at their first frame) whose `onUpdate` sees only Update frames. */
const onlyUpdates = (onUpdate) => (onUpdate ? (d) => isUpdateFrame(d) && onUpdate(d) : null)
const connect = (url, onUpdate) => wsConnect(url, onlyUpdates(onUpdate))
const connectMany = (count, urlOf, onUpdateOf, parallel) =>
  wsConnectMany(count, urlOf, onUpdateOf ? (i) => onlyUpdates(onUpdateOf(i)) : null, parallel)

const args = process.argv.slice(2)
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : def
}
const flag = (name) => args.includes(`--${name}`)
const kind = opt('server', 'zeal')
const binary = kind === 'yws' ? path.join(jsdir, 'tools/yws-server.cjs') : opt('binary', path.join(here, '../../build/app/server/zeal-crdt-server'))
const scenario = opt('scenario', 'all')
const ROOMS = Number(opt('rooms', 100))
const CLIENTS = Number(opt('clients', 10))
const RATE = Number(opt('rate', 20))
const DURATION = Number(opt('duration', 10))
const WINDOW = Number(opt('window', 8))
const IDLE = Number(opt('idle-connections', 10000))

const vmRSS = (pid) => {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)
  return m ? Number(m[1]) * 1024 : NaN
}


// log level info: the harness reads the `listening on` line (info); per-message logging is debug only
const serverArgs = ['--max-rooms', '100000', '--max-clients-per-room', '100000', '--log-level', 'info', ...(opt('server-args', '').split(' ').filter(Boolean))]
const SERVER_CPU = opt('server-cpu', null) // e.g. 1: the server runs under `taskset -c 1`
const start = () =>
  startServer(binary, {
    args: kind === 'yws' ? [] : serverArgs,
    startTimeout: 20000,
    prefix: SERVER_CPU !== null ? ['taskset', '-c', SERVER_CPU] : []
  })

/** rate or max scenario. */
const traffic = async (mode) => {
  const server = await start()
  const perSender = mode === 'rate' ? Math.ceil(RATE * DURATION) + 5 : 200000
  const nFrames = mode === 'rate' ? perSender : Math.min(perSender, 4000)
  const frames = Array.from({ length: ROOMS }, (_, r) => makeFrames(1000 + r, nFrames))
  const sendTimes = Array.from({ length: ROOMS }, () => new Float64Array(nFrames))
  const recvCount = Array.from({ length: ROOMS }, () => new Uint32Array(CLIENTS)) // per receiver
  const echoCount = new Uint32Array(ROOMS)
  const sentCount = new Uint32Array(ROOMS)
  const lat = []
  let delivered = 0
  let measuring = false
  const room = (r) => `${server.ws}/bench-${mode}-${r}`
  const senders = []
  const receivers = []
  for (let r = 0; r < ROOMS; r++) {
    const rs = await connectMany(
      CLIENTS - 1,
      () => room(r),
      (i) => () => {
        const k = recvCount[r][i]++
        if (k < nFrames && sendTimes[r][k] > 0) {
          lat.push(performance.now() - sendTimes[r][k]) // every frame sent in the window, even if late
          if (measuring) delivered++
        }
      },
      CLIENTS
    )
    receivers.push(...rs)
  }
  let pump = null
  for (let r = 0; r < ROOMS; r++) {
    const ws = await connect(room(r), () => {
      echoCount[r]++
      if (pump) pump(r)
    })
    senders.push(ws)
  }
  const send = (r) => {
    const k = sentCount[r]
    if (k >= nFrames) return false
    sendTimes[r][k] = performance.now()
    senders[r].send(frames[r][k])
    sentCount[r]++
    return true
  }
  const cpu0 = cpuTicks(server.pid)
  const self0 = process.cpuUsage()
  const t0 = performance.now()
  measuring = true
  if (mode === 'rate') {
    // every sender at RATE/s, phases spread over the period
    const period = 1000 / RATE
    const timers = []
    await new Promise((resolve) => {
      for (let r = 0; r < ROOMS; r++) {
        setTimeout(() => {
          const start = performance.now()
          let k = 0
          const tick = () => {
            if (performance.now() - t0 >= DURATION * 1000) return
            send(r)
            k++
            const due = start + k * period - performance.now()
            timers.push(setTimeout(tick, Math.max(0, due)))
          }
          tick()
        }, (r * period) / ROOMS)
      }
      setTimeout(resolve, DURATION * 1000)
    })
    for (const x of timers) clearTimeout(x)
  } else {
    // max: keep WINDOW updates in flight per sender (until its own echo)
    pump = (r) => {
      while (sentCount[r] - echoCount[r] < WINDOW && performance.now() - t0 < DURATION * 1000) if (!send(r)) break
    }
    for (let r = 0; r < ROOMS; r++) pump(r)
    await sleep(DURATION * 1000)
    pump = null
  }
  const elapsed = (performance.now() - t0) / 1000
  const cpu1 = cpuTicks(server.pid)
  const self1 = process.cpuUsage(self0)
  const rssLoaded = vmRSS(server.pid)
  measuring = false
  // drain: wait until every receiver got everything sent (up to 10 s)
  const expected = () => {
    let missing = 0
    for (let r = 0; r < ROOMS; r++) for (let i = 0; i < CLIENTS - 1; i++) missing += Math.max(0, sentCount[r] - recvCount[r][i])
    return missing
  }
  const drainEnd = Date.now() + 10000
  while (expected() > 0 && Date.now() < drainEnd) await sleep(20)
  const missing = expected()
  const sent = sentCount.reduce((a, b) => a + b, 0)
  let storage = null
  if (kind === 'zeal') {
    try {
      storage = (await httpGet(`${server.http}/stats`)).json().storage ?? null
    } catch {
      storage = null
    }
  }
  const storageLog = (server.stderr().match(/storage: [^\n]*/) ?? [null])[0]
  await closeAll([...senders, ...receivers])
  await server.stop({ check: false })
  lat.sort((a, b) => a - b)
  return {
    scenario: mode,
    rooms: ROOMS,
    clients_per_room: CLIENTS,
    rate_per_sender: mode === 'rate' ? RATE : null,
    window: mode === 'max' ? WINDOW : null,
    seconds: Number(elapsed.toFixed(2)),
    updates_sent: sent,
    sent_per_s: Math.round(sent / elapsed),
    delivered_per_s: Math.round(delivered / elapsed),
    p50_ms: Number(quantile(lat, 0.5).toFixed(2)),
    p99_ms: Number(quantile(lat, 0.99).toFixed(2)),
    max_ms: Number((lat[lat.length - 1] ?? NaN).toFixed(2)),
    undelivered_after_drain: missing,
    server_cpu_pct: Math.round(((cpu1 - cpu0) / 100 / elapsed) * 100),
    client_cpu_pct: Math.round(((self1.user + self1.system) / 1e6 / elapsed) * 100),
    server_rss_mib: Number((rssLoaded / 1048576).toFixed(1)),
    frame_bytes: frames[0][0].length,
    ...(kind === 'zeal' ? { server_args: serverArgs.slice(6).join(' '), storage_log: storageLog, storage } : {})
  }
}

/** idle scenario: RSS per idle connection. */
const idle = async () => {
  const server = await start()
  await sleep(1000)
  const before = vmRSS(server.pid)
  const perRoom = 100
  const t0 = performance.now()
  const sockets = await connectMany(IDLE, (i) => `${server.ws}/idle-${Math.floor(i / perRoom)}`, null, 200)
  const connectS = (performance.now() - t0) / 1000
  await sleep(2000)
  const after = vmRSS(server.pid)
  await closeAll(sockets)
  await server.stop({ check: false })
  return {
    scenario: 'idle',
    connections: IDLE,
    rooms: Math.ceil(IDLE / perRoom),
    connect_per_s: Math.round(IDLE / connectS),
    rss_before_mib: Number((before / 1048576).toFixed(1)),
    rss_after_mib: Number((after / 1048576).toFixed(1)),
    rss_per_connection_bytes: Math.round((after - before) / IDLE)
  }
}

const results = []
const scenarios = scenario === 'all' ? ['rate', 'max', 'idle'] : [scenario]
for (const s of scenarios) {
  const r = s === 'idle' ? await idle() : await traffic(s)
  r.server = kind
  r.node = process.version
  r.host = `${os.cpus()[0].model} (${os.cpus().length} cores)`
  results.push(r)
  if (flag('json')) console.log(JSON.stringify(r))
  else console.error(JSON.stringify(r, null, 1))
}
process.exit(0)
