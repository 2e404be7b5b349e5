// Two y-websocket clients editing the same room through two different nodes of the example cluster
// (examples/cluster/run.sh): one on node 1, one on node 3. Both type into the shared text; the script prints
// both documents until they converge, and which node holds the room (GET /cluster).
//
//   node examples/cluster/two-clients.mjs [ROOM]        (default room: my-room)
//
// Uses the Node packages of the tests (tests/js/node_modules: yjs, y-websocket, ws; `npm ci` in tests/js,
// done by scripts/install-deps.sh). Exit status 0 once both documents hold both clients' text, 1 if they
// do not within 15 s.
import * as Y from '../../tests/js/node_modules/yjs/dist/yjs.mjs'
import { WebSocket } from '../../tests/js/node_modules/ws/wrapper.mjs'
import { WebsocketProvider } from '../../tests/js/node_modules/y-websocket/src/y-websocket.js'

const room = process.argv[2] ?? 'my-room'
const nodes = [
  { name: 'node1', http: 'http://127.0.0.1:8081', ws: 'ws://127.0.0.1:8081' },
  { name: 'node2', http: 'http://127.0.0.1:8082', ws: 'ws://127.0.0.1:8082' },
  { name: 'node3', http: 'http://127.0.0.1:8083', ws: 'ws://127.0.0.1:8083' },
]

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function until(what, pred, ms) {
  const deadline = Date.now() + ms
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

/// A client on `node`: a Y.Doc synced with the room through that node.
function client(label, node) {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(node.ws, room, doc, {
    WebSocketPolyfill: WebSocket,
    disableBc: true,
  })
  return { label, node, doc, provider, text: doc.getText('text') }
}

/// Which nodes have the room loaded, from their GET /cluster.
async function whereIsTheRoom() {
  const found = []
  for (const node of nodes) {
    try {
      const view = await (await fetch(`${node.http}/cluster`)).json()
      if (view.rooms?.includes(room)) found.push(node.name)
      if (node === nodes[0]) {
        const members = view.members.map((m) => `${m.id}(${m.state})`).join(', ')
        console.log(`cluster (as node1 sees it): epoch ${view.epoch}, members ${members}`)
      }
    } catch (e) {
      found.push(`${node.name}: ${e.cause?.code ?? e.message}`)
    }
  }
  return found
}

const a = client('client on node1', nodes[0])
const b = client('client on node3', nodes[2])
const show = () => {
  for (const c of [a, b]) console.log(`  ${c.label.padEnd(16)} ${JSON.stringify(c.text.toString())}`)
}

let ok = false
try {
  await until('both clients to sync', () => a.provider.synced && b.provider.synced, 10000)
  console.log(`room "${room}": both clients synced`)
  const wordsA = ['Hello', 'from', 'node', 'one.']
  const wordsB = ['Greetings', 'via', 'server', 'three!']
  for (let i = 0; i < wordsA.length; i++) {
    // Both type at the same moment: concurrent edits, merged by the CRDT the same way on every replica.
    a.text.insert(a.text.length, wordsA[i] + ' ')
    b.text.insert(0, wordsB[wordsB.length - 1 - i] + ' ')
    await sleep(100)
    show()
  }
  // Concurrent inserts may interleave the two sentences; each client's words keep their order.
  const inOrder = (text, words) => {
    let at = 0
    for (const w of words) {
      at = text.indexOf(w, at)
      if (at < 0) return false
      at += w.length
    }
    return true
  }
  const converged = () => {
    const t = a.text.toString()
    return t === b.text.toString() && inOrder(t, wordsA) && inOrder(t, wordsB)
  }
  await until('the documents to converge', converged, 15000)
  console.log('converged:')
  show()
  console.log(`the room is loaded on: ${(await whereIsTheRoom()).join(', ') || '(none)'}`)
  ok = true
} catch (e) {
  console.error(`two-clients: ${e.message}`)
  show()
} finally {
  a.provider.destroy()
  b.provider.destroy()
}
process.exit(ok ? 0 : 1)
