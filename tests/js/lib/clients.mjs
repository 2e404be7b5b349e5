// Clients for the server integration tests:
//  - rawClient: a `ws` WebSocket that records every frame (binary decoded with proto.mjs, text as string)
//    and its close code + reason, with awaitable "next message matching ..." and "closed".
//  - providerClient: a real Y.Doc behind a y-websocket WebsocketProvider (ws as the WebSocket, no
//    BroadcastChannel), with awaitable sync and its close events recorded.
import * as Y from 'yjs'
import { WebSocket } from 'ws'
import { WebsocketProvider } from 'y-websocket'
import { decodeMessage, describeMessage } from './proto.mjs'
import { withTimeout, waitFor } from './server.mjs'
import { renderDoc } from './render.mjs'

/**
 * Opens a raw WebSocket. By default waits until it is open (throws if it closes first or the upgrade is
 * refused); with { open: false } returns at once (for connections the server is expected to close).
 * wsOptions go to the `ws` constructor (e.g. { autoPong: false }). `pings` counts pings received.
 * Returns { ws, url, messages, send(bytes|string), next(filter, timeout), closed, close(code, reason),
 * terminate(), log() }. `messages` holds everything received, in order; next() consumes from a cursor.
 */
export const rawClient = async (url, { open = true, timeout = 5000, maxPayload = 256 * 1024 * 1024, wsOptions = {} } = {}) => {
  const ws = new WebSocket(url, { maxPayload, perMessageDeflate: false, ...wsOptions })
  ws.binaryType = 'nodebuffer'
  const messages = []
  const waiters = []
  let closeInfo = null
  let upgradeError = null
  const closed = new Promise((resolve) => {
    ws.on('close', (code, reason) => {
      closeInfo = { code, reason: reason.toString('utf8') }
      resolve(closeInfo)
      for (const w of waiters.splice(0)) w.reject(new Error(`connection closed ${JSON.stringify(closeInfo)} while waiting for ${w.what}`))
    })
  })
  ws.on('error', (e) => {
    upgradeError = e
  })
  let pings = 0
  ws.on('ping', () => pings++)
  ws.on('unexpected-response', (_req, res) => {
    upgradeError = new Error(`upgrade refused: HTTP ${res.statusCode}`)
    ws.terminate()
  })
  ws.on('message', (data, isBinary) => {
    const m = isBinary ? decodeMessage(new Uint8Array(data)) : data.toString('utf8')
    messages.push(m)
    // wake the first waiter whose filter matches a not yet consumed message
    for (let i = 0; i < waiters.length; i++) {
      const w = waiters[i]
      const idx = findFrom(w.filter)
      if (idx >= 0) {
        waiters.splice(i, 1)
        i--
        take(idx, w.resolve)
      }
    }
  })
  const taken = new Set() // indexes of messages handed out by next()
  const findFrom = (filter) => {
    for (let i = 0; i < messages.length; i++) if (!taken.has(i) && filter(messages[i])) return i
    return -1
  }
  const take = (idx, resolve) => {
    taken.add(idx)
    resolve(messages[idx])
  }
  const c = {
    ws,
    url,
    messages,
    closed,
    get closeInfo() {
      return closeInfo
    },
    get error() {
      return upgradeError
    },
    get pings() {
      return pings
    },
    send: (data) => ws.send(data),
    /**
     * The next not yet consumed message for which filter(m) holds (filter: function, or a type string like
     * 'awareness' / 'sync:update' / 'text'). Messages skipped over stay available for later next() calls.
     */
    next: (filter = () => true, t = timeout) => {
      const f = toFilter(filter)
      const what = typeof filter === 'string' ? filter : 'message'
      const idx = findFrom(f)
      if (idx >= 0) return new Promise((resolve) => take(idx, resolve))
      if (closeInfo) return Promise.reject(new Error(`connection closed ${JSON.stringify(closeInfo)} before ${what}; got:\n${c.log()}`))
      const p = new Promise((resolve, reject) => waiters.push({ filter: f, resolve, reject, what }))
      return withTimeout(p, t, `${what} on ${url}; got so far:\n${c.log()}`).catch((e) => {
        const i = waiters.findIndex((w) => w.filter === f)
        if (i >= 0) waiters.splice(i, 1)
        throw e
      })
    },
    /** Resolves { code, reason } when closed; rejects after t ms. */
    waitClosed: (t = timeout) => withTimeout(closed, t, `close of ${url}; got so far:\n${c.log()}`),
    close: (code, reason) => ws.close(code, reason),
    terminate: () => ws.terminate(),
    log: () => messages.map((m, i) => `  #${i} ${describeMessage(m)}`).join('\n') || '  (nothing)'
  }
  if (open) {
    await withTimeout(
      new Promise((resolve, reject) => {
        ws.once('open', resolve)
        ws.once('close', (code, reason) => reject(new Error(`closed before open: ${code} ${reason} ${upgradeError ?? ''}`)))
        ws.once('error', (e) => reject(e))
      }),
      timeout,
      `open of ${url}`
    )
  }
  return c
}

