/**
 * Helpers shared by the repository and blob tests (never imported by the service): accounts through the
 * official client, raw XRPC calls, and snapshots of an account's stored state to prove that a refused
 * request changed nothing.
 */
import { AtpAgent } from '@atproto/api'
import { getAccount } from '../accounts/store.ts'
import type { TestPds } from '../test-util.ts'

/**
 * A fetch for AtpAgent that answers com.atproto.identity.resolveHandle from the PDS's own accounts when
 * the PDS does not serve it (yet): RichText.detectFacets resolves mentions through it.
 */
export function fetchWithHandleFallback(t: TestPds): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init)
    const url = new URL(input instanceof Request ? input.url : String(input))
    if (res.status !== 501 || url.pathname !== '/xrpc/com.atproto.identity.resolveHandle') return res
    const account = getAccount(t.pds.ctx.db, url.searchParams.get('handle') ?? '')
    if (!account)
      return Response.json({ error: 'InvalidRequest', message: 'Unable to resolve handle' }, { status: 400 })
    return Response.json({ did: account.did })
  }
}

export async function newAccount(t: TestPds, name: string): Promise<{ agent: AtpAgent; did: string; handle: string }> {
  const agent = new AtpAgent({ service: t.url, fetch: fetchWithHandleFallback(t) })
  const handle = `${name}.test`
  const res = await agent.createAccount({ handle, email: `${name}@example.com`, password: `pw-${name}` })
  return { agent, did: res.data.did, handle }
}

export interface XrpcResult {
  status: number
  headers: Headers
  body: any
}

/** A raw XRPC call: JSON bodies are stringified unless already a string/bytes. */
export async function xrpc(
  t: TestPds,
  nsid: string,
  opts: {
    token?: string
    body?: unknown
    contentType?: string
    query?: Record<string, string>
    headers?: Record<string, string>
  } = {},
): Promise<XrpcResult> {
  const url = new URL(`/xrpc/${nsid}`, t.url)
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v)
  const headers = new Headers(opts.headers)
  if (opts.token) headers.set('authorization', `Bearer ${opts.token}`)
  let body: BodyInit | undefined
  if (opts.body !== undefined) {
    body =
      typeof opts.body === 'string' || opts.body instanceof Uint8Array
        ? (opts.body as BodyInit)
        : JSON.stringify(opts.body)
    headers.set('content-type', opts.contentType ?? 'application/json')
  }
  const res = await fetch(url, { method: body === undefined ? 'GET' : 'POST', headers, body })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = text ? JSON.parse(text) : undefined
  } catch {}
  return { status: res.status, headers: res.headers, body: parsed }
}

/** Everything the write path touches for an account, to compare before/after a refused request. */
export function snapshot(t: TestPds, did: string) {
  const db = t.pds.ctx.db
  const all = (sql: string) => JSON.stringify(db.sqlite.prepare(sql).all(did))
  return {
    root: t.pds.ctx.repo?.getRoot(did)?.cid.toString(),
    blocks: all(
      'SELECT hex(b.cid) AS c, b.refs FROM repo_block b JOIN repo_root r ON r.id = b.repo WHERE r.did = ? ORDER BY 1',
    ),
    records: all('SELECT collection, rkey, hex(cid) AS c FROM record WHERE did = ? ORDER BY 1, 2'),
    backlinks: all('SELECT * FROM backlink WHERE did = ? ORDER BY 2, 3, 4'),
    blobs: all('SELECT cid, temp FROM blob WHERE did = ? ORDER BY 1'),
    links: all('SELECT * FROM record_blob WHERE did = ? ORDER BY 2, 3, 4'),
    events: (db.sqlite.prepare('SELECT count(*) AS n FROM repo_event WHERE did = ?').get(did) as { n: number }).n,
  }
}
