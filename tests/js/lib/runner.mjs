// A tiny sequential test runner for the server integration tests.
//   node <file> <server binary> [--filter REGEX] [--verbose]
// Each test gets a context t with t.server(opts) (a started server, stopped and checked after the test:
// SIGTERM → exit 0 + "shutdown complete"), t.defer(fn) (cleanup, run in reverse order) and t.log(...);
// for persistence tests t.tempDir() (a data dir kept across restarts, removed after the servers stopped,
// kept and printed on failure) and t.restart(server, { signal }) (stop or kill -9, start again on the same
// data dir and port).
// On failure the server's stderr tail is printed. Ends with "N passed, M failed" and exit code 1 on failure.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startServer, tail, withTimeout } from './server.mjs'

const tests = []
let fileOpts = {}

/** Options applied to every test registered after this call (e.g. { zealOnly: true } for a whole file). */
export const defaults = (o) => {
  fileOpts = { ...o }
}

/**
 * Registers a test. opts: { timeout (ms, default 30000), skip (string reason), zealOnly (skipped when the
 * binary is a Node stand-in such as tools/yws-server.cjs, which has no HTTP endpoints, limits or /ws) }.
 */
export const test = (name, fn, opts = {}) => tests.push({ name, fn, ...fileOpts, ...opts })

/** True for a .js/.cjs/.mjs "server" (run with node), e.g. the y-websocket reference stand-in. */
export const isNodeStandIn = (binary) => /\.(c|m)?js$/.test(binary)

export class AssertionError extends Error {}

/** Throws with msg unless cond. */
export const check = (cond, msg) => {
  if (!cond) throw new AssertionError(typeof msg === 'function' ? msg() : msg)
}

/** Throws unless JSON.stringify(a) === JSON.stringify(b). */
export const checkEqual = (a, b, what = 'value') => {
  const x = typeof a === 'string' ? a : JSON.stringify(a)
  const y = typeof b === 'string' ? b : JSON.stringify(b)
  if (x !== y) throw new AssertionError(`${what}: got ${x}, want ${y}`)
}

const parseArgs = () => {
  const argv = process.argv.slice(2)
  const opts = { binary: null, filter: null, verbose: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--filter') opts.filter = new RegExp(argv[++i])
    else if (a === '--verbose') opts.verbose = true
    else if (!opts.binary) opts.binary = path.resolve(a)
    else throw new Error(`unexpected argument ${a}`)
  }
  if (!opts.binary) {
    console.error(`usage: node ${process.argv[1]} <zeal-crdt-server> [--filter REGEX] [--verbose]`)
    process.exit(2)
  }
  return opts
}

/** Runs every registered test; prints the summary; exits. */
export const run = async () => {
  const opts = parseArgs()
  let passed = 0
  let failed = 0
  let skipped = 0
  const failures = []
  for (const tc of tests) {
    if (opts.filter && !opts.filter.test(tc.name)) continue
    const skip = tc.skip ?? (tc.zealOnly && isNodeStandIn(opts.binary) ? 'needs zeal-crdt-server' : null)
    if (skip) {
      console.log(`SKIP ${tc.name}: ${skip}`)
      skipped++
      continue
    }
    const servers = []
    const deferred = []
    const tempDirs = []
    const everyServer = [] // for the failure output, including servers the test stopped itself
    const t = {
      binary: opts.binary,
      zeal: !isNodeStandIn(opts.binary), // false: a stand-in without HTTP endpoints
      verbose: opts.verbose,
      log: (...a) => opts.verbose && console.log('   ', ...a),
      defer: (fn) => deferred.push(fn),
      server: async (o = {}) => {
        const s = await startServer(opts.binary, o)
        servers.push(s)
        everyServer.push(s)
        return s
      },
      /** Marks a server as stopped by the test itself (not stopped again afterwards). */
      forget: (s) => {
        const i = servers.indexOf(s)
        if (i >= 0) servers.splice(i, 1)
      },
      /** A fresh temp dir for t.server({ dataDir }) across restarts; removed after the servers stopped. */
      tempDir: () => {
        const d = fs.mkdtempSync(path.join(os.tmpdir(), 'zeal-it-persist-'))
        tempDirs.push(d)
        return d
      },
      /**
       * Stops `s` (signal 'SIGTERM' (default; checked: exit 0 + "shutdown complete") or 'SIGINT', or
       * 'SIGKILL' = kill -9), then starts the same binary again with the same data dir and port (so that
       * providers reconnect); `args` replaces the CLI args if given; `whileDown` (async) runs after the
       * old process exited and before the new one starts. Returns { server, exit } where exit is
       * { code, signal } of the old process. The old server must have been started with a dataDir.
       */
      restart: async (s, { signal = 'SIGTERM', args, env, startTimeout, whileDown } = {}) => {
        const o = s.startOptions
        if (!o.dataDir) throw new Error('t.restart: the server was started without a dataDir (use t.tempDir())')
        t.forget(s)
        const exit = signal === 'SIGKILL' ? await s.kill() : await s.stop({ signal })
        if (whileDown) await whileDown(exit)
        const server = await t.server({ ...o, args: args ?? o.args, env: env ?? o.env, startTimeout: startTimeout ?? o.startTimeout })
        return { server, exit: { code: exit.code, signal: exit.signal } }
      }
    }
    const started = Date.now()
    let error = null
    // an exception thrown in a client's event handler (e.g. y-websocket choking on a frame the server
    // relayed) fails the running test instead of killing the process
    let onUncaught
    const uncaught = new Promise((_resolve, reject) => {
      onUncaught = (e) => reject(new Error(`uncaught exception in a client during the test: ${e?.stack ?? e}`))
    })
    process.on('uncaughtException', onUncaught)
    process.on('unhandledRejection', onUncaught)
    try {
      await Promise.race([withTimeout(Promise.resolve().then(() => tc.fn(t)), tc.timeout ?? 30000, `test "${tc.name}"`), uncaught])
    } catch (e) {
      error = e
    }
    process.off('uncaughtException', onUncaught)
    process.off('unhandledRejection', onUncaught)
    for (const fn of deferred.reverse()) {
      try {
        await fn()
      } catch (e) {
        error ??= e
      }
    }
    for (const s of servers) {
      try {
        if (error) await s.kill()
        else await s.stop()
      } catch (e) {
        error ??= e
      }
    }
    if (!error) for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true })
    const ms = Date.now() - started
    if (error) {
      failed++
      failures.push(tc.name)
      console.log(`FAIL ${tc.name} (${ms} ms)\n  ${(error.stack ?? String(error)).replace(/\n/g, '\n  ')}`)
      for (const s of everyServer) console.log(`  --- server ${s.argv.join(' ')} stderr:\n${tail(s.stderr(), 40).replace(/^/gm, '  | ')}`)
      for (const d of tempDirs) console.log(`  (data dir kept: ${d})`)
    } else {
      passed++
      console.log(`ok   ${tc.name} (${ms} ms)`)
    }
  }
  if (failures.length) console.log(`failed: ${failures.join('; ')}`)
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
  process.exit(failed || passed + skipped === 0 ? 1 : 0)
}
