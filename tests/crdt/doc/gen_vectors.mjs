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
{ // 6. reading: root type inference, JSON rendering rules, XML toString, deltas
  const d = mk(88); const ups = record(d)
  const m = d.getMap('m')
  m.set('bin', new Uint8Array([0, 1, 2, 250])); m.set('undef', undefined); m.set('num', -0.5); m.set('big', 2 ** 40)
  m.set('sub', new Y.Doc({ guid: 'sub-guid' })); m.set('zeta', 'last'); m.set('Alpha', { b: 1, a: [true, null] })
  const a = d.getArray('a'); a.insert(0, [1, 'two', new Uint8Array([7]), null])
  const ia = new Y.Map(); a.push([ia]); ia.set('k', 'v')
  const xt0 = new Y.XmlText(); a.push([xt0]); xt0.insert(0, 'xml in array')
  d.getText('t').insert(0, 'plain')
  const t = d.getText('rich'); t.insert(0, 'bold and plain'); t.format(0, 4, { bold: true }); t.format(5, 3, { link: { href: 'u' }, em: true })
  t.insertEmbed(2, { img: 1 })
  d.getArray('empty'); d.getMap('emptymap').set('gone', 1); d.getMap('emptymap').delete('gone')
  const x = d.getXmlFragment('x')
  const div = new Y.XmlElement('DIV'); x.insert(0, [div]); div.setAttribute('z', 'last'); div.setAttribute('b', '2'); div.setAttribute('n', 5)
  const span = new Y.XmlElement('Span'); div.insert(0, [span]); const st = new Y.XmlText(); span.insert(0, [st]); st.insert(0, 'hi there')
  st.format(0, 2, { strong: true, em: {} }); st.format(3, 5, { a: { href: 'h', rel: 'x' } })
  x.insert(1, [new Y.XmlText('after')])
  const b64 = u => Buffer.from(u).toString('base64')
  const render = v => {
    if (v instanceof Y.Text || v instanceof Y.XmlText) return v instanceof Y.XmlText ? v.toString() : v.toString()
    if (v instanceof Y.XmlFragment) return v.toString()
    if (v instanceof Y.Map) { const o = {}; [...v.keys()].sort().forEach(k => { o[k] = render(v.get(k)) }); return o }
    if (v instanceof Y.Array) return v.toArray().map(render)
    if (v instanceof Uint8Array) return { $binary: b64(v) }
    if (v instanceof Y.Doc) return { $doc: v.guid }
    if (v === undefined) return null
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) { const o = {}; Object.keys(v).sort().forEach(k => { o[k] = render(v[k]) }); return o }
    if (Array.isArray(v)) return v.map(render)
    return v
  }
  const roots = { m: d.getMap('m'), a: d.getArray('a'), t: d.getText('t'), rich: d.getText('rich'), x: d.getXmlFragment('x') }
  const json = {}; Object.keys(roots).sort().forEach(k => { json[k] = render(roots[k]) })
  out.read = { update: hex(Y.encodeStateAsUpdate(d)), json: JSON.stringify(json), rich_delta: JSON.stringify(t.toDelta()), xml: x.toString(), div: div.toString(), st: st.toString() }
}
console.log(JSON.stringify(out, null, 1))
