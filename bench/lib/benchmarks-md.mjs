// Writes one generated section of BENCHMARKS.md: the text between `<!-- NAME:begin -->` and
// `<!-- NAME:end -->` is replaced by `md`; if the markers are missing, `intro` (a heading and the command,
// may be empty) and the marked block are appended at the end. Prints `md` to stdout.
import fs from 'node:fs'

export const writeSection = (outPath, name, md, intro = '') => {
  const begin = `<!-- ${name}:begin -->`
  const end = `<!-- ${name}:end -->`
  let doc = fs.existsSync(outPath) ? fs.readFileSync(outPath, 'utf8') : '# Benchmarks\n'
  const block = `${begin}\n${md}${end}`
  if (doc.includes(begin) && doc.includes(end)) {
    doc = doc.slice(0, doc.indexOf(begin)) + block + doc.slice(doc.indexOf(end) + end.length)
  } else {
    doc = doc.trimEnd() + '\n\n' + intro + block + '\n'
  }
  fs.writeFileSync(outPath, doc)
  process.stdout.write(md)
}