const toFilter = (f) => {
  if (typeof f === 'function') return f
  const [type, sub] = f.split(':')
  if (type === 'text') return (m) => typeof m === 'string'
  return (m) => typeof m !== 'string' && m.type === type && (sub === undefined || m.sub === sub)
}

/**
 * A Y.Doc synced through a y-websocket WebsocketProvider. Options: clientID, connect (default true),
 * params. Returns { doc, provider, awareness, closes, waitSynced(t), render(), destroy() }.
 * `closes` records every { code, reason } the provider's sockets were closed with.
 */
export const providerClient = (serverUrl, room, { clientID, connect = true, params = {} } = {}) => {
  const doc = new Y.Doc()
  if (clientID !== undefined) doc.clientID = clientID
  const provider = new WebsocketProvider(serverUrl, room, doc, {
    WebSocketPolyfill: WebSocket,
    disableBc: true,
    connect,
    params,
    maxBackoffTime: 200
  })
  const closes = []
  provider.on('connection-close', (event) => {
    if (event) closes.push({ code: event.code, reason: event.reason })
  })
  return {
    doc,
    provider,
    awareness: provider.awareness,
    closes,
    waitSynced: (t = 5000) =>
      waitFor(() => provider.synced, { timeout: t, what: `sync of ${room} (closes: ${JSON.stringify(closes)})` }),
    render: () => renderDoc(doc),
    destroy: () => {
      provider.destroy()
      provider.awareness.destroy()
      doc.destroy()
    }
  }
}

/**
 * Yjs replaces the two halves of a surrogate pair by U+FFFD in the client that splits a string item
 * between them (ContentString.splice), and only there; so random UTF-16 position edits around astral
 * characters leave documents that differ exactly there. Comparisons map every surrogate to U+FFFD.
 */
export const normalizeSurrogates = (s) => s.replace(/[\uD800-\uDFFF]/g, '\uFFFD')

/**
 * Waits until every client's doc renders the same JSON (and, if given, equal to `expected`), up to
 * normalizeSurrogates. Returns the (normalized) rendering.
 */
export const waitConverged = (clients, { timeout = 10000, expected } = {}) =>
  waitFor(
    () => {
      const r = clients.map((c) => normalizeSurrogates(c.render()))
      return r.every((x) => x === r[0]) && (expected === undefined || r[0] === expected) ? r[0] : false
    },
    {
      timeout,
      what: 'convergence',
      describe: () =>
        clients
          .map((c, i) => `  client ${i} (${c.doc.clientID}, synced=${c.provider.synced}, closes=${JSON.stringify(c.closes)}): ${c.render()}`)
          .join('\n') + (expected !== undefined ? `\n  expected: ${expected}` : '')
    }
  )
