// Generates the Yjs 13.6.33 reference vectors pasted into tests/crdt/doc/*_test.cpp.
// Run: copy next to a node_modules with yjs@13.6.33 (e.g. tests/js) and `node gen_vectors.mjs`.
import * as Y from 'yjs'

const hex = u => Buffer.from(u).toString('hex')
const mk = (id, gc = true) => { const d = new Y.Doc({ gc }); d.clientID = id; return d }
const record = d => { const ups = []; d.on('update', u => ups.push(hex(u))); return ups }
const out = {}

{ // 1. worked example
  const d = mk(1); const ups = record(d); const t = d.getText('t')
  t.insert(0, 'abc'); t.insert(1, 'X'); t.delete(2, 1)
  out.worked = { updates: ups, v1: hex(Y.encodeStateAsUpdate(d)), v2: hex(Y.encodeStateAsUpdateV2(d)), json: JSON.stringify(d.getText('t').toString()) }
}
{ // 2. concurrent text + map conflicts + nested, two clients
  const a = mk(1); const b = mk(2); const ua = record(a); const ub = record(b)
  a.getText('t').insert(0, 'hello'); b.getText('t').insert(0, 'world')
  a.getMap('m').set('k', 'a'); b.getMap('m').set('k', 'b')
  a.getMap('m').set('x', 1)
  const arr = new Y.Array(); b.getMap('m').set('nested', arr); arr.insert(0, [1, 2, 'three', { o: true }])
  const t2 = new Y.Text(); arr.insert(1, [t2]); t2.insert(0, 'inner')
  out.concurrent = { a: ua.slice(), b: ub.slice() }
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b)); Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
  out.concurrent.v1 = hex(Y.encodeStateAsUpdate(a)); out.concurrent.v2 = hex(Y.encodeStateAsUpdateV2(a))
  out.concurrent.m = JSON.stringify(a.getMap('m').toJSON()); out.concurrent.t = a.getText('t').toString()
  // then delete the nested array (gc of children)
  const ua2 = record(a)
  a.getMap('m').delete('nested')
  a.getText('t').delete(2, 4)
  out.concurrent.after_delete = ua2
  out.concurrent.v1b = hex(Y.encodeStateAsUpdate(a))
  out.concurrent.m2 = JSON.stringify(a.getMap('m').toJSON()); out.concurrent.t2 = a.getText('t').toString()
  // nogc doc receiving everything
  const c = mk(3, false); out.concurrent.a.concat(out.concurrent.b, ua2).forEach(u => Y.applyUpdate(c, Buffer.from(u, 'hex')))
  out.concurrent.nogc_v1 = hex(Y.encodeStateAsUpdate(c))
}
{ // 3. pending: three sequential updates of client 5, applied out of order
  const d = mk(5); const ups = record(d); const t = d.getText('t')
  t.insert(0, 'ab'); t.insert(2, 'cd'); t.delete(0, 1); t.insert(1, 'Z')
  out.pending = { updates: ups.slice() }
  const r = mk(9); Y.applyUpdate(r, Buffer.from(ups[1], 'hex'))
  out.pending.after1 = { missing: [...r.store.pendingStructs.missing], v1: hex(Y.encodeStateAsUpdate(r)), v2: hex(Y.encodeStateAsUpdateV2(r)) }
  Y.applyUpdate(r, Buffer.from(ups[2], 'hex'))
  out.pending.after2 = { missing: [...r.store.pendingStructs.missing], ds: r.store.pendingDs !== null, v1: hex(Y.encodeStateAsUpdate(r)) }
  Y.applyUpdate(r, Buffer.from(ups[0], 'hex'))
  out.pending.after3 = { pending: r.store.pendingStructs !== null, ds: r.store.pendingDs !== null, v1: hex(Y.encodeStateAsUpdate(r)), text: r.getText('t').toString() }
  // pending dependency on another client
  const e = mk(6); Y.applyUpdate(e, Y.encodeStateAsUpdate(d)); const ue = record(e); e.getText('t').insert(1, 'Q')
  const f = mk(10); Y.applyUpdate(f, Buffer.from(ue[0], 'hex'))
  out.pending.dep = { update: ue[0], missing: [...f.store.pendingStructs.missing], v1: hex(Y.encodeStateAsUpdate(f)), sv: hex(Y.encodeStateVector(f)) }
}
{ // 4. surrogate split
  const a = mk(1); const b = mk(2); const ua = record(a); const ub = record(b)
  a.getText('t').insert(0, 'x😀y')
  Y.applyUpdate(b, Buffer.from(ua[0], 'hex'))
  // b inserts inside the surrogate pair: position 2 (between the halves)
  b.getText('t').insert(2, 'Q')
  out.surrogate = { a: ua, b: ub, text: b.getText('t').toString(), v1: hex(Y.encodeStateAsUpdate(b)) }
  const c = mk(3); Y.applyUpdate(c, Buffer.from(ub[0], 'hex')); Y.applyUpdate(c, Buffer.from(ua[0], 'hex'))
  out.surrogate.c_v1 = hex(Y.encodeStateAsUpdate(c)); out.surrogate.c_text = c.getText('t').toString()
}
{ // 5. local editing session (fixed client ids): text with formats, map, array, nested, xml
  const d = mk(77); const ups = record(d)
  const t = d.getText('text')
  t.insert(0, 'Hello world')
  t.format(0, 5, { bold: true })
  t.insert(5, '!', { italic: true })
  t.delete(2, 3)
  t.insert(0, '😀')
  t.insertEmbed(3, { image: 'x.png' })
  t.format(1, 4, { bold: null })
  const m = d.getMap('map')
  m.set('a', 1); m.set('b', 'two'); m.set('a', 3.5); m.delete('b'); m.set('c', [1, { x: null }]); m.set('bin', new Uint8Array([1, 2, 3]))
  const nm = new Y.Map(); m.set('nested', nm); nm.set('deep', true)
  const arr = d.getArray('arr')
  arr.insert(0, [1, 2, 3]); arr.push(['four']); arr.insert(1, ['one-and-half']); arr.delete(0, 2)
  const na = new Y.Array(); arr.insert(2, [na]); na.push([10, 20])
  const nt = new Y.Text(); arr.push([nt]); nt.insert(0, 'nested text')
  const x = d.getXmlFragment('xml')
  const p = new Y.XmlElement('P'); x.insert(0, [p]); p.setAttribute('class', 'c1'); p.setAttribute('a', 'z')
  const xt = new Y.XmlText(); p.insert(0, [xt]); xt.insert(0, 'some text'); xt.format(0, 4, { b: {} }); xt.format(2, 3, { i: { k: 'v' } })
  x.insert(1, [new Y.XmlText('tail')])
  d.transact(() => { t.insert(0, 'A'); m.set('tx', 'y'); arr.delete(0, 1) })
  out.local = { updates: ups, v1: hex(Y.encodeStateAsUpdate(d)), v2: hex(Y.encodeStateAsUpdateV2(d)),
    text: t.toString(), delta: JSON.stringify(t.toDelta()), map: JSON.stringify(m.toJSON()), arr: JSON.stringify(arr.toJSON()), xml: x.toString() }
  // a remote replica replaying the updates (differs: the local surrogate split is not transmitted)
  const r = mk(5); ups.forEach(u => Y.applyUpdate(r, Buffer.from(u, 'hex')))
  out.local.replay_v1 = hex(Y.encodeStateAsUpdate(r)); out.local.replay_text = r.getText('text').toString()
}
console.log(JSON.stringify(out, null, 1))
