// y-protocols / seed messages as raw bytes, for raw `ws` clients: encoders for every message type the
// server understands and a decoder that turns a received frame into a plain object.
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'

export const MSG_SYNC = 0
export const MSG_AWARENESS = 1
export const MSG_AUTH = 2
export const MSG_QUERY_AWARENESS = 3
export const MSG_CUSTOM = 4
export const SYNC_STEP1 = 0
export const SYNC_STEP2 = 1
export const SYNC_UPDATE = 2

const build = (fn) => {
  const e = encoding.createEncoder()
  fn(e)
  return encoding.toUint8Array(e)
}

/** [0, 0, varUint8Array stateVector]; sv = a Y.Doc or state vector bytes (default: empty doc). */
export const syncStep1 = (sv = new Uint8Array([0])) =>
  build((e) => {
    encoding.writeVarUint(e, MSG_SYNC)
    encoding.writeVarUint(e, SYNC_STEP1)
    encoding.writeVarUint8Array(e, sv instanceof Y.Doc ? Y.encodeStateVector(sv) : sv)
  })

/** [0, 1, varUint8Array update]. */
export const syncStep2 = (update) =>
  build((e) => {
    encoding.writeVarUint(e, MSG_SYNC)
    encoding.writeVarUint(e, SYNC_STEP2)
    encoding.writeVarUint8Array(e, update)
  })

/** [0, 2, varUint8Array update]. */
export const syncUpdate = (update) =>
  build((e) => {
    encoding.writeVarUint(e, MSG_SYNC)
    encoding.writeVarUint(e, SYNC_UPDATE)
    encoding.writeVarUint8Array(e, update)
  })

/** The awareness update payload for [{clientID, clock, state}] (state null = removed). */
export const awarenessPayload = (entries) =>
  build((e) => {
    encoding.writeVarUint(e, entries.length)
    for (const { clientID, clock, state } of entries) {
      encoding.writeVarUint(e, clientID)
      encoding.writeVarUint(e, clock)
      encoding.writeVarString(e, JSON.stringify(state === undefined ? null : state))
    }
  })

/** [1, varUint8Array awarenessPayload]; entries as for awarenessPayload, or the payload bytes. */
export const awarenessMsg = (entries) =>
  build((e) => {
    encoding.writeVarUint(e, MSG_AWARENESS)
    encoding.writeVarUint8Array(e, entries instanceof Uint8Array ? entries : awarenessPayload(entries))
  })

/** [3]. */
export const queryAwareness = () => new Uint8Array([MSG_QUERY_AWARENESS])

/** [2, 0, varString reason] (what a server sends as permission denied; clients may send auth too). */
export const authMsg = (reason, sub = 0) =>
  build((e) => {
    encoding.writeVarUint(e, MSG_AUTH)
    encoding.writeVarUint(e, sub)
    encoding.writeVarString(e, reason)
  })

/** [4, ...payload] (seed custom message; the payload is opaque). */
export const customMsg = (payload) => {
  const p = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload
  const out = new Uint8Array(1 + p.length)
  out[0] = MSG_CUSTOM
  out.set(p, 1)
  return out
}

/** Decodes an awareness payload into [{clientID, clock, state}]. */
export const decodeAwarenessPayload = (payload) => {
  const d = decoding.createDecoder(payload)
  const n = decoding.readVarUint(d)
  const out = []
  for (let i = 0; i < n; i++) {
    const clientID = decoding.readVarUint(d)
    const clock = decoding.readVarUint(d)
    const state = JSON.parse(decoding.readVarString(d))
    out.push({ clientID, clock, state })
  }
  return out
}

/**
 * Decodes one received binary frame:
 *   sync      → { type: 'sync', sub: 'step1'|'step2'|'update', payload }
 *   awareness → { type: 'awareness', payload, entries }
 *   auth      → { type: 'auth', sub, reason }
 *   query     → { type: 'query' }
 *   custom    → { type: 'custom', payload }
 * Unknown / undecodable → { type: 'unknown', error }. `raw` is always the frame.
 */
export const decodeMessage = (buf) => {
  const raw = buf instanceof Uint8Array ? new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) : new Uint8Array(buf)
  try {
    const d = decoding.createDecoder(raw)
    const t = decoding.readVarUint(d)
    switch (t) {
      case MSG_SYNC: {
        const s = decoding.readVarUint(d)
        const payload = decoding.readVarUint8Array(d)
        return { type: 'sync', sub: ['step1', 'step2', 'update'][s] ?? `sync${s}`, payload, raw }
      }
      case MSG_AWARENESS: {
        const payload = decoding.readVarUint8Array(d)
        return { type: 'awareness', payload, entries: decodeAwarenessPayload(payload), raw }
      }
      case MSG_AUTH: {
        const sub = decoding.readVarUint(d)
        return { type: 'auth', sub, reason: decoding.readVarString(d), raw }
      }
      case MSG_QUERY_AWARENESS:
        return { type: 'query', raw }
      case MSG_CUSTOM:
        return { type: 'custom', payload: raw.subarray(1), raw }
      default:
        return { type: 'unknown', error: `type ${t}`, raw }
    }
  } catch (e) {
    return { type: 'unknown', error: String(e), raw }
  }
}

/** A short printable form of a decoded message (for failure output). */
export const describeMessage = (m) => {
  if (typeof m === 'string') return `text ${JSON.stringify(m)}`
  const hex = Buffer.from(m.raw).toString('hex')
  const h = hex.length > 80 ? hex.slice(0, 80) + '…' : hex
  switch (m.type) {
    case 'awareness':
      return `awareness ${JSON.stringify(m.entries)} (${h})`
    case 'auth':
      return `auth sub=${m.sub} reason=${JSON.stringify(m.reason)}`
    default:
      return `${m.type}${m.sub !== undefined ? ' ' + m.sub : ''} (${m.raw.length} B: ${h})`
  }
}
