// Helpers for the persistence tests (server/persistence.test.mjs, server/crash.test.mjs): /stats storage
// figures, "does document A already contain everything of state B", state vector comparison, the server's
// error lines and its `loaded from storage` / `snapshot written` lines.
import * as Y from 'yjs'
import { httpGet, waitFor } from './server.mjs'
import { renderDoc } from './render.mjs'

/** GET /stats → its "storage" object (throws if the response is not JSON or has none). */
export const storageStats = async (server) => {
  const r = await httpGet(`${server.http}/stats`)
  const j = r.json()
  if (!j.storage || typeof j.storage !== 'object') throw new Error(`/stats has no "storage" object: ${r.text}`)
  return j.storage
}

/** A new Y.Doc holding `update` (v1). */
export const docFromUpdate = (update) => {
  const d = new Y.Doc()
  Y.applyUpdate(d, update)
  return d
}

/** { "<client>": clock } of a Y.Doc or of encoded state vector bytes. */
export const svMap = (docOrSv) => {
  const sv = docOrSv instanceof Y.Doc ? Y.encodeStateVector(docOrSv) : docOrSv
  const o = {}
  for (const [client, clock] of Y.decodeStateVector(sv)) o[String(client)] = clock
  return o
}

/** The client ids for which `small` has a higher clock than `big` ([] if big ≥ small everywhere). */
export const svShortfall = (big, small) => {
  const b = svMap(big)
  const s = svMap(small)
  return Object.keys(s)
    .filter((c) => (b[c] ?? 0) < s[c])
    .map((c) => `client ${c}: has ${b[c] ?? 0}, needs ${s[c]}`)
}

/**
 * What `update` (v1, e.g. another client's full state) would add to `doc`: applied to a copy of doc;
 * returns null if nothing changes (no update event, same state vector, nothing left pending), else a
 * description of the difference.
 */
export const wouldAdd = (doc, update) => {
  const copy = docFromUpdate(Y.encodeStateAsUpdate(doc))
  const before = renderDoc(copy)
  const svBefore = Buffer.from(Y.encodeStateVector(copy)).toString('hex')
  let events = 0
  copy.on('update', () => events++)
  Y.applyUpdate(copy, update)
  const after = renderDoc(copy)
  const svAfter = Buffer.from(Y.encodeStateVector(copy)).toString('hex')
  const pending = copy.store.pendingStructs !== null || copy.store.pendingDs !== null
  copy.destroy()
  if (events === 0 && before === after && svBefore === svAfter && !pending) return null
  const parts = []
  if (events) parts.push(`${events} update event(s)`)
  if (svBefore !== svAfter) parts.push(`state vector ${svBefore} → ${svAfter}`)
  if (pending) parts.push('left something pending (missing dependencies)')
  if (before !== after) parts.push(`content changed:\n    before ${before.slice(0, 400)}\n    after  ${after.slice(0, 400)}`)
  return parts.join('; ')
}

/** Lines of a server log at level error/critical, or saying a room cannot be loaded. */
export const errorLines = (stderr) =>
  stderr.split('\n').filter((l) => /\[(error|critical)\]/.test(l) || /cannot be loaded/.test(l) || /storage write failed/.test(l))

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Regex source matching `room=<r> ` exactly (room names may contain spaces and regex characters). */
export const roomRe = (room) => `room=${escapeRe(room)} `

/** Every `loaded from storage` line of the log: [{ room, snapshotBytes, logEntries, ms }]. */
export const loadedLines = (stderr) => {
  const out = []
  for (const m of stderr.matchAll(/room=(.*) loaded from storage: snapshot (\d+) bytes, (\d+) log entries, ([0-9.]+) ms/g)) {
    out.push({ room: m[1], snapshotBytes: Number(m[2]), logEntries: Number(m[3]), ms: Number(m[4]) })
  }
  return out
}

/** Every `snapshot written` line of the log: [{ room, why, bytes, seq }]. */
export const snapshotLines = (stderr) => {
  const out = []
  for (const m of stderr.matchAll(/room=(.*) snapshot written \((\w+)\): (\d+) bytes, covers seq (\d+)/g)) {
    out.push({ room: m[1], why: m[2], bytes: Number(m[3]), seq: Number(m[4]) })
  }
  return out
}

/**
 * Waits for the server's `loaded from storage` lines of `rooms` (the log arrives through a pipe, so it may
 * lag behind an HTTP answer or a sync); returns them in the order of `rooms`.
 */
export const waitLoaded = (server, rooms, timeout = 5000) =>
  waitFor(
    () => {
      const byRoom = new Map()
      for (const l of loadedLines(server.stderr())) if (!byRoom.has(l.room)) byRoom.set(l.room, l)
      const found = rooms.map((r) => byRoom.get(r))
      return found.every((l) => l !== undefined) ? found : false
    },
    {
      timeout,
      what: `"loaded from storage" lines of ${rooms.length} room(s)`,
      describe: () => {
        const have = new Set(loadedLines(server.stderr()).map((l) => l.room))
        const missing = rooms.filter((r) => !have.has(r))
        return `  missing ${missing.length}, e.g. ${JSON.stringify(missing.slice(0, 5))}`
      }
    }
  )
