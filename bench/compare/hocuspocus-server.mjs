// Hocuspocus peer for bench/compare/run.sh: a plain @hocuspocus/server (no extensions, no persistence, any
// token accepted) on 127.0.0.1. Prints `listening on http://127.0.0.1:PORT` to stderr once it listens.
// SIGTERM/SIGINT → destroy() and exit 0.
// Usage: node hocuspocus-server.mjs --port P
import { Server } from '@hocuspocus/server'

const usage = (msg) => {
  process.stderr.write(`hocuspocus-server: ${msg}\nusage: node hocuspocus-server.mjs --port P\n`)
  process.exit(2)
}

const args = process.argv.slice(2)
let port = null
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--port' && i + 1 < args.length) {
    const v = args[++i]
    if (!/^\d{1,5}$/.test(v) || Number(v) < 1 || Number(v) > 65535) usage(`bad port '${v}'`)
    port = Number(v)
  } else {
    usage(`unknown argument '${args[i]}'`)
  }
}
if (port === null) usage('--port is required')

const server = new Server({ port, address: '127.0.0.1', quiet: true, stopOnSignals: false })

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  // destroy() waits for every document to unload; do not hang the runner if one never does
  setTimeout(() => process.exit(0), 3000).unref()
  try {
    await server.destroy()
  } catch (e) {
    process.stderr.write(`hocuspocus-server: destroy failed: ${e?.message ?? e}\n`)
  }
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)

server.httpServer.on('error', (e) => {
  process.stderr.write(`hocuspocus-server: ${e.message}\n`)
  process.exit(1)
})

try {
  await server.listen()
} catch (e) {
  process.stderr.write(`hocuspocus-server: listen failed: ${e?.message ?? e}\n`)
  process.exit(1)
}
process.stderr.write(`listening on http://127.0.0.1:${server.address.port}\n`)
