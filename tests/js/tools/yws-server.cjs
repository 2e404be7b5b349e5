#!/usr/bin/env node
// The y-websocket reference server (y-websocket 2.x bin/utils setupWSConnection on a `ws` server), with
// the command line and log lines of zeal-crdt-server that the test harness and the benchmark rely on:
//   node tools/yws-server.cjs [--port N] [--host H] [other zeal options, ignored]
// stderr: `listening on http://HOST:PORT`; SIGTERM/SIGINT: close clients with 1001, `shutdown complete`,
// exit 0. It speaks only the y-websocket protocol (no /ws seed protocol, no HTTP endpoints, no limits,
// no query-awareness answer): the integration tests that need only y-websocket behaviour can run against
// it to check the harness (`node server/sync.test.mjs tools/yws-server.cjs`).
const http = require('node:http')
const { WebSocketServer } = require('ws')
const { setupWSConnection } = require('y-websocket/bin/utils')

let port = 8080
let host = '127.0.0.1'
const argv = process.argv.slice(2)
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]
  const [k, inline] = a.includes('=') ? a.split(/=(.*)/s) : [a, undefined]
  const val = () => (inline !== undefined ? inline : argv[++i])
  if (k === '-p' || k === '--port') port = Number(val())
  else if (k === '--host') host = val()
  else if (k.startsWith('--') && !['-v', '--verbose'].includes(k) && inline === undefined) i++ // skip the value
}

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' })
  res.end('okay')
})
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false })
wss.on('connection', setupWSConnection)
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
})
server.listen(port, host, () => {
  process.stderr.write(`yws-server: listening on http://${host}:${server.address().port}\n`)
})
const shutdown = () => {
  for (const ws of wss.clients) ws.close(1001, 'server shutting down')
  server.close(() => {
    process.stderr.write('yws-server: shutdown complete\n')
    process.exit(0)
  })
  setTimeout(() => {
    for (const ws of wss.clients) ws.terminate()
  }, 1000).unref()
}
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
