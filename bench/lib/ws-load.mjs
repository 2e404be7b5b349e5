// Shared by the load clients (bench/server/load.mjs, bench/cluster/cluster-load.mjs): raw `ws` connections
// that count as joined at their first server frame, precomputed Yjs update frames, /proc CPU ticks.
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(path.join(here, '../../tests/js/package.json'))
const { WebSocket } = require('ws')
const Y = require('yjs')

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
export const quantile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN)

/** utime + stime of a process in clock ticks (100/s); NaN once it is gone. */
export const cpuTicks = (pid) => {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ')
    return Number(rest[11]) + Number(rest[12])
  } catch {
    return NaN
  }
}

const varUint = (n) => {
  const out = []
  while (n > 127) {
    out.push((n & 127) | 128)
    n >>>= 7
  }
  out.push(n)
  return out
}

/** A y-websocket Update frame [0, 2, varUint8Array(update)]. */
export const updateFrame = (u) => {
  const len = varUint(u.length)
  const f = new Uint8Array(2 + len.length + u.length)
  f[0] = 0
  f[1] = 2
  f.set(len, 2)
  f.set(u, 2 + len.length)
  return Buffer.from(f)
}

export const isUpdateFrame = (d) => d[0] === 0 && d[1] === 2

/** n single-insert update frames of one sender (client id clientID). */
export const makeFrames = (clientID, n) => {
  const doc = new Y.Doc()
  doc.clientID = clientID
  const frames = []
  doc.on('update', (u) => frames.push(updateFrame(u)))
  const text = doc.getText('text')
  for (let i = 0; i < n; i++) text.insert(text.length, `edit ${i} of ${clientID}; `)
  doc.destroy()
  return frames
}

/** Opens a raw connection; resolves once its first server frame (SyncStep1) arrived. `ws.closes` records
 * every close (code, reason); onMessage gets every frame. */
export const connect = (url, onMessage) =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false })
    let joined = false
    ws.closes = []
    ws.on('message', (data) => {
      if (!joined) {
        joined = true
        resolve(ws)
      }
      if (onMessage) onMessage(data)
    })
    ws.on('error', (e) => {
      if (!joined) reject(new Error(`${url}: ${e.message}`))
    })
    ws.on('close', (code, reason) => {
      ws.closes.push({ code, reason: String(reason) })
      if (!joined) reject(new Error(`${url}: closed before join: ${code} ${reason}`))
    })
  })

/** Opens `count` connections with at most `parallel` handshakes in flight. */
export const connectMany = async (count, urlOf, onMessageOf, parallel = 100) => {
  const out = new Array(count)
  let next = 0
  const worker = async () => {
    while (next < count) {
      const i = next++
      out[i] = await connect(urlOf(i), onMessageOf ? onMessageOf(i) : null)
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker))
  return out
}

/** Closes every socket (`terminate`: drop at once; else a close handshake, terminated after 2 s). */
export const closeAll = async (sockets, { terminate = false } = {}) => {
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve()
          ws.once('close', resolve)
          if (terminate) {
            ws.terminate()
            setTimeout(resolve, 1000).unref()
            return
          }
          ws.close()
          setTimeout(() => {
            ws.terminate()
            resolve()
          }, 2000).unref()
        })
    )
  )
}
