// Deterministic multi-client Yjs sessions shared by the fixture generator and the differential test.
import * as Y from 'yjs'

/** Origin used for remote applies, so that only local transactions are collected. */
export const REMOTE = Symbol('remote')

/** mulberry32: a small seeded PRNG (no Math.random anywhere). */
export const makePrng = (seed) => {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (n) => Math.floor(next() * n), // 0 ≤ x < n
    bool: (p = 0.5) => next() < p,
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    shuffle: (arr) => {
      const a2 = arr.slice()
      for (let i = a2.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1))
        ;[a2[i], a2[j]] = [a2[j], a2[i]]
      }
      return a2
    }
  }
}

/**
 * A Y.Doc with a fixed client id that records its local updates: doc.updates = [{v1, v2}] (one per
 * local transaction, the bytes of doc.on('update') and doc.on('updateV2')).
 */
export const makeDoc = (clientID, { gc = true } = {}) => {
  const doc = new Y.Doc({ gc })
  doc.clientID = clientID
  const v1 = []
  const v2 = []
  doc.updates = []
  doc.on('update', (u, origin) => {
    if (origin !== REMOTE) v1.push(u)
  })
  doc.on('updateV2', (u, origin) => {
    if (origin !== REMOTE) {
      v2.push(u)
      doc.updates.push({ v1: v1[v2.length - 1], v2: u })
    }
  })
  return doc
}

/** Sends what `to` misses from `from` (one remote transaction in `to`). */
export const sync = (from, to) => {
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)), REMOTE)
}

