// Applies a scripted sequence of awareness updates to a real y-protocols 1.0.7 Awareness (local state null)
// and prints each step's 'update' event (added/updated/removed) and 'change'.updated, then encodes all.
const Y = require('yjs')
const encoding = require('lib0/encoding')
const awareness = require('y-protocols/awareness')
const hex = (u8) => Buffer.from(u8).toString('hex')
const d = new Y.Doc(); d.clientID = 999999; const a = new awareness.Awareness(d); a.setLocalState(null)
const enc = (entries) => { const e = encoding.createEncoder(); encoding.writeVarUint(e, entries.length); for (const [c, k, j] of entries) { encoding.writeVarUint(e, c); encoding.writeVarUint(e, k); encoding.writeVarString(e, j) } return encoding.toUint8Array(e) }
let ev, ch
a.on('update', (x) => { ev = x }); a.on('change', (x) => { ch = x })
const steps = [
  [[10, 0, '{"a":0}']], [[10, 1, '{"a":1}']], [[10, 1, '{"a":2}']], [[10, 2, '{"a":1}']], [[10, 3, '{"a":2}']],
  [[10, 3, 'null']], [[10, 3, 'null']], [[10, 4, 'null']], [[10, 5, '{"b":1}']], [[11, 5, 'null']], [[11, 3, '{"c":1}']],
  [[11, 6, '{"c":1}']], [[20, 1, '{}'], [21, 1, '{}'], [20, 2, 'null']], [[10, 9, '{"b":1}'], [21, 1, '{"x":0}']],
]
for (const s of steps) {
  ev = null; ch = null
  const u = enc(s)
  awareness.applyAwarenessUpdate(a, u, 'x')
  console.log(JSON.stringify(s), hex(u), ev ? JSON.stringify(ev) : 'no-update', ch ? 'changed=' + JSON.stringify(ch.updated) : 'no-change')
}
console.log('all', hex(awareness.encodeAwarenessUpdate(a, Array.from(a.getStates().keys()))))
setTimeout(() => process.exit(0), 10)
