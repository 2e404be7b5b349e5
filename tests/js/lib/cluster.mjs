// Harness for the multi-process cluster tests (tests/js/cluster/*.test.mjs): N zeal-crdt-server processes
// on loopback with free HTTP and cluster ports (bound to port 0, then closed), one temp dir per node
// (ini file, data dir, logs), started with `--config <node>.ini` (or the equivalent CLI flags), each
// waited for until `cluster: node ID listening on` and GET /cluster lists every member alive; kill -9,
// SIGTERM and restart of a node on the same ports and data dir; GET /cluster helpers (who owns a room);
// Yjs clients whose y-websocket provider can be replaced (same Y.Doc, another node) and that record every
// status change and close; seeded edit loops; raw y-protocols writers/observers that never re-upload what
// they received (so that "nothing lost" checks see the servers' state, not the clients' re-uploads).
// clusterTest(name, fn, opts) registers a runner test that owns the clusters it starts: on failure every
// node's log is printed (tail) and kept in the temp dir; on success the nodes stop with SIGTERM (exit 0).
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import * as Y from 'yjs'
import { WebSocket } from 'ws'
import { WebsocketProvider } from 'y-websocket'
import { test } from './runner.mjs'
import { httpGet, startServer, waitFor, withTimeout, tail } from './server.mjs'
import { rawClient } from './clients.mjs'
import { syncStep2, syncUpdate } from './proto.mjs'
import { renderDoc, toHex } from './render.mjs'
import { randomEdit, REMOTE } from './session.mjs'
import { svShortfall, wouldAdd } from './storage.mjs'

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// ---------------------------------------------------------------------------------------------------
// placement (contract: weight = splitmix64 mix of FNV-1a-64 over node id, 0x00, room; rank by weight
// descending, ties by smaller id). Used only to pick room names; /cluster is what the tests trust.

const M64 = (1n << 64n) - 1n
const FNV_OFFSET = 14695981039346656037n
const FNV_PRIME = 1099511628211n
const fnv = (h, bytes) => {
  for (const b of bytes) {
    h ^= BigInt(b)
    h = (h * FNV_PRIME) & M64
  }
  return h
}
const mix = (z) => {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64
  return z ^ (z >> 31n)
}
export const placementWeight = (nodeId, room) => mix(fnv(fnv(fnv(FNV_OFFSET, Buffer.from(nodeId, 'utf8')), [0]), Buffer.from(room, 'utf8')))
/** Node ids ranked for a room: [owner, replica, ...]. */
export const rankNodes = (room, ids) =>
  ids
    .map((id) => ({ id, w: placementWeight(id, room) }))
    .sort((a, b) => (a.w !== b.w ? (a.w > b.w ? -1 : 1) : Buffer.compare(Buffer.from(a.id), Buffer.from(b.id))))
    .map((x) => x.id)
/** The first name `${prefix}${k}` (k = 0, 1, ...) whose ranking starts with `want` (e.g. ['n1', 'n2']). */
export const roomRankedAs = (prefix, ids, want) => {
  for (let k = 0; k < 100000; k++) {
    const r = rankNodes(`${prefix}${k}`, ids)
    if (want.every((id, i) => r[i] === id)) return `${prefix}${k}`
  }
  throw new Error(`no room ${prefix}<k> ranked ${want}`)
}

// ---------------------------------------------------------------------------------------------------
// processes

const live = new Set() // every node process still running: killed if this process exits
process.on('exit', () => {
  for (const p of live) {
    try {
      p.kill('SIGKILL')
    } catch {
      // already gone
    }
  }
})