export const syncAll = (docs) => {
  for (const a of docs) for (const b of docs) if (a !== b) sync(a, b)
  for (const a of docs) for (const b of docs) if (a !== b) sync(a, b)
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABC 😀é\n'
const randomString = (prng, max = 4) => {
  let s = ''
  const n = 1 + prng.int(max)
  for (let i = 0; i < n; i++) {
    // mostly ASCII, sometimes an astral character (2 UTF-16 units) or a 2-byte UTF-8 character
    s += [...ALPHABET][prng.int([...ALPHABET].length)]
  }
  return s
}
const KEYS = ['a', 'b', 'c', 'd', '1', '10', 'é']
const ATTRS = [
  { bold: true },
  { bold: null },
  { italic: true },
  { italic: null },
  { color: '#f00' },
  { color: null },
  { link: { href: 'https://example.com' } }
]

const randomAny = (prng, depth = 0) => {
  switch (prng.int(depth > 1 ? 7 : 10)) {
    case 0:
      return prng.int(1000) - 500
    case 1:
      return prng.next() * 100
    case 2:
      return randomString(prng)
    case 3:
      return null
    case 4:
      return prng.bool()
    case 5:
      return 2 ** 31 + prng.int(10)
    case 6:
      return new Uint8Array([prng.int(256), prng.int(256)])
    case 7:
      return [randomAny(prng, depth + 1), randomAny(prng, depth + 1)]
    case 8:
      return { [prng.pick(KEYS)]: randomAny(prng, depth + 1), z: randomAny(prng, depth + 1) }
    default:
      return undefined
  }
}

/** Collects the live shared types of a doc that random edits may touch. */
const collectTypes = (doc) => {
  const out = { text: [], map: [], array: [], xml: [], xmltext: [] }
  const visit = (t, depth) => {
    if (depth > 4) return
    if (t instanceof Y.XmlText) out.xmltext.push(t)
    else if (t instanceof Y.Text) out.text.push(t)
    else if (t instanceof Y.XmlHook) return
    else if (t instanceof Y.Map) {
      out.map.push(t)
      for (const v of t.values()) if (v instanceof Y.AbstractType) visit(v, depth + 1)
    } else if (t instanceof Y.XmlFragment) {
      // includes XmlElement
      out.xml.push(t)
      for (const v of t.toArray()) if (v instanceof Y.AbstractType) visit(v, depth + 1)
    } else if (t instanceof Y.Array) {
      out.array.push(t)
      for (const v of t.toArray()) if (v instanceof Y.AbstractType) visit(v, depth + 1)
    }
  }
  visit(doc.getText('text'), 0)
  visit(doc.getMap('map'), 0)
  visit(doc.getArray('array'), 0)
  visit(doc.getXmlFragment('xml'), 0)
  return out
}

const newNested = (prng) => {
  switch (prng.int(4)) {
    case 0:
      return new Y.Text(randomString(prng))
    case 1:
      return new Y.Map()
    case 2:
      return new Y.Array()
    default:
      return new Y.XmlText(randomString(prng))
  }
}

const textEdit = (prng, t) => {
  const len = t.length
  const r = prng.int(10)
  if (r < 4 || len === 0) {
    const attrs = prng.bool(0.3) ? prng.pick(ATTRS) : undefined
    t.insert(prng.int(len + 1), randomString(prng), attrs)
  } else if (r < 6) {
    const i = prng.int(len)
    t.delete(i, 1 + prng.int(Math.min(3, len - i)))
  } else if (r < 9) {
    const i = prng.int(len)
    t.format(i, 1 + prng.int(Math.min(4, len - i)), prng.pick(ATTRS))
  } else if (!(t instanceof Y.XmlText)) {
    t.insertEmbed(prng.int(len + 1), { img: prng.int(10) })
  }
}

/** One random local edit on a doc (one transaction, sometimes several edits in one transaction). */
export const randomEdit = (prng, doc) => {
  const types = collectTypes(doc)
  const one = () => {
    const r = prng.int(100)
    if (r < 35) {
      textEdit(prng, prng.pick([...types.text, ...types.xmltext]))
    } else if (r < 55) {
      const m = prng.pick(types.map)
      const k = prng.pick(KEYS)
      const r2 = prng.int(10)
      if (r2 < 5) m.set(k, randomAny(prng))
      else if (r2 < 7) m.delete(k)
      else m.set(k, newNested(prng))
    } else if (r < 80) {
      const a = prng.pick(types.array)
      const len = a.length
      const r2 = prng.int(10)
      if (r2 < 5 || len === 0) {
        const vals = []
        const n = 1 + prng.int(3)
        for (let i = 0; i < n; i++) vals.push(randomAny(prng) ?? null) // Y.Array rejects undefined
        a.insert(prng.int(len + 1), vals)
      } else if (r2 < 8) {
        const i = prng.int(len)
        a.delete(i, 1 + prng.int(Math.min(3, len - i)))
      } else {
        a.insert(prng.int(len + 1), [newNested(prng)])
      }
    } else {
      const x = prng.pick(types.xml)
      const len = x.length
      const r2 = prng.int(10)
      if (r2 < 4 || len === 0) {
        const el = new Y.XmlElement(prng.pick(['p', 'div', 'SPAN', 'li']))
        if (prng.bool()) el.setAttribute(prng.pick(['class', 'id']), randomString(prng))
        x.insert(prng.int(len + 1), [prng.bool(0.7) ? el : new Y.XmlText(randomString(prng))])
      } else if (r2 < 6) {
        x.delete(prng.int(len), 1)
      } else if (x instanceof Y.XmlElement) {
        if (prng.bool()) x.setAttribute(prng.pick(['class', 'id', 'title']), randomString(prng))
        else x.removeAttribute(prng.pick(['class', 'id', 'title']))
      } else if (types.xmltext.length > 0) {
        textEdit(prng, prng.pick(types.xmltext))
      }
    }
  }
  if (prng.bool(0.2)) {
    doc.transact(() => {
      const n = 2 + prng.int(3)
      for (let i = 0; i < n; i++) one()
    })
  } else {
    one()
  }
}

/**
 * A random concurrent session: nDocs docs with the given client ids, `steps` random edits, partial
 * syncs between random pairs every few steps, a final full sync. Returns the docs (each with .updates).
 */
export const randomSession = (prng, { clients, steps, gc = true, syncEvery = 4 }) => {
  const docs = clients.map((c) => makeDoc(c, { gc }))
  for (let s = 0; s < steps; s++) {
    randomEdit(prng, prng.pick(docs))
    if (prng.int(syncEvery) === 0) {
      const a = prng.pick(docs)
      const b = prng.pick(docs)
      if (a !== b) sync(a, b)
    }
  }
  syncAll(docs)
  return docs
}
