// Test harness: the real atproto PLC directory + PDS (@atproto/dev-env -> @atproto/pds,
// @did-plc/server) in one Node process, bound to loopback only, with an egress guard that refuses
// every non-loopback TCP connection and every DNS query. Adapted from the shared atproto recipe,
// without the appview.
//
// env:
//   ATP_PLC_PORT  2582    PLC directory port
//   ATP_PDS_PORT  2583    PDS port
//   ATP_RATE_LIMITS 1     PDS rate limits on (in-memory limiter)
//   ATP_RATE_LIMIT_BYPASS_KEY (unset)  requests with header x-ratelimit-bypass: KEY skip limits
//
// Prints one line `ATPROTO_READY {json}` when ready; SIGTERM/SIGINT close it and remove its data.
import net from 'node:net'
import dns from 'node:dns'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { syncBuiltinESMExports } from 'node:module'

const BIND = '127.0.0.1'
const PLC_PORT = Number(process.env.ATP_PLC_PORT ?? 2582)
const PDS_PORT = Number(process.env.ATP_PDS_PORT ?? 2583)
const RATE_LIMITS = (process.env.ATP_RATE_LIMITS ?? '1') === '1'
const BYPASS_KEY = process.env.ATP_RATE_LIMIT_BYPASS_KEY || undefined
const DEAD_URL = 'http://127.0.0.1:9' // nothing listens: appview/moderation calls fail fast, locally

// 1. The servers call app.listen(port) without a host (= all interfaces): force loopback.
const origListen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    if (typeof args[1] !== 'string') args.splice(1, 0, BIND)
  } else if (args[0] && typeof args[0] === 'object' && args[0].path === undefined && args[0].host === undefined) {
    args[0] = { ...args[0], host: BIND }
  }
  return origListen.apply(this, args)
}

// 2. Egress guard: loopback TCP only, no DNS queries at all.
const isLocal = (h) => h === undefined || h === null || h === '' || h === 'localhost' ||
  /^127\./.test(h) || h === '::1' || h === '::ffff:127.0.0.1'
const origConnect = net.Socket.prototype.connect
net.Socket.prototype.connect = function (...args) {
  const o = Array.isArray(args[0]) ? args[0][0] : (args[0] && typeof args[0] === 'object' ? args[0] : { port: args[0], host: typeof args[1] === 'string' ? args[1] : undefined })
  if (o && o.path === undefined && !isLocal(o.host)) {
    console.error(`[egress-guard] BLOCKED tcp connect to ${o.host}:${o.port}`)
    const err = Object.assign(new Error(`egress blocked: ${o.host}:${o.port}`), { code: 'ECONNREFUSED' })
    process.nextTick(() => this.destroy(err))
    return this
  }
  return origConnect.apply(this, args)
}
for (const name of ['resolveTxt', 'resolve', 'resolve4', 'resolve6', 'resolveAny']) {
  dns.promises[name] = async (host) => {
    console.error(`[egress-guard] BLOCKED dns ${name} ${host}`)
    throw Object.assign(new Error(`egress blocked: dns ${host}`), { code: 'ENOTFOUND' })
  }
}
syncBuiltinESMExports()

// 3. All data (SQLite DBs, blobs, dev-env port locks) in one temp dir, removed on exit.
const t0 = performance.now()
const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'klinikfunk-atproto-'))
process.env.TMPDIR = dataRoot
process.on('exit', () => fs.rmSync(dataRoot, { recursive: true, force: true }))

let network
let closing = false
const shutdown = async (sig) => {
  if (closing) return
  closing = true
  const timer = setTimeout(() => { console.error('close timed out'); process.exit(1) }, 10_000)
  if (network) {
    try { await network.close() } catch (err) { console.error('close error', err?.message ?? err) }
  }
  clearTimeout(timer)
  console.error(`closed after ${sig}`)
  process.exit(0)
}
process.on('SIGINT', () => shutdown('SIGINT'))
process.on('SIGTERM', () => shutdown('SIGTERM'))
// The test runner holds our stdin; when it goes away (even killed), close too.
process.stdin.on('end', () => shutdown('stdin closed'))
process.stdin.resume()

// Imported after the patches above (static imports would be hoisted).
const devEnv = await import('@atproto/dev-env')
network = await devEnv.TestNetworkNoAppView.create({
  plc: { port: PLC_PORT },
  pds: {
    port: PDS_PORT,
    hostname: 'localhost',
    rateLimitsEnabled: RATE_LIMITS,
    rateLimitBypassKey: BYPASS_KEY,
    enableDidDocWithSession: true,
    bskyAppViewUrl: DEAD_URL,
    modServiceUrl: DEAD_URL,
  },
})
const info = {
  plcUrl: `http://${BIND}:${PLC_PORT}`,
  pdsUrl: `http://${BIND}:${PDS_PORT}`,
  pdsDid: network.pds.ctx.cfg.service.did,
  handleDomains: network.pds.ctx.cfg.identity.serviceHandleDomains,
  jwtSecret: 'jwt-secret', // dev-env's HS256 secret of access/refresh JWTs (to forge expired tokens)
  rateLimits: RATE_LIMITS,
  rateLimitBypassHeader: BYPASS_KEY ? 'x-ratelimit-bypass' : null,
  startupMs: Math.round(performance.now() - t0),
  pid: process.pid,
  node: process.version,
}
console.log('ATPROTO_READY ' + JSON.stringify(info))
