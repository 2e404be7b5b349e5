// Captures real y-websocket 1.5.4 frames: bundled server (bin/utils.js setupWSConnection) and two
// WebsocketProvider clients over ws on localhost. Prints every frame as hex with direction.
const http = require('http')
const WebSocket = require('ws')
const Y = require('yjs')
const { setupWSConnection } = require('y-websocket/bin/utils')
const { WebsocketProvider } = require('y-websocket')

const hex = (u8) => Buffer.from(u8).toString('hex')
const log = []
const server = http.createServer()
const wss = new WebSocket.Server({ server })
let connNo = 0
wss.on('connection', (conn, req) => {
  const id = ++connNo
  const send = conn.send.bind(conn)
  conn.send = (m, cb) => { log.push(`server->c${id} ${hex(m)}`); return send(m, cb) }
  conn.on('message', (m) => log.push(`c${id}->server ${hex(new Uint8Array(m))}`))
  setupWSConnection(conn, req)
})
const sleep = (ms) => new Promise(r => setTimeout(r, ms))
server.listen(0, async () => {
  const url = `ws://127.0.0.1:${server.address().port}`
  const docA = new Y.Doc(); docA.clientID = 1234
  docA.getText('t').insert(0, 'hi')
  const a = new WebsocketProvider(url, 'room', docA, { WebSocketPolyfill: WebSocket })
  a.awareness.setLocalStateField('user', { name: 'Ann', color: '#f00' })
  await sleep(300)
  log.push('--- B connects')
  const docB = new Y.Doc(); docB.clientID = 99
  const b = new WebsocketProvider(url, 'room', docB, { WebSocketPolyfill: WebSocket })
  b.awareness.setLocalState({ n: 1 })
  await sleep(300)
  log.push('--- A edits')
  docA.getText('t').insert(2, '!')
  await sleep(300)
  log.push('--- A disconnects')
  a.destroy()
  await sleep(500)
  b.destroy()
  await sleep(200)
  console.log(log.join('\n'))
  process.exit(0)
})
