// Captures real Hocuspocus frames: @hocuspocus/server + @hocuspocus/provider over ws on localhost.
// Usage: node hpgen.mjs [node_modules root]   (v4: /tmp/protoref, v3: /tmp/protoref/hp3)
import { createRequire } from 'module'
const root = process.argv[2] || '/tmp/protoref'
const require = createRequire(root + '/package.json')
const Y = require('yjs')
const { Server } = require('@hocuspocus/server')
const { HocuspocusProvider, HocuspocusProviderWebsocket } = require('@hocuspocus/provider')
const WebSocket = require('/tmp/protoref/node_modules/ws')
const hex = (u8) => Buffer.from(u8).toString('hex')
const sleep = (ms) => new Promise(r => setTimeout(r, ms))
const log = []
const origSend = WebSocket.prototype.send
WebSocket.prototype.send = function (m, ...rest) {
  log.push(`${this._isServer ? 'server->client' : 'client->server'} ${hex(m)}`)
  return origSend.call(this, m, ...rest)
}
const origEmit = WebSocket.prototype.emit
WebSocket.prototype.emit = function (ev, ...args) {
  if (ev === 'message') log.push(`server->client ${hex(new Uint8Array(args[0]))}`)
  return origEmit.call(this, ev, ...args)
}
const server = new Server({
  port: 0, quiet: true,
  async onAuthenticate({ token, documentName }) {
    if (token === 'bad') throw new Error('nope')
    if (documentName === 'ro') return { readOnly: true }
  },
  async onStateless({ payload, connection, document }) { document.broadcastStateless('echo:' + payload) },
})
await server.listen()
const url = `ws://127.0.0.1:${server.address.port}`
const doc = new Y.Doc(); doc.clientID = 1234
doc.getText('t').insert(0, 'hi')
const ws = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: WebSocket })
const p = new HocuspocusProvider({ websocketProvider: ws, name: 'doc1', document: doc, token: 'secret' })
if (p.attach) p.attach()
p.setAwarenessField('user', { name: 'Ann' })
await sleep(400)
log.push('--- edit')
doc.getText('t').insert(2, '!')
await sleep(200)
log.push('--- stateless')
p.sendStateless('ping')
await sleep(200)
log.push('--- bad token')
const doc2 = new Y.Doc(); doc2.clientID = 77
const p2 = new HocuspocusProvider({ websocketProvider: ws, name: 'doc2', document: doc2, token: 'bad' })
if (p2.attach) p2.attach()
await sleep(300)
log.push('--- readonly')
const doc3 = new Y.Doc(); doc3.clientID = 78
const p3 = new HocuspocusProvider({ websocketProvider: ws, name: 'ro', document: doc3, token: 't' })
if (p3.attach) p3.attach()
await sleep(300)
doc3.getText('t').insert(0, 'x')
await sleep(300)
log.push('--- destroy')
p.destroy()
await sleep(300)
console.log(log.join('\n'))
process.exit(0)
