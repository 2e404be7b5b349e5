// Harness for the server integration tests: starts zeal-crdt-server (or a Node stand-in such as
// tools/yws-server.cjs) on port 0 with a temp --data-dir, reads the port from the
// `listening on http://HOST:PORT` line on stderr, keeps stderr for failure output, and stops it with
// SIGTERM (checking exit code 0 and `shutdown complete`).
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const LISTENING = /listening on http:\/\/([^\s:/]+|\[[^\]]+\]):(\d+)/

/** Rejects after ms with an Error naming what was awaited. */
export const withTimeout = (promise, ms, what) => {
  let timer
  const t = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms waiting for ${what}`)), ms)
  })
  return Promise.race([promise, t]).finally(() => clearTimeout(timer))
}

/**
 * Polls cond() (sync or async) every `interval` ms until it returns a truthy value; returns that value.
 * On timeout throws with `what` and, if given, describe() (the state that did not converge).
 */
export const waitFor = async (cond, { timeout = 5000, interval = 5, what = 'condition', describe } = {}) => {
  const end = Date.now() + timeout
  for (;;) {
    const v = await cond()
    if (v) return v
    if (Date.now() > end) {
      const extra = describe ? `\n${await describe()}` : ''
      throw new Error(`timeout after ${timeout} ms waiting for ${what}${extra}`)
    }
    await new Promise((resolve) => setTimeout(resolve, interval))
  }
}

/** The caller's environment without HOST/PORT/RUST_LOG/LOG_LEVEL (they would override the CLI), plus extra. */
const serverEnv = (extra) => {
  const e = { ...process.env }
  for (const k of ['HOST', 'PORT', 'RUST_LOG', 'LOG_LEVEL']) delete e[k]
  return { ...e, ...extra }
}

/**
 * Starts the server. `binary` is the zeal-crdt-server executable, or a .cjs/.mjs/.js file run with node.
 * Options: args (extra CLI args), env (extra environment), dataDir (default: a fresh temp dir, removed
 * when the server is stopped; a given dataDir is kept, the server's --data-dir is <dataDir>/data),
 * port (default 0: any free port; a restart passes the previous port so that clients reconnect),
 * startTimeout (ms), prefix (argv that execs the server, e.g. taskset).
 * Returns { host, port, http, ws, pid, proc, stderr(), waitForLog(re), stop(), kill(), startOptions }.
 */
export const startServer = async (binary, { args = [], env = {}, dataDir, port: wantPort = 0, startTimeout = 15000, prefix = [] } = {}) => {
  const tmp = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'zeal-it-'))
  if (binary.includes('/')) binary = path.resolve(binary) // the server runs in tmp
  const isNode = /\.(c|m)?js$/.test(binary)
  // prefix: a command that execs the server (e.g. ['taskset', '-c', '1']), so proc.pid stays the server's
  const full = [...prefix, ...(isNode ? [process.execPath, binary] : [binary])]
  const cmd = full[0]
  // ZEAL_TEST_SERVER_ARGS: extra flags for every Zeal server a test starts (ctest's *_io_thread entries
  // run the tests again with the actors on the I/O thread).
  const common = isNode ? [] : (process.env.ZEAL_TEST_SERVER_ARGS ?? '').split(' ').filter(Boolean)
  const argv = [...full.slice(1), '--port', String(wantPort), '--data-dir', path.join(tmp, 'data'), ...common, ...args]
  const proc = spawn(cmd, argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: tmp, // so that no ./config.ini of the caller is picked up
    env: serverEnv(env)
  })
  let err = ''
  let out = ''
  const logWaiters = []
  const onData = () => {
    for (let i = logWaiters.length - 1; i >= 0; i--) {
      const m = err.match(logWaiters[i].re)
      if (m) {
        logWaiters[i].resolve(m)
        logWaiters.splice(i, 1)
      }
    }
  }
  proc.stderr.setEncoding('utf8')
  proc.stdout.setEncoding('utf8')
  proc.stderr.on('data', (d) => {
    err += d
    onData()
  })
  proc.stdout.on('data', (d) => {
    out += d
  })
  const exited = new Promise((resolve) => {
    // 'close', not 'exit': fires once stderr/stdout are drained too, so stderr() is complete afterwards
    proc.on('close', (code, signal) => resolve({ code, signal }))
    proc.on('error', (e) => {
      err += `spawn failed: ${e.message}\n`
      resolve({ code: null, signal: null, error: e.message })
    })
  })
  let exitInfo = null
  exited.then((e) => {
    exitInfo = e
    for (const w of logWaiters.splice(0)) w.reject(new Error(`server exited (${JSON.stringify(e)}) before log ${w.re}`))
  })
  const waitForLog = (re, timeout = 5000) => {
    const m = err.match(re)
    if (m) return Promise.resolve(m)
    if (exitInfo) return Promise.reject(new Error(`server exited (${JSON.stringify(exitInfo)}) before log ${re}`))
    return withTimeout(new Promise((resolve, reject) => logWaiters.push({ re, resolve, reject })), timeout, `log ${re}`)
  }
  let m
  try {
    m = await waitForLog(LISTENING, startTimeout)
  } catch (e) {
    proc.kill('SIGKILL')
    throw new Error(`server did not start: ${e.message}\n--- command: ${cmd} ${argv.join(' ')}\n--- stderr:\n${err}${out ? `\n--- stdout:\n${out}` : ''}`)
  }
  const host = m[1] === '0.0.0.0' ? '127.0.0.1' : m[1]
  const port = Number(m[2])
  const cleanup = () => {
    if (!dataDir) fs.rmSync(tmp, { recursive: true, force: true })
  }
  const server = {
    host,
    port,
    http: `http://${host}:${port}`,
    ws: `ws://${host}:${port}`,
    pid: proc.pid,
    proc,
    argv,
    stderr: () => err,
    stdout: () => out,
    exited,
    /** What this server was started with (a restart on the same data dir and port reuses it). */
    startOptions: { binary, args, env, dataDir, port, startTimeout, prefix },
    waitForLog,
    /** SIGTERM; resolves {code, signal, stderr}; throws unless exit 0 + `shutdown complete` (check=true). */
    stop: async ({ timeout = 10000, check = true, signal = 'SIGTERM' } = {}) => {
      if (!exitInfo) proc.kill(signal)
      let e
      try {
        e = await withTimeout(exited, timeout, 'server exit after ' + signal)
      } catch (x) {
        proc.kill('SIGKILL')
        await exited
        cleanup()
        throw new Error(`${x.message}; killed.\n--- stderr:\n${tail(err)}`)
      }
      cleanup()
      if (check) {
        if (e.code !== 0) throw new Error(`server exit ${JSON.stringify(e)} after ${signal} (want code 0)\n--- stderr:\n${tail(err)}`)
        if (!/shutdown complete/.test(err)) throw new Error(`no "shutdown complete" in the log\n--- stderr:\n${tail(err)}`)
      }
      return { ...e, stderr: err }
    },
    /** SIGKILL (kill -9, no shutdown of any kind); resolves the exit info { code, signal }. */
    kill: async () => {
      if (!exitInfo) proc.kill('SIGKILL')
      const e = await exited
      cleanup()
      return e
    }
  }
  return server
}

/** The last n lines of a log. */
export const tail = (s, n = 60) => {
  const lines = s.split('\n')
  return (lines.length > n ? `[... ${lines.length - n} lines]\n` : '') + lines.slice(-n).join('\n')
}

/** GET (or another method) → { status, headers, text, json(), bytes }. */
export const httpGet = async (url, { method = 'GET', body, timeout = 5000 } = {}) => {
  const ctl = new AbortController()
  const timer = setTimeout(() => ctl.abort(), timeout)
  try {
    const r = await fetch(url, { method, body, signal: ctl.signal })
    const bytes = new Uint8Array(await r.arrayBuffer())
    const text = Buffer.from(bytes).toString('utf8')
    return {
      status: r.status,
      headers: r.headers,
      bytes,
      text,
      json: () => {
        try {
          return JSON.parse(text)
        } catch (e) {
          throw new Error(`${method} ${url}: not JSON (${e.message}): ${JSON.stringify(text.slice(0, 300))}`)
        }
      }
    }
  } finally {
    clearTimeout(timer)
  }
}
