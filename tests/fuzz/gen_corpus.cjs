// Generates the seed corpora in tests/fuzz/corpus/<target>/ from real Yjs 13.6.33 / y-protocols 1.0.7 /
// y-websocket / Hocuspocus code. Run from a directory with those packages installed (see
// tests/crdt/protocol/js/README.md):  cd /tmp/protoref && node /work/main/tests/fuzz/gen_corpus.cjs
const { createRequire } = require('module')
const fs = require('fs')
const path = require('path')
const require_ = createRequire(path.join(process.cwd(), 'package.json'))
const Y = require_('yjs')
const encoding = require_('lib0/encoding')
const sync = require_('y-protocols/sync')
const awarenessProtocol = require_('y-protocols/awareness')
const auth = require_('y-protocols/auth')
const { OutgoingMessage } = require_('@hocuspocus/server')

const root = path.join(__dirname, 'corpus')
const put = (target, name, bytes) => {
  fs.mkdirSync(path.join(root, target), { recursive: true })
  fs.writeFileSync(path.join(root, target, name), Buffer.from(bytes))
}

// Documents covering every content kind.
const docs = {}
const mk = (name, id, fn) => { const d = new Y.Doc(); d.clientID = id; fn(d); docs[name] = d }
mk('text', 1, d => { const t = d.getText('t'); t.insert(0, 'hello world'); t.delete(2, 3); t.insert(1, '😀ü') })
mk('format', 2, d => { const t = d.getText('t'); t.insert(0, 'abcdef', { bold: true }); t.format(1, 2, { italic: { x: 1 } }); t.insertEmbed(3, { img: 'x' }) })
mk('map', 3, d => { const m = d.getMap('m'); m.set('a', 1); m.set('b', 'x'); m.set('c', [1, 2.5, -0, null, true, { k: 'v' }]); m.set('a', 2 ** 40); m.delete('b'); m.set('bin', new Uint8Array([1, 2, 3])) })
mk('array', 4, d => { const a = d.getArray('a'); a.insert(0, [1, 2, 3]); a.insert(1, [new Y.Map(), new Y.Array()]); a.delete(0, 1); a.get(0).set('n', 'v') })
mk('xml', 5, d => { const x = d.getXmlFragment('x'); const e = new Y.XmlElement('p'); e.setAttribute('class', 'c'); const t = new Y.XmlText(); t.insert(0, 'txt', { b: true }); e.insert(0, [t]); x.insert(0, [e, new Y.XmlText('tail')]) })
mk('subdoc', 6, d => { d.getMap('m').set('sub', new Y.Doc({ guid: 'g1', meta: { a: 1 } })) })
mk('multi', 7, d => { const t = d.getText('t'); t.insert(0, 'abc'); const o = new Y.Doc(); o.clientID = 2 ** 40 + 3; Y.applyUpdate(o, Y.encodeStateAsUpdate(d)); o.getText('t').insert(1, 'XY'); o.getText('t').delete(0, 1); Y.applyUpdate(d, Y.encodeStateAsUpdate(o)) })
mk('nogc', 8, d => { d.gc = false; const t = d.getText('t'); t.insert(0, 'abcdefgh'); t.delete(1, 5) })

// A pending update (depends on missing structs) and merged updates with a gap (Skip structs).
const parts = []
{ const d = new Y.Doc(); d.clientID = 9; d.on('update', u => parts.push(u)); const t = d.getText('t'); t.insert(0, 'a'); t.insert(1, 'b'); t.insert(2, 'c') }
const merged = Y.mergeUpdates([parts[0], parts[2]])
const mergedV2 = Y.convertUpdateFormatV1ToV2(merged)

let n = 0
for (const [name, d] of Object.entries(docs)) {
  const v1 = Y.encodeStateAsUpdate(d)
  const v2 = Y.encodeStateAsUpdateV2(d)
  put('fuzz_update_v1', `${name}.bin`, v1)
  put('fuzz_update_v2', `${name}.bin`, v2)
  put('fuzz_state_vector', `${name}.bin`, Y.encodeStateVector(d))
  put('fuzz_doc_apply', `${name}_v1.bin`, [d.gc ? 0 : 2, ...v1])
  if (n++ % 2 === 0) put('fuzz_doc_apply', `${name}_v2.bin`, [d.gc ? 1 : 3, ...v2])
}
put('fuzz_update_v1', 'empty.bin', Y.encodeStateAsUpdate(new Y.Doc()))
put('fuzz_update_v2', 'empty.bin', Y.encodeStateAsUpdateV2(new Y.Doc()))
put('fuzz_update_v1', 'pending.bin', parts[2])
put('fuzz_update_v1', 'merged_skip.bin', merged)
put('fuzz_update_v2', 'merged_skip.bin', mergedV2)
put('fuzz_doc_apply', 'pending_v1.bin', [0, ...parts[2]])
put('fuzz_doc_apply', 'merged_skip_v2.bin', [1, ...mergedV2])
put('fuzz_state_vector', 'empty.bin', [0])
put('fuzz_state_vector', 'big_ids.bin', Y.encodeStateVector(docs.multi))

