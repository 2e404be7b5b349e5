// Turns bench/compare/run.sh results (zeal_load / zeal_floor JSON lines tagged with "server" and "run",
// plus "meta" and "command" lines) into medians over the runs, writes them into BENCHMARKS.md between
// <!-- compare:begin --> and <!-- compare:end --> and draws the fan-out latency chart with gnuplot.
// Usage: node report.mjs results.jsonl BENCHMARKS.md [latency.png (default bench/compare/latency.png)]
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { writeSection } from '../lib/benchmarks-md.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const [inPath, outPath, pngArg] = process.argv.slice(2)
if (!inPath || !outPath) {
  process.stderr.write('usage: node report.mjs results.jsonl BENCHMARKS.md [latency.png]\n')
  process.exit(2)
}
if (!fs.existsSync(inPath)) {
  process.stderr.write(`report.mjs: ${inPath} does not exist\n`)
  process.exit(1)
}
const pngPath = path.resolve(pngArg ?? path.join(here, 'latency.png'))

const rows = []
for (const [i, l] of fs.readFileSync(inPath, 'utf8').split('\n').entries()) {
  if (!l.trim()) continue
  try {
    const o = JSON.parse(l)
    if (o && typeof o === 'object' && !Array.isArray(o)) rows.push(o)
  } catch {
    process.stderr.write(`report.mjs: line ${i + 1} is not JSON, ignored\n`)
  }
}
const meta = rows.find((r) => r.mode === 'meta' && r.phase === 'start') ?? {}
const metaEnd = rows.find((r) => r.mode === 'meta' && r.phase === 'end') ?? {}
// one line per distinct command: the protocol and the (budget-capped) --timeout as placeholders
const commands = [...new Set(rows.filter((r) => r.mode === 'command' && typeof r.cmd === 'string')
  .map((r) => r.cmd.replace(/--protocol \S+/, '--protocol PROTO').replace(/--timeout \d+/, '--timeout T')))]
const data = rows.filter((r) => r.mode !== 'meta' && r.mode !== 'command' && !r.error)
const errors = rows.filter((r) => r.error && r.mode !== 'meta' && r.mode !== 'command')

const names = { zeal: 'Zeal', yws: 'y-websocket', hocuspocus: 'Hocuspocus' }
const listed = typeof meta.servers === 'string' ? meta.servers.split(/[ ,]+/).filter(Boolean) : []
const servers = Object.keys(names).filter((s) => listed.includes(s) || rows.some((r) => r.server === s))
// ratio columns: Zeal against each peer, only when Zeal ran
const others = servers.includes('zeal') ? servers.filter((s) => s !== 'zeal') : []