/** n distinct free TCP ports on 127.0.0.1 (bound to 0 together, then closed). */
export const freePorts = async (n) => {
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

const iniText = (o) =>
  [
    '; written by tests/js/lib/cluster.mjs',
    '[server]',
    'host = "127.0.0.1"',
    '[log]',
    `level = "${o.logLevel}"`,
    '[cluster]',
    `node-id = "${o.id}"`,
    'host = "127.0.0.1"',
    `port = ${o.clusterPort}`,
    `seeds = "${o.seeds}"`,
    `heartbeat-interval-ms = ${o.heartbeatMs}`,
    `connection-timeout-ms = ${o.timeoutMs}`,
    ''
  ].join('\n')

/**
 * Starts an n-node cluster of `binary`. Options: n (3), ids (['n1', ...]), heartbeatMs (200), timeoutMs
 * (2000), args (extra CLI args for every node, e.g. ['--snapshot-idle-seconds', '2']), flagsFor (indexes
 * of nodes started with CLI flags instead of --config), logLevel ('info'), startTimeout (ms per node),
 * wait (default true: wait until every node's /cluster lists all n alive).
 * Returns the cluster: { nodes, dir, node(id|index), alive(), waitMembers(), clusterJson(), roomHolders(),
 * waitOwner(), logs(), killAll(), stopAll() }.
 */
export const startCluster = async (binary, o = {}) => {
  const n = o.n ?? 3
  const ids = o.ids ?? Array.from({ length: n }, (_, i) => `n${i + 1}`)
  const heartbeatMs = o.heartbeatMs ?? 200
  const timeoutMs = o.timeoutMs ?? 2000
  const logLevel = o.logLevel ?? 'info'
  const flagsFor = new Set(o.flagsFor ?? [])
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zeal-cluster-'))
  const ports = await freePorts(2 * n)
  const seeds = ids.map((_, i) => `127.0.0.1:${ports[n + i]}`).join(',')
  const cluster = { dir, ids, nodes: [], startedAt: Date.now() }
  for (let i = 0; i < n; i++) {
    const id = ids[i]
    const ndir = path.join(dir, id)
    fs.mkdirSync(ndir)
    const ini = path.join(ndir, `${id}.ini`)
    const clusterPort = ports[n + i]
    fs.writeFileSync(ini, iniText({ id, clusterPort, seeds, heartbeatMs, timeoutMs, logLevel }))
    const clusterArgs = flagsFor.has(i)
      ? ['--log-level', logLevel, '--node-id', id, '--cluster-host', '127.0.0.1', '--cluster-port', String(clusterPort), '--seeds', seeds,
          '--cluster-heartbeat-ms', String(heartbeatMs), '--cluster-timeout-ms', String(timeoutMs)]
      : ['--config', ini]
    const node = makeNode(cluster, binary, { index: i, id, dir: ndir, ini, httpPort: ports[i], clusterPort, args: [...clusterArgs, ...(o.args ?? [])], startTimeout: o.startTimeout ?? 15000 })
    cluster.nodes.push(node)
  }
  cluster.extras = [] // processes added with addNode (not members the tests wait for)
  /**
   * Starts one more process with node id `id` (may duplicate a member's) and fresh ports, seeded with the
   * cluster's seeds; it is not in `nodes` (waitMembers/roomHolders ignore it) but in logs/killAll/stopAll.
   */
  cluster.addNode = async (id, { args = [] } = {}) => {
    const [httpPort, clusterPort] = await freePorts(2)
    const ndir = fs.mkdtempSync(path.join(dir, `extra-${id}-`))
    const ini = path.join(ndir, `${id}.ini`)
    fs.writeFileSync(ini, iniText({ id, clusterPort, seeds, heartbeatMs, timeoutMs, logLevel }))
    const node = makeNode(cluster, binary, { index: -1, id, dir: ndir, ini, httpPort, clusterPort, args: ['--config', ini, ...(o.args ?? []), ...args], startTimeout: o.startTimeout ?? 15000 })
    cluster.extras.push(node)
    await node.start()
    return node
  }
  cluster.node = (x) => (typeof x === 'number' ? cluster.nodes[x] : cluster.nodes.find((nd) => nd.id === x))
  cluster.alive = () => cluster.nodes.filter((nd) => nd.running)
  cluster.clusterJson = (nd) => clusterJson(nd)
  /** Waits until every node in `on` (default: the running ones) lists exactly `ids` as alive members. */
  cluster.waitMembers = (memberIds = cluster.alive().map((nd) => nd.id), { on = cluster.alive(), timeout = 15000 } = {}) =>
    waitMembers(on, memberIds, timeout)
  /** { nodeId: [rooms] } of the running nodes (GET /cluster "rooms"); a node that does not answer: null. */
  cluster.roomHolders = async (room) => {
    const out = {}
    for (const nd of cluster.alive()) {
      if (nd.paused) {
        out[nd.id] = null // SIGSTOPped: would not answer
        continue
      }
      try {
        const j = await clusterJson(nd, 1000)
        out[nd.id] = j.rooms.includes(room)
      } catch (e) {
        out[nd.id] = null
      }
    }
    return out
  }
  /**
   * Waits until exactly one running node lists `room` in /cluster "rooms" (and, if given, it is `want`);
   * returns that node.
   */
  cluster.waitOwner = async (room, { want, timeout = 10000, interval = 20 } = {}) => {
    let last = {}
    const id = await waitFor(
      async () => {
        last = await cluster.roomHolders(room)
        const holders = Object.keys(last).filter((k) => last[k] === true)
        if (holders.length !== 1) return false
        if (want !== undefined && holders[0] !== (typeof want === 'string' ? want : want.id)) return false
        return holders[0]
      },
      { timeout, interval, what: `exactly one node holding room ${room}${want ? ` (want ${typeof want === 'string' ? want : want.id})` : ''}`, describe: () => `  holders: ${JSON.stringify(last)}` }
    )
    return cluster.node(id)
  }
  /** Every process's log (tail of `lines` lines each; all with lines = Infinity). */
  cluster.logs = (lines = 120) => {
    const parts = []
    for (const nd of [...cluster.nodes, ...cluster.extras]) {
      nd.history.forEach((h, k) => {
        const e = h.server.exitInfo
        const state = e ? `exit ${JSON.stringify(e)}` : 'running'
        const log = lines === Infinity ? h.server.stderr() : tail(h.server.stderr(), lines)
        parts.push(`--- node ${nd.id} process #${k + 1} (http ${nd.httpPort}, cluster ${nd.clusterPort}, ${state}): ${h.server.argv.join(' ')}`)
        parts.push(log.replace(/^/gm, '  | '))
      })
    }
    return parts.join('\n')
  }
  cluster.writeLogs = () => {
    for (const nd of [...cluster.nodes, ...cluster.extras]) nd.history.forEach((h, k) => fs.writeFileSync(path.join(nd.dir, `stderr-${k + 1}.log`), h.server.stderr()))
  }
  cluster.killAll = async () => Promise.all([...cluster.nodes, ...cluster.extras].map((nd) => (nd.running ? nd.kill() : null)))
  /** SIGTERM, one node after the other (last first); throws unless each exits 0 with "shutdown complete". */
  cluster.stopAll = async () => {
    let err = null
    for (const nd of [...cluster.nodes, ...cluster.extras].reverse()) {
      if (!nd.running) continue
      if (nd.paused) nd.resume()
      try {
        await nd.stop()
      } catch (e) {
        err ??= e
      }
    }
    if (err) throw err
  }
  cluster.removeDir = () => fs.rmSync(dir, { recursive: true, force: true })
  try {
    await Promise.all(cluster.nodes.map((nd) => nd.start()))
    if (o.wait !== false) await cluster.waitMembers(ids)
  } catch (e) {
    await cluster.killAll()
    e.message += `\n${cluster.logs()}`
    throw e
  }
  return cluster
}

const makeNode = (cluster, binary, cfg) => {
  const node = {
    ...cfg,
    cluster,
    server: null,
    history: [], // [{ server }] one per process started
    running: false,
    paused: false,
    http: `http://127.0.0.1:${cfg.httpPort}`,
    ws: `ws://127.0.0.1:${cfg.httpPort}`,
    address: `127.0.0.1:${cfg.clusterPort}`,
    stderr: () => (node.server ? node.server.stderr() : ''),
    /** Starts the process (again: same ports, same data dir) and waits for its cluster listener line. */
    start: async ({ extraArgs = [] } = {}) => {
      if (node.running) throw new Error(`node ${node.id} is running`)
      const s = await startServer(binary, { dataDir: node.dir, port: node.httpPort, args: [...node.args, ...extraArgs], startTimeout: node.startTimeout })
      node.server = s
      node.history.push({ server: s })
      node.running = true
      live.add(s.proc)
      s.exited.then((e) => {
        s.exitInfo = e
        live.delete(s.proc)
        if (node.server === s) node.running = false
      })
      const re = new RegExp(`cluster: node ${node.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} listening on 127\\.0\\.0\\.1:${node.clusterPort}`)
      await s.waitForLog(re, node.startTimeout)
      return s
    },
    /** kill -9; resolves { code, signal }. */
    kill: async () => {
      const s = node.server
      const e = await s.kill()
      node.running = false
      return e
    },
    /** SIGTERM; resolves { code, signal, stderr } (check: exit 0 + "shutdown complete", else throws). */
    stop: async ({ timeout = 20000, check = true } = {}) => {
      const s = node.server
      const e = await s.stop({ timeout, check })
      node.running = false
      return e
    },
    /** SIGSTOP (a hung node: its sockets stay open, it answers nothing) / SIGCONT. */
    pause: () => {
      node.server.proc.kill('SIGSTOP')
      node.paused = true
    },
    resume: () => {
      node.server.proc.kill('SIGCONT')
      node.paused = false
    },
    restart: async (opts) => {
      if (node.running) await node.stop()
      return node.start(opts)
    }
  }
  return node
}

/** GET /cluster of a node → parsed JSON (throws unless 200 + JSON). */
export const clusterJson = async (node, timeout = 2000) => {
  const r = await httpGet(`${node.http}/cluster`, { timeout })
  if (r.status !== 200) throw new Error(`GET ${node.http}/cluster: status ${r.status}: ${r.text}`)
  return r.json()
}

const waitMembers = async (on, memberIds, timeout) => {
  const want = [...memberIds].sort()
  let last = {}
  await waitFor(
    async () => {
      for (const nd of on) {
        let j
        try {
          j = await clusterJson(nd, 1000)
        } catch (e) {
          last[nd.id] = String(e.message)
          return false
        }
        last[nd.id] = j
        const alive = j.members.filter((m) => m.state === 'alive').map((m) => m.id).sort()
        if (JSON.stringify(alive) !== JSON.stringify(want)) return false
      }
      return true
    },
    { timeout, interval: 25, what: `GET /cluster on ${on.map((nd) => nd.id)} listing members ${want} alive`, describe: () => `  last answers: ${JSON.stringify(last)}` }
  )
}

// ---------------------------------------------------------------------------------------------------
// clients

// y-websocket prints every auth (permission denied) frame with console.warn; a provider retrying a
// refused join every 200 ms would flood the output: the first 3 are printed, then only a count at exit.
let deniedWarnings = 0
const plainWarn = console.warn
console.warn = (...a) => {
  if (typeof a[0] === 'string' && a[0].startsWith('Permission denied')) {
    if (++deniedWarnings > 3) return
  }
  plainWarn(...a)
}
process.on('exit', () => {
  if (deniedWarnings > 3) plainWarn(`(y-websocket "Permission denied" warnings: ${deniedWarnings}, 3 printed)`)
})

let providerListeners = false
/**
 * A Yjs client in `room` whose y-websocket provider is connected to `node` and can be replaced by one to
 * another node keeping the same Y.Doc (moveTo). Records every provider event with a timestamp in
 * `events` ({ at, node, kind: 'status'|'close'|'error', status?, code?, reason? }) and closes in `closes`.
 * Same shape as clients.mjs providerClient (doc, provider, awareness, closes, waitSynced, render, destroy).
 */
/**
 * One client per node in `room` (client ids firstClientID + i), all synced, and the node holding the room
 * (per /cluster) checked against the placement. → { ranked (node ids, owner first), clients, owner,
 * survivors (the other nodes), onOwner, onOthers (clients on the other nodes), wsBefore (their sockets) }
 */
export const clientsOnEveryNode = async (ctx, cl, room, firstClientID) => {
  const ranked = rankNodes(room, cl.ids)
  const clients = cl.nodes.map((nd, i) => clusterClient(nd, room, { clientID: firstClientID + i, label: `client on ${nd.id}` }))
  for (const c of clients) ctx.defer(() => c.destroy())
  await Promise.all(clients.map((c) => c.waitSynced()))
  const owner = await cl.waitOwner(room)
  if (owner.id !== ranked[0]) throw new Error(`/cluster: ${room} is held by ${owner.id}, its placement owner is ${ranked[0]}`)
  const onOthers = clients.filter((c) => c.node !== owner)
  return {
    ranked,
    clients,
    owner,
    survivors: cl.nodes.filter((nd) => nd !== owner),
    onOwner: clients.find((c) => c.node === owner),
    onOthers,
    wsBefore: onOthers.map((c) => c.provider.ws)
  }
}

export const clusterClient = (node, room, { clientID, doc, label } = {}) => {
  if (!providerListeners) {
    process.setMaxListeners(200) // every WebsocketProvider adds a process 'exit' listener
    providerListeners = true
  }
  const d = doc ?? new Y.Doc()
  if (clientID !== undefined) d.clientID = clientID
  const c = {
    label: label ?? `client ${d.clientID}`,
    room,
    doc: d,
    node: null,
    provider: null,
    awareness: null,
    events: [],
    closes: [],
    received: 0 // remote updates applied to the doc (anything not originating from this doc)
  }
  d.on('update', (_u, origin) => {
    if (origin !== null && origin !== undefined && origin !== REMOTE) c.received++
  })
  const attach = (nd) => {
    const p = new WebsocketProvider(nd.ws, encodeURIComponent(room), d, { WebSocketPolyfill: WebSocket, disableBc: true, maxBackoffTime: 200 })
    c.node = nd
    c.provider = p
    c.awareness = p.awareness
    p.on('status', (e) => c.events.push({ at: Date.now(), node: nd.id, kind: 'status', status: e.status }))
    p.on('connection-close', (e) => {
      const x = { at: Date.now(), node: nd.id, kind: 'close', code: e?.code, reason: e?.reason }
      c.events.push(x)
      c.closes.push({ code: e?.code, reason: e?.reason })
    })
    p.on('connection-error', () => c.events.push({ at: Date.now(), node: nd.id, kind: 'error' }))
  }
  const detach = () => {
    if (!c.provider) return
    c.provider.destroy()
    c.provider.awareness.destroy()
    c.provider = null
  }
  attach(node)
  c.waitSynced = (t = 10000) =>
    waitFor(() => c.provider.synced, { timeout: t, what: `sync of ${c.label} in ${room} on ${c.node.id}`, describe: () => `  events (last 10 of ${c.events.length}): ${JSON.stringify(c.events.slice(-10))}` })
  c.render = () => renderDoc(d)
  /** Replaces the provider by one connected to `nd` (same Y.Doc). */
  c.moveTo = (nd) => {
    detach()
    attach(nd)
  }
  /** Events that mean the WebSocket was lost (status disconnected, close) at or after `since` (ms). */
  c.disconnectsSince = (since = 0) => c.events.filter((e) => e.at >= since && (e.kind === 'close' || (e.kind === 'status' && e.status === 'disconnected')))
  c.destroy = () => {
    detach()
    d.destroy()
  }
  return c
}

/**
 * Seeded edit loops: every client edits every `intervalMs` ms (one randomEdit, plus a marked text insert
 * every 5th edit so the text keeps growing) while running and editable(c). Returns { stop(), edits() }.
 */
export const editLoops = (clients, prngs, { intervalMs = 50, editable = () => true } = {}) => {
  let running = true
  const counts = clients.map(() => 0)
  const timers = clients.map((c, i) => {
    const prng = prngs[i]
    const loop = () => {
      if (!running) return
      if (editable(c)) {
        const k = counts[i]++
        if (k % 5 === 0) {
          const t = c.doc.getText('text')
          t.insert(prng.int(t.length + 1), `<${c.doc.clientID}:${k}>`)
        } else {
          randomEdit(prng, c.doc)
        }
      }
      timers[i] = setTimeout(loop, intervalMs)
    }
    return setTimeout(loop, prng.int(intervalMs))
  })
  return {
    stop: () => {
      running = false
      for (const t of timers) clearTimeout(t)
    },
    edits: () => counts.reduce((a, b) => a + b, 0),
    counts
  }
}

/** What a client has right now: { state (v1 update), sv, text, json }. */
export const snapshotDoc = (doc) => ({ state: Y.encodeStateAsUpdate(doc), sv: Y.encodeStateVector(doc), text: doc.getText('text').toString(), json: renderDoc(doc) })

/**
 * A raw y-protocols writer (`ws` socket, own Y.Doc): every local update goes up as an Update frame and is
 * recorded in `sent`; `echoed()` = its updates the server relayed back (the relay happens only after the
 * store, and the replica, confirmed them). It answers only the first SyncStep1 (the join's), so it never
 * re-uploads anything a server lost: every echoed update must stay in the room. edit() makes one text +
 * map edit (one transaction).
 */
export const rawWriter = async (node, room, clientID) => {
  const doc = new Y.Doc()
  doc.clientID = clientID
  const w = { node, room, doc, sent: new Map(), conn: null, n: 0 }
  const isOpen = () => w.conn !== null && w.conn.closeInfo === null && w.conn.ws.readyState === 1
  doc.on('update', (u, origin) => {
    if (origin === REMOTE || !isOpen()) return
    w.sent.set(toHex(u), u)
    w.conn.send(syncUpdate(u))
  })
  w.conn = await rawClient(`${node.ws}/${encodeURIComponent(room)}`)
  const s1 = await w.conn.next('sync:step1')
  w.conn.send(syncStep2(Y.encodeStateAsUpdate(doc, s1.payload))) // an empty doc: nothing to echo
  w.isOpen = isOpen
  w.edit = () => {
    if (!isOpen()) return false
    const k = w.n++
    doc.transact(() => {
      const t = doc.getText('text')
      t.insert(t.length, `[${clientID}:${k}]`)
      doc.getMap('map').set(`w${k % 50}`, k)
    })
    return true
  }
  w.echoed = () => w.conn.messages.filter((m) => m.type === 'sync' && m.sub === 'update' && w.sent.has(toHex(m.payload))).map((m) => m.payload)
  /** Waits until every update sent so far was echoed. */
  w.waitEchoed = (timeout = 10000) =>
    waitFor(() => new Set(w.echoed().map(toHex)).size >= w.sent.size, { timeout, what: `echo of all ${w.sent.size} updates of raw writer ${clientID} (echoed ${w.echoed().length})` })
  w.close = () => w.conn.terminate()
  return w
}

/**
 * A raw observer: a `ws` socket in `room` that never sends anything, and applies every update it
 * receives (SyncStep2 and Update frames) to its own Y.Doc. So the server's documents never get anything
 * back from it: what it saw must be in the servers' state.
 */
export const rawObserver = async (node, room) => {
  const doc = new Y.Doc()
  const o = { node, room, doc, conn: null, updates: 0 }
  o.conn = await rawClient(`${node.ws}/${encodeURIComponent(room)}`)
  o.conn.ws.on('message', () => {
    const m = o.conn.messages[o.conn.messages.length - 1]
    if (m && m.type === 'sync' && (m.sub === 'update' || m.sub === 'step2')) {
      Y.applyUpdate(doc, m.payload, REMOTE)
      o.updates++
    }
  })
  o.close = () => o.conn.terminate()
  return o
}

/**
 * null if `doc` already holds everything of `snap` (a snapshotDoc or a v1 update), else what is missing
 * (state vector shortfall and what applying it would change).
 */
export const missingFrom = (doc, snap) => {
  const state = snap instanceof Uint8Array ? snap : snap.state
  const more = wouldAdd(doc, state)
  if (more === null) return null
  const short = snap instanceof Uint8Array ? [] : svShortfall(doc, snap.sv)
  return `${short.length ? `state vector shortfall: ${short.join('; ')}; ` : ''}${more}`
}

/** GET /stats of a node → its "cluster" object (throws unless there is one). */
export const clusterStats = async (node) => {
  const r = await httpGet(`${node.http}/stats`)
  const j = r.json()
  if (!j.cluster || typeof j.cluster !== 'object') throw new Error(`${node.id}: /stats has no "cluster" object: ${r.text.slice(0, 300)}`)
  return j.cluster
}

/** GET /rooms/<room>/update on a node → a Y.Doc (throws unless 200). */
export const serverDoc = async (node, room, timeout = 5000) => {
  const r = await httpGet(`${node.http}/rooms/${encodeURIComponent(room)}/update`, { timeout })
  if (r.status !== 200) throw new Error(`GET ${node.id} /rooms/${room}/update: ${r.status} ${r.text.slice(0, 200)}`)
  const d = new Y.Doc()
  Y.applyUpdate(d, r.bytes)
  return d
}

/** GET /rooms/<room> on a node → { status, text }. */
export const roomText = async (node, room, timeout = 5000) => {
  const r = await httpGet(`${node.http}/rooms/${encodeURIComponent(room)}`, { timeout })
  return { status: r.status, text: r.text }
}

/** Lines of every process of the cluster matching re (with the node id in front). */
export const grepLogs = (cluster, re) =>
  [...cluster.nodes, ...cluster.extras].flatMap((nd) => nd.history.flatMap((h) => h.server.stderr().split('\n').filter((l) => re.test(l)).map((l) => `${nd.id}: ${l}`)))

// ---------------------------------------------------------------------------------------------------
// tests

/**
 * Registers a runner test that owns its clusters: fn(t, ctx) with ctx.start(opts) (startCluster with the
 * test's binary), ctx.defer(fn) (cleanup before the nodes stop, reverse order). The test body gets
 * opts.timeout (default 60 s); on failure or timeout every node's log tail is printed (full logs are written to
 * the cluster's temp dir, which is kept) and the nodes are killed; on success they stop with SIGTERM
 * (checked: exit 0, "shutdown complete") and the temp dir is removed.
 */
export const clusterTest = (name, fn, opts = {}) => {
  const timeout = opts.timeout ?? 60000
  test(
    name,
    async (t) => {
      const clusters = []
      const cleanups = []
      const ctx = {
        start: async (o = {}) => {
          const c = await startCluster(t.binary, o)
          clusters.push(c)
          return c
        },
        defer: (f) => cleanups.push(f)
      }
      let err = null
      try {
        await withTimeout(Promise.resolve().then(() => fn(t, ctx)), timeout, `test body "${name}"`)
      } catch (e) {
        err = e
      }
      for (const f of cleanups.reverse()) {
        try {
          await f()
        } catch (e) {
          err ??= e
        }
      }
      for (const c of clusters) {
        if (!err) {
          try {
            await c.stopAll()
          } catch (e) {
            err = e
          }
        } else {
          await c.killAll()
        }
      }
      if (err) {
        for (const c of clusters) {
          c.writeLogs()
          console.log(`  === cluster logs (full logs and data kept in ${c.dir}):\n${c.logs(opts.logLines ?? 150)}`)
        }
        throw err
      }
      for (const c of clusters) {
        if (process.env.ZEAL_CLUSTER_KEEP) {
          c.writeLogs()
          console.log(`  (ZEAL_CLUSTER_KEEP: logs and data kept in ${c.dir})`)
        } else {
          c.removeDir()
        }
      }
    },
    { ...opts, timeout: timeout + 60000 } // the body has `timeout`; then cleanup / SIGTERM of every node
  )
}
