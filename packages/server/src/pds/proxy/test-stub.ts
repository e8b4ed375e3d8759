/**
 * Test helper (never imported by the service): a loopback stand-in for an AppView or moderation service.
 * It serves its own did:web document (`did:web:localhost%3A<port>`, service `#bsky_appview` and
 * `#atproto_labeler` at its URL), checks the service-auth JWT of every XRPC call with the official
 * verifier (@atproto/xrpc-server verifyJwt) AND ours (core verifyServiceJwt) — issuer keys read from the
 * PLC directory — and records each call. Answers come from `routes` (default: 404 NotFound), so tests say
 * what the "AppView" knows.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { verifyJwt } from '@atproto/xrpc-server'
import { verifyServiceJwt } from '@stratus/core/xrpc'

export interface StubCall {
  nsid: string
  method: string
  url: URL
  headers: IncomingMessage['headers']
  body: Buffer
  /** The verified JWT payload (null when the call had no valid token: it was refused). */
  jwt: { iss: string; aud: string; lxm?: string; exp: number; jti?: string } | null
  /** Why the token was refused, if it was. */
  authError?: string
  /** Resolves if the caller closes the connection before the answer was sent. */
  aborted: Promise<void>
}

export interface StubAnswer {
  status?: number
  headers?: Record<string, string>
  body?: unknown
  /** Raw bytes instead of JSON. */
  raw?: Uint8Array
}

export type StubRoute = (call: StubCall) => StubAnswer | Promise<StubAnswer>

export interface StubService {
  url: string
  did: string
  calls: StubCall[]
  routes: Map<string, StubRoute>
  close(): Promise<void>
}

export async function startStubService(plcUrl: string, opts: { acceptAud?: string[] } = {}): Promise<StubService> {
  const routes = new Map<string, StubRoute>()
  const calls: StubCall[] = []
  let did = ''
  let url = ''
  const signingKey = async (iss: string) => {
    const res = await fetch(`${plcUrl}/${iss.split('#')[0]}/data`)
    if (!res.ok) throw new Error(`no DID data for ${iss}`)
    return ((await res.json()) as { verificationMethods: { atproto: string } }).verificationMethods.atproto
  }
  const server = createServer((req, res) => {
    void handle(req, res).catch((err) => {
      res.statusCode = 500
      res.end(String(err))
    })
  })
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const u = new URL(req.url ?? '/', url)
    if (u.pathname === '/.well-known/did.json') return send(res, { body: didDoc(did, url) })
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const nsid = u.pathname.replace(/^\/xrpc\//, '')
    const call: StubCall = {
      nsid,
      method: req.method ?? 'GET',
      url: u,
      headers: req.headers,
      body: Buffer.concat(chunks),
      jwt: null,
      aborted: new Promise((resolve) => res.once('close', () => res.writableFinished || resolve())),
    }
    calls.push(call)
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    const auds = [did, ...(opts.acceptAud ?? [])]
    try {
      if (!token) throw new Error('no token')
      const official = await verifyJwt(token, null, nsid, (iss) => signingKey(iss))
      const ours = await verifyServiceJwt(token, { aud: null, lxm: nsid, getSigningKey: (iss) => signingKey(iss) })
      if (!auds.includes(official.aud) || ours.aud !== official.aud) throw new Error(`bad aud ${official.aud}`)
      call.jwt = { ...ours }
    } catch (err) {
      call.authError = (err as Error).message
      return send(res, { status: 401, body: { error: 'AuthenticationRequired', message: call.authError } })
    }
    const route = routes.get(nsid)
    if (!route) return send(res, { status: 404, body: { error: 'NotFound', message: `stub has no ${nsid}` } })
    return send(res, await route(call))
  }
  // Dual-stack: 'localhost' may resolve to ::1 or 127.0.0.1.
  await new Promise<void>((resolve) => server.listen(0, resolve))
  const port = (server.address() as AddressInfo).port
  url = `http://localhost:${port}`
  did = `did:web:localhost%3A${port}`
  return {
    url,
    did,
    calls,
    routes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function didDoc(did: string, url: string) {
  return {
    '@context': ['https://www.w3.org/ns/did/v1'],
    id: did,
    service: [
      { id: '#bsky_appview', type: 'BskyAppView', serviceEndpoint: url },
      { id: '#atproto_labeler', type: 'AtprotoLabeler', serviceEndpoint: url },
    ],
  }
}

function send(res: ServerResponse, a: StubAnswer): void {
  res.statusCode = a.status ?? 200
  for (const [k, v] of Object.entries(a.headers ?? {})) res.setHeader(k, v)
  if (a.raw) {
    if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/octet-stream')
    res.end(Buffer.from(a.raw))
    return
  }
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify(a.body ?? {}))
}
