// Renders a Y.Doc the way `zeal-ydoc json` (crdt::doc::to_json) does. The rules (see
// tests/fixtures/yjs/README.md for the full list):
//  - one JSON object {root name: value}, keys sorted (UTF-8 byte order) at every level, no whitespace;
//  - a root's type is inferred from its visible (non-deleted) items, never from the JS constructor:
//    a visible map entry → object; else any String/Embed/Format item → text (Yjs toString: only the
//    String content); else only XmlElement/XmlText children → XML fragment (concatenated Yjs
//    toString of the children); else array;
//  - roots with no visible content ({}, [], "") are omitted;
//  - values: Uint8Array → {"$binary":"<base64>"}, undefined → null, Y.Doc → {"$doc":"<guid>"},
//    bigint → its decimal digits, numbers as JSON.stringify (NaN/±Infinity → null);
//  - nested types: Y.Text → string, Y.Map and Y.XmlHook → object, Y.Array → array,
//    Y.XmlFragment/XmlElement/XmlText → Yjs toString().
import * as Y from 'yjs'

const utf8 = (s) => Buffer.from(s, 'utf8')
/** Compares strings by UTF-8 bytes (= code point order; what std::map<std::string> gives). */
export const compareUtf8 = (a, b) => Buffer.compare(utf8(a), utf8(b))

const OMIT = Symbol('omit')

/** A JSON text for a plain value tree (bigint allowed), keys sorted by UTF-8 bytes. */
export const stringifySorted = (v) => {
  if (v === undefined || v === null) return 'null'
  if (typeof v === 'bigint') return v.toString()
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v)
  if (Array.isArray(v)) return '[' + v.map(stringifySorted).join(',') + ']'
  const keys = Object.keys(v).sort(compareUtf8)
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + stringifySorted(v[k])).join(',') + '}'
}

/** Converts a value stored in a Yjs type into a plain tree following the rendering rules. */
export const plainValue = (v) => {
  if (v === undefined || v === null) return null
  if (v instanceof Uint8Array) return { $binary: Buffer.from(v).toString('base64') }
  if (v instanceof Y.Doc) return { $doc: v.guid }
  if (v instanceof Y.AbstractType) return plainType(v)
  if (Array.isArray(v)) return v.map(plainValue)
  if (typeof v === 'object') {
    const o = Object.create(null)
    for (const k of Object.keys(v)) o[k] = plainValue(v[k])
    return o
  }
  return v
}

const mapEntries = (type) => {
  const o = Object.create(null)
  for (const [key, item] of type._map) {
    if (!item.deleted) o[key] = plainValue(item.content.getContent()[item.length - 1])
  }
  return o
}

const visibleListContent = (type) => {
  const out = []
  for (let n = type._start; n !== null; n = n.right) {
    if (!n.deleted && n.countable) out.push(...n.content.getContent())
  }
  return out
}

const plainType = (t) => {
  if (t instanceof Y.XmlText || t instanceof Y.XmlFragment) return t.toString() // XmlElement ⊂ XmlFragment
  if (t instanceof Y.Text) return t.toString()
  if (t instanceof Y.Map) return mapEntries(t) // includes Y.XmlHook
  if (t instanceof Y.Array) return visibleListContent(t).map(plainValue)
  const r = renderRoot(t) // an untyped type (only roots are untyped in practice)
  return r === OMIT ? null : r
}

/** Infers a root type's kind from its struct content: 'map' | 'text' | 'xml' | 'array' | null. */
export const inferRootKind = (type) => {
  for (const item of type._map.values()) if (!item.deleted) return 'map'
  let any = false
  let allXml = true
  for (let n = type._start; n !== null; n = n.right) {
    if (n.deleted) continue
    const c = n.content
    if (c instanceof Y.ContentString || c instanceof Y.ContentEmbed || c instanceof Y.ContentFormat) return 'text'
    if (!n.countable) continue
    any = true
    if (!(c instanceof Y.ContentType && (c.type instanceof Y.XmlElement || c.type instanceof Y.XmlText))) {
      allXml = false
    }
  }
  if (!any) return null
  return allXml ? 'xml' : 'array'
}

const renderRoot = (type) => {
  switch (inferRootKind(type)) {
    case 'map':
      return mapEntries(type)
    case 'text': {
      let s = ''
      for (let n = type._start; n !== null; n = n.right) {
        if (!n.deleted && n.countable && n.content instanceof Y.ContentString) s += n.content.str
      }
      return s === '' ? OMIT : s
    }
    case 'xml': {
      const s = visibleListContent(type).map((x) => x.toString()).join('')
      return s === '' ? OMIT : s
    }
    case 'array':
      return visibleListContent(type).map(plainValue)
    default:
      return OMIT
  }
}

/** The document as `zeal-ydoc json` prints it. */
export const renderDoc = (doc) => {
  const out = Object.create(null)
  for (const [name, type] of doc.share) {
    const v = renderRoot(type)
    if (v !== OMIT) out[name] = v
  }
  return stringifySorted(out)
}

/** {"<client>": clock} of the doc's state vector (as `zeal-ydoc sv`). */
export const stateVectorJSON = (doc) => {
  const o = {}
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) o[String(client)] = clock
  return o
}

/** {"missing": {"<client>": clock}, "pendingDeletes": bool} (as `zeal-ydoc pending`). */
export const pendingJSON = (doc) => {
  const missing = {}
  const ps = doc.store.pendingStructs
  if (ps !== null) for (const [client, clock] of ps.missing) missing[String(client)] = clock
  return { missing, pendingDeletes: doc.store.pendingDs !== null }
}

export const toHex = (u8) => Buffer.from(u8).toString('hex')
export const fromHex = (s) => new Uint8Array(Buffer.from(s, 'hex'))
export const bytesEqual = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0