// Sync messages and y-websocket frames.
const frame = (fn) => { const e = encoding.createEncoder(); fn(e); return encoding.toUint8Array(e) }
const text = docs.text
put('fuzz_sync_message', 'step1.bin', frame(e => sync.writeSyncStep1(e, text)))
put('fuzz_sync_message', 'step2.bin', frame(e => sync.writeSyncStep2(e, text, new Uint8Array([0]))))
put('fuzz_sync_message', 'update.bin', frame(e => sync.writeUpdate(e, Y.encodeStateAsUpdate(docs.map))))
put('fuzz_sync_message', 'yws_step1.bin', frame(e => { encoding.writeVarUint(e, 0); sync.writeSyncStep1(e, text) }))
put('fuzz_sync_message', 'yws_update.bin', frame(e => { encoding.writeVarUint(e, 0); sync.writeUpdate(e, parts[1]) }))
put('fuzz_sync_message', 'yws_auth_denied.bin', frame(e => { encoding.writeVarUint(e, 2); auth.writePermissionDenied(e, 'no') }))
put('fuzz_sync_message', 'yws_query.bin', [3])
put('fuzz_sync_message', 'yws_custom.bin', [4, 1, 2, 3])

// Awareness updates.
const aw = new awarenessProtocol.Awareness(text)
aw.setLocalState({ user: { name: 'Ann', color: '#f00' }, cursor: { anchor: 1, head: 3 } })
const awFull = awarenessProtocol.encodeAwarenessUpdate(aw, [text.clientID])
const other = new Y.Doc(); other.clientID = 2 ** 53 - 1
const aw2 = new awarenessProtocol.Awareness(other); aw2.setLocalState({ n: 'ö' })
awarenessProtocol.applyAwarenessUpdate(aw2, awFull, 'r')
const awTwo = awarenessProtocol.encodeAwarenessUpdate(aw2, Array.from(aw2.getStates().keys()))
aw.setLocalState(null)
const awNull = awarenessProtocol.encodeAwarenessUpdate(aw, [text.clientID])
put('fuzz_awareness', 'one.bin', awFull)
put('fuzz_awareness', 'two.bin', awTwo)
put('fuzz_awareness', 'null.bin', awNull)
put('fuzz_awareness', 'empty.bin', [0])
// A program for the second half of the target: apply on conn 0, apply on conn 1, expire, remove, check.
put('fuzz_awareness', 'program.bin', [0, awTwo.length, ...awTwo, 4, awNull.length, ...awNull, 2, 200, 1, 3])
put('fuzz_sync_message', 'yws_awareness.bin', frame(e => { encoding.writeVarUint(e, 1); encoding.writeVarUint8Array(e, awTwo) }))

// Hocuspocus frames.
const hp = (name, m) => put('fuzz_hocuspocus', name, m.toUint8Array())
const tokenV4 = frame(e => { encoding.writeVarString(e, 'doc1'); encoding.writeVarUint(e, 2); encoding.writeVarUint(e, 0); encoding.writeVarString(e, 'secret'); encoding.writeVarString(e, '4.8.0') })
put('fuzz_hocuspocus', 'token_v4.bin', tokenV4)
hp('sync_step1.bin', new OutgoingMessage('doc1').createSyncMessage().writeFirstSyncStepFor(text))
hp('sync_reply.bin', new OutgoingMessage('doc1').createSyncReplyMessage().writeFirstSyncStepFor(text))
hp('update.bin', new OutgoingMessage('d\0sess').createSyncMessage().writeUpdate(parts[1]))
hp('awareness.bin', new OutgoingMessage('doc1').createAwarenessUpdateMessage(aw2))
hp('authenticated.bin', new OutgoingMessage('doc1').writeAuthenticated(true))
hp('denied.bin', new OutgoingMessage('doc1').writePermissionDenied('nope'))
hp('token_request.bin', new OutgoingMessage('doc1').writeTokenSyncRequest())
hp('stateless.bin', new OutgoingMessage('doc1').writeStateless('{"a":1}'))
hp('sync_status.bin', new OutgoingMessage('doc1').writeSyncStatus(true))
hp('close.bin', new OutgoingMessage('doc1').writeCloseMessage('bye'))
put('fuzz_hocuspocus', 'ping.bin', [9])
put('fuzz_hocuspocus', 'pong.bin', [10])
console.log('ok')
process.exit(0)