// --- helpers ---
const isNum = (x) => typeof x === 'number' && Number.isFinite(x)
const median = (xs) => {
  const v = xs.filter(isNum).sort((a, b) => a - b)
  if (!v.length) return null
  const m = Math.floor(v.length / 2)
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2
}
const num = (x, d = 0) => (isNum(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a')
const dig = (x) => (!isNum(x) ? 0 : Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2)
const auto = (x) => num(x, dig(x))
const get = (o, p) => p.split('.').reduce((a, k) => (a == null ? undefined : a[k]), o)
const med = (lines, p) => median(lines.map((l) => get(l, p)))
const count = (lines, p) => `${lines.filter((l) => get(l, p) === true).length}/${lines.length}`
const runsOf = (lines) => [...new Set(lines.map((l) => l.run))].sort((a, b) => a - b)
const pick = (server, mode, f = () => true) => data.filter((r) => r.server === server && r.mode === mode && f(r))
const modesRun = typeof meta.modes === 'string' ? meta.modes.split(/[ ,]+/).filter(Boolean) : ['idle', 'fanout', 'hot', 'joinstorm', 'awareness']
const ran = (mode) => modesRun.includes(mode) || data.some((r) => r.mode === mode)
const whyMissing = (server, mode) => {
  if (!ran(mode)) return 'not run'
  const e = [...new Set(errors.filter((r) => r.server === server && r.mode === mode).map((r) => r.error))]
  return e.length ? `no result (${e.join('; ')})` : 'no result'
}
// ratio > 1: Zeal is better by that factor
const ratio = (z, o, higherBetter) => {
  if (!(isNum(z) && isNum(o) && z > 0 && o > 0)) return 'n/a'
  const r = higherBetter ? z / o : o / z
  return `${r.toFixed(r >= 10 ? 0 : 1)}×`
}
const table = (head, body) => {
  let s = `| ${head.join(' | ')} |\n|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|\n`
  for (const r of body) s += `| ${r.join(' | ')} |\n`
  return s + '\n'
}
const nRuns = Number(meta.runs) || Math.max(1, ...data.map((r) => r.run).filter(isNum))

// --- stepped modes (fanout, hot) ---
const steps = (server, mode) => {
  const lines = pick(server, mode)
  const targets = [...new Set(lines.map((l) => l.target_per_s))].filter(isNum).sort((a, b) => a - b)
  return targets.map((t) => {
    const at = lines.filter((l) => l.target_per_s === t)
    return {
      target: t,
      n: at.length,
      delivered: med(at, 'delivered_per_s'),
      lost: med(at, 'lost'),
      dup: med(at, 'duplicates'),
      p50: med(at, 'lat_ms.p50'),
      p99: med(at, 'lat_ms.p99'),
      us: med(at, 'server_us_per_delivery'),
      gen: med(at, 'gen_cpu_pct'),
      genLimited: count(at, 'gen_limited'),
      ok: count(at, 'ok')
    }
  })
}
// Per run: the highest step with ok, and what stopped the stepping (the first failed step's gen_limited).
const sustained = (server, mode) => {
  const lines = pick(server, mode)
  const perRun = runsOf(lines).map((run) => {
    const mine = lines.filter((l) => l.run === run).sort((a, b) => (a.step ?? 0) - (b.step ?? 0))
    const okRates = mine.filter((l) => l.ok === true).map((l) => l.target_per_s).filter(isNum)
    const failed = mine.find((l) => l.ok !== true)
    const limit = !failed ? 'list end' : failed.gen_limited ? 'generator' : 'server'
    return { rate: okRates.length ? Math.max(...okRates) : null, limit }
  })
  if (!perRun.length) return null
  const limits = {}
  for (const p of perRun) limits[p.limit] = (limits[p.limit] ?? 0) + 1
  // a run where no step passed counts as 0 in the median; all runs so: "none" (no rate to compare)
  const rate = perRun.every((p) => p.rate === null) ? 'none passed' : median(perRun.map((p) => p.rate ?? 0))
  return {
    rate,
    limit: Object.entries(limits).map(([k, v]) => `${k} ${v}/${perRun.length}`).join(', '),
    n: perRun.length
  }
}
const stepTable = (mode) => {
  const body = []
  for (const s of servers) {
    const st = steps(s, mode)
    if (!st.length) {
      body.push([names[s], whyMissing(s, mode), '', '', '', '', '', '', '', '', '', ''])
      continue
    }
    for (const x of st) {
      body.push([names[s], num(x.target), num(x.delivered), num(x.lost), num(x.dup), auto(x.p50), auto(x.p99),
        auto(x.us), num(x.gen), x.genLimited, x.ok, String(x.n)])
    }
    const e = errors.filter((r) => r.server === s && r.mode === mode)
    if (e.length) body.push([names[s], `also: ${[...new Set(e.map((r) => r.error))].join('; ')}`, '', '', '', '', '', '', '', '', '', ''])
  }
  return table(['server', 'target delivered/s', 'delivered/s', 'lost', 'dup', 'p50 ms', 'p99 ms', 'server µs / delivery',
    'gen CPU %', 'gen limited', 'ok', 'n'], body)
}

// --- the floor ---
const floorLines = data.filter((r) => r.mode === 'floor')
const floorUs = med(floorLines, 'us_per_write')

// --- headline figures per server ---
const at30k = (s) => med(pick(s, 'fanout', (r) => r.target_per_s === 30000), 'server_us_per_delivery')
const idleOf = (s) => {
  const l = pick(s, 'idle')
  return l.length ? { n: l.length, conns: med(l, 'connections'), before: med(l, 'rss_before'), after: med(l, 'rss_after'), per: med(l, 'rss_per_conn_bytes') } : null
}
const joinOf = (s) => {
  const l = pick(s, 'joinstorm')
  return l.length ? { n: l.length, all: med(l, 'all_synced_ms'), p50: med(l, 'join_ms.p50'), p99: med(l, 'join_ms.p99'), us: med(l, 'server_us_per_join'), doc: med(l, 'doc_bytes'), joiners: med(l, 'joiners'), complete: count(l, 'complete') } : null
}
const awConfigs = [...new Set(data.filter((r) => r.mode === 'awareness').map((r) => `${r.rooms}x${r.clients}`))]
  .sort((a, b) => Number(b.split('x')[0]) - Number(a.split('x')[0]))
const awOf = (s, cfg) => {
  const l = pick(s, 'awareness', (r) => `${r.rooms}x${r.clients}` === cfg)
  return l.length ? { n: l.length, delivered: med(l, 'delivered_per_s'), us: med(l, 'server_us_per_delivery'), p99: med(l, 'lat_ms.p99'), lost: med(l, 'lost'), dup: med(l, 'duplicates'), gen: med(l, 'gen_cpu_pct') } : null
}

// --- chart ---
const chart = () => {
  const withData = servers.map((s) => [s, steps(s, 'fanout').filter((x) => isNum(x.delivered) && isNum(x.p99))]).filter(([, st]) => st.length)
  if (!withData.length) return 'no fan-out results: no chart'
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zeal-compare-chart-'))
  try {
    const files = withData.map(([s, st]) => {
      const f = path.join(dir, `${s}.dat`)
      fs.writeFileSync(f, st.map((x) => `${x.delivered} ${Math.max(x.p99, 0.01)}`).join('\n') + '\n')
      return f
    })
    const sub = `medians of ${nRuns} run${nRuns > 1 ? 's' : ''}; ${meta.cpu ?? 'unknown CPU'}; server on CPU 0, generator on CPU 1; zeal ${meta.commit ?? '?'}`
    const q = (x) => `'${String(x).replace(/'/g, '')}'`
    const styles = withData.map(([s]) => Object.keys(names).indexOf(s) + 1).join(' ')
    const vars = `outfile=${q(pngPath)}; files=${q(files.join(' '))}; titles=${q(withData.map(([s]) => names[s]).join(' '))}; styles=${q(styles)}; subtitle=${q(sub)}`
    execFileSync('gnuplot', ['-e', vars, path.join(here, 'chart.gp')], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30000 })
    return null
  } catch (e) {
    return `chart not drawn: ${e.code === 'ENOENT' ? 'gnuplot missing (scripts/install-deps.sh)' : String(e.stderr || e.message).trim().split('\n').pop()}`
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
const chartError = chart()

// --- markdown ---
const pinned = String(meta.pinned) === '1'
let md = `Run ${meta.date ?? '?'}${String(meta.quick) === '1' ? ' (**--quick**: shorter steps, fewer idle connections; indicative only)' : ''}; `
md += `every figure is the **median of ${nRuns} run${nRuns > 1 ? 's' : ''}** (n per row where it differs; a step a run did not reach is missing from that run).\n\n`
md += `- Machine: ${meta.cpu ?? 'unknown CPU'}, ${meta.cores ?? '?'} cores, Linux ${meta.kernel ?? '?'}; load average (1/5/15 min) `
md += `${meta.loadavg ?? '?'} at the start, ${metaEnd.loadavg ?? '?'} at the end (above ~2: other processes competed for the cores and `
md += `throughput and latency are noise; RSS is not affected); ${metaEnd.elapsed_s ?? '?'} s in all.\n`
md += pinned
  ? '- Every server runs alone on CPU 0 (`taskset -c 0`), the generator on CPU 1 (`taskset -c 1`); each server is started fresh for every load call.\n'
  : '- **Not pinned** (no taskset or one CPU): server and generator shared the CPUs.\n'
md += `- Versions: Zeal ${meta.commit ?? '?'}${meta.dirty === 'yes' ? ' (with uncommitted changes)' : ''} (${meta.build_type || 'unknown'} build, `
md += 'actors on the one I/O thread (`--actor-threads 0`), in memory); '
md += `@y/websocket-server ${meta.yws_version ?? '?'} (ws ${meta.ws_version ?? '?'}), @hocuspocus/server ${meta.hocuspocus_version ?? '?'} `
md += `(crossws ${meta.crossws_version ?? '?'}, no extensions), one yjs ${meta.yjs_version ?? '?'} for both; Node ${meta.node ?? '?'}.\n`
md += '- Load: `zeal_load` (bench/load, C++, one thread) — y-websocket protocol for Zeal and y-websocket, Hocuspocus protocol for '
md += 'Hocuspocus; "delivered" counts receivers only (not the sender\'s echo); latency is the sender\'s write → a receiver\'s read '
md += 'of the frame covering that update, in the generator\'s clock. A rate step passes ("ok") with no loss, no duplicate and p99 ≤ 50 ms; '
md += 'the stepping stops at the first failed step. "gen limited": the generator used ≥ 90 % CPU or fell > 5 % behind its pacing — '
md += 'such a step measures the generator, not the server.\n\n'

// headline
const headline = []
const row = (label, vals, hb, fmt = auto) => {
  const line = [label, ...servers.map((s) => (vals[s] === undefined || vals[s] === null ? 'n/a' : typeof vals[s] === 'string' ? vals[s] : fmt(vals[s])))]
  for (const o of others) line.push(hb === null ? '' : ratio(vals.zeal, vals[o], hb))
  headline.push(line)
}
const fs_ = Object.fromEntries(servers.map((s) => [s, sustained(s, 'fanout')]))
const hs_ = Object.fromEntries(servers.map((s) => [s, sustained(s, 'hot')]))
if (ran('fanout')) row('fan-out: max sustained delivered/s (highest ok step)', Object.fromEntries(servers.map((s) => [s, fs_[s]?.rate ?? null])), true, num)
if (ran('fanout')) row('fan-out: what stopped it', Object.fromEntries(servers.map((s) => [s, fs_[s]?.limit ?? whyMissing(s, 'fanout')])), null)
if (ran('fanout')) row('fan-out: server µs per delivery at 30,000/s', Object.fromEntries(servers.map((s) => [s, at30k(s)])), false)
if (ran('fanout')) row('fan-out: ÷ kernel floor (µs per 40-byte write)', Object.fromEntries(servers.map((s) => [s, isNum(at30k(s)) && isNum(floorUs) && floorUs > 0 ? `${(at30k(s) / floorUs).toFixed(1)}×` : null])), null)
if (ran('hot')) row('hot room: max sustained delivered/s', Object.fromEntries(servers.map((s) => [s, hs_[s]?.rate ?? null])), true, num)
if (ran('hot')) row('hot room: what stopped it', Object.fromEntries(servers.map((s) => [s, hs_[s]?.limit ?? whyMissing(s, 'hot')])), null)
if (ran('idle')) row('idle: RSS per connection (B)', Object.fromEntries(servers.map((s) => [s, idleOf(s)?.per ?? null])), false, num)
if (ran('joinstorm')) row('join storm: all joiners synced (ms)', Object.fromEntries(servers.map((s) => [s, joinOf(s)?.all ?? null])), false)
if (ran('joinstorm')) row('join storm: server µs per join', Object.fromEntries(servers.map((s) => [s, joinOf(s)?.us ?? null])), false)
for (const cfg of awConfigs) {
  row(`awareness ${cfg.replace('x', ' × ')}: server µs per presence update`, Object.fromEntries(servers.map((s) => [s, awOf(s, cfg)?.us ?? null])), false)
}
md += '### Headline\n\n'
if (others.length) md += `Last column${others.length > 1 ? 's' : ''}: Zeal's advantage (> 1× = Zeal better, for throughput higher/s, otherwise fewer µs, ms or bytes).\n\n`
md += table(['measurement', ...servers.map((s) => names[s]), ...others.map((o) => `Zeal vs ${names[o]}`)], headline)
md += `Kernel floor (\`zeal_floor --connections 1000 --rate 30000 --duration 5\`: the CPU cost of one 40-byte write() on loopback, `
md += `writer and reader on separate CPUs): **${auto(floorUs)} µs per write** (median of ${floorLines.length}). A server's µs per `
md += 'delivery cannot go much below it while it does one write per receiver per update.\n\n'
md += chartError ? `_${chartError}_\n\n` : `![p99 latency vs delivered updates/s, fan-out](${path.relative(path.dirname(path.resolve(outPath)), pngPath).split(path.sep).join('/')})\n\n`

const stepSeconds = String(meta.quick) === '1' ? 2 : 5
if (ran('fanout')) {
  md += '### Fan-out: 100 rooms × 10 clients, 1 sender per room\n\n'
  md += 'Target = delivered updates/s over all receivers (each sender sends target ÷ 900 updates/s, paced evenly); '
  md += `steps 10k–300k, ${stepSeconds} s each after 1 s warm-up.\n\n`
  md += stepTable('fanout')
}
if (ran('hot')) {
  md += '### Hot room: 1 room × 200 clients, 5 senders\n\n'
  md += `Target = delivered updates/s (each sender target ÷ 995); steps 20k–480k, ${stepSeconds} s each after 1 s warm-up.\n\n`
  md += stepTable('hot')
}
if (ran('idle')) {
md += '### Idle connections\n\n'
md += table(['server', 'connections', 'RSS before (MiB)', 'RSS after (MiB)', 'RSS per connection (B)', 'connections per GiB', 'n'],
  servers.map((s) => {
    const x = idleOf(s)
    if (!x) return [names[s], whyMissing(s, 'idle'), '', '', '', '', '']
    return [names[s], num(x.conns), num(x.before / 1048576, 1), num(x.after / 1048576, 1), num(x.per),
      isNum(x.per) && x.per > 0 ? num(Math.floor(2 ** 30 / x.per)) : 'n/a', String(x.n)]
  }))
for (const s of servers) {
  const x = idleOf(s)
  if (x && isNum(x.per) && x.per > 0) md += `- ${names[s]}: at ${num(x.per)} B per connection one node holds ${num(Math.floor(2 ** 30 / x.per))} idle connections per GiB of RAM.\n`
}
md += '\n'
}
if (ran('joinstorm')) {
md += '### Join storm: 100 clients join a 1 MiB document at once\n\n'
md += table(['server', 'doc bytes', 'joiners', 'all synced (ms)', 'join p50 (ms)', 'join p99 (ms)', 'server µs per join', 'complete', 'n'],
  servers.map((s) => {
    const x = joinOf(s)
    if (!x) return [names[s], whyMissing(s, 'joinstorm'), '', '', '', '', '', '', '']
    return [names[s], num(x.doc), num(x.joiners), auto(x.all), auto(x.p50), auto(x.p99), auto(x.us), x.complete, String(x.n)]
  }))
}
if (ran('awareness')) {
md += '### Awareness: every client 1 presence update per second\n\n'
md += table(['server', 'rooms × clients', 'delivered/s', 'lost', 'dup', 'p99 ms', 'server µs per presence update', 'gen CPU %', 'n'],
  (awConfigs.length ? awConfigs : ['100x10', '20x50']).flatMap((cfg) => servers.map((s) => {
    const x = awOf(s, cfg)
    if (!x) return [names[s], cfg.replace('x', ' × '), whyMissing(s, 'awareness'), '', '', '', '', '', '']
    return [names[s], cfg.replace('x', ' × '), num(x.delivered), num(x.lost), num(x.dup), auto(x.p99), auto(x.us), num(x.gen), String(x.n)]
  })))
}

const otherErrors = errors.filter((r) => !['fanout', 'hot', 'idle', 'joinstorm', 'awareness'].includes(r.mode))
if (otherErrors.length) md += `Other failures: ${otherErrors.map((r) => `${r.server} ${r.mode} run ${r.run}: ${r.error}`).join('; ')}.\n\n`
md += 'Commands (PORT: a free port per call, PID: the server process, RUN: the run number as seed, PROTO: yws for Zeal and '
md += 'y-websocket, hocuspocus for Hocuspocus, T: the call\'s time cap in s; every zeal_load call also runs under `timeout`):\n\n```sh\n'
md += 'zeal-crdt-server --host 127.0.0.1 --port PORT --in-memory --io-threads 1 --actor-threads 0 --max-clients-per-room 1000 --max-rooms 1000 --log-level warn\n'
md += 'HOST=127.0.0.1 PORT=PORT node bench/compare/node_modules/@y/websocket-server/src/server.js\n'
md += 'node bench/compare/hocuspocus-server.mjs --port PORT\n'
md += commands.join('\n') + '\n```\n'

writeSection(outPath, 'compare', md, '## Zeal vs y-websocket vs Hocuspocus (same generator, same core)\n\nCommand (Release build in build-bench, built by the script if missing):\n\n```sh\nbench/compare/run.sh            # 3 runs, 10–25 min (capped at 39); --quick: 1 short run, < 5 min\n```\n\n')
