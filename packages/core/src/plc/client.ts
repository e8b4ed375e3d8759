/**
 * Typed HTTP client for a PLC directory (ours or plc.directory). Responses are parsed as JSON and
 * typed but NOT re-validated here; use validateOperationLog / verifyAuditLog when the directory is
 * not trusted. Non-2xx answers throw PlcClientError with the status and the server's message.
 */
import type { Keypair } from '../crypto/index.ts'
import { cidForOp } from './encoding.ts'
import {
  createOp,
  createUpdateOp,
  tombstoneOp,
  updateAtprotoKeyOp,
  updateHandleOp,
  updatePdsOp,
  updateRotationKeysOp,
} from './sign.ts'
import type {
  AnyOp,
  CompatibleOp,
  DocumentData,
  ExportedOp,
  OpOrTombstone,
  PlcDidDocument,
  UnsignedOperation,
} from './types.ts'

export class PlcClientError extends Error {
  override name = 'PlcClientError'
  constructor(
    readonly status: number,
    message: string,
    readonly body?: unknown,
  ) {
    super(message)
  }
}

export interface PlcClientOptions {
  fetch?: typeof fetch
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number
}

export class PlcClient {
  readonly url: string
  private readonly fetchFn: typeof fetch
  private readonly timeoutMs: number

  constructor(url: string, opts: PlcClientOptions = {}) {
    this.url = url.replace(/\/+$/, '')
    this.fetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.timeoutMs = opts.timeoutMs ?? 10_000
  }

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    const res = await this.fetchFn(`${this.url}${path}`, { ...init, signal: AbortSignal.timeout(this.timeoutMs) })
    if (res.ok) return res
    const text = await res.text().catch(() => '')
    let body: unknown = text
    try {
      body = JSON.parse(text)
    } catch {
      // not JSON: keep the text
    }
    const message = (body as { message?: unknown })?.message
    throw new PlcClientError(res.status, typeof message === 'string' ? message : `HTTP ${res.status}`, body)
  }

  private async getJson<T>(path: string): Promise<T> {
    return (await (await this.request(path)).json()) as T
  }

  private didPath(did: string, suffix = ''): string {
    return `/${encodeURIComponent(did)}${suffix}`
  }

  getDocument(did: string): Promise<PlcDidDocument> {
    return this.getJson(this.didPath(did))
  }

  getDocumentData(did: string): Promise<DocumentData> {
    return this.getJson(this.didPath(did, '/data'))
  }

  getLog(did: string): Promise<AnyOp[]> {
    return this.getJson(this.didPath(did, '/log'))
  }

  getAuditLog(did: string): Promise<ExportedOp[]> {
    return this.getJson(this.didPath(did, '/log/audit'))
  }

  getLastOp(did: string): Promise<AnyOp> {
    return this.getJson(this.didPath(did, '/log/last'))
  }

  async sendOperation(did: string, op: OpOrTombstone): Promise<void> {
    const res = await this.request(this.didPath(did), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(op),
    })
    await res.body?.cancel()
  }

  /** One page of the global log: entries with createdAt > `after`, at most `count` (server caps 1000). */
  async export(opts: { after?: string; count?: number } = {}): Promise<ExportedOp[]> {
    const q = new URLSearchParams()
    if (opts.after !== undefined) q.set('after', opts.after)
    if (opts.count !== undefined) q.set('count', String(opts.count))
    const qs = q.toString()
    const text = await (await this.request(`/export${qs ? `?${qs}` : ''}`)).text()
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as ExportedOp)
  }

  /** Every entry after `after`, page by page. */
  async *exportAll(opts: { after?: string; pageSize?: number } = {}): AsyncIterable<ExportedOp> {
    let after = opts.after
    for (;;) {
      const page = await this.export({ after, count: opts.pageSize ?? 1000 })
      yield* page
      if (page.length === 0) return
      after = page[page.length - 1].createdAt
    }
  }

  async health(): Promise<{ version: string }> {
    return this.getJson('/_health')
  }

  /** Creates a DID with an atproto-shaped genesis op; returns the DID. */
  async createDid(opts: {
    signingKey: string
    handle: string
    pds: string
    rotationKeys: string[]
    signer: Keypair
  }): Promise<string> {
    const { op, did } = createOp(opts)
    await this.sendOperation(did, op)
    return did
  }

  private async lastStateOp(did: string): Promise<CompatibleOp> {
    const last = await this.getLastOp(did)
    if (last.type === 'plc_tombstone') throw new PlcClientError(400, `${did} is tombstoned`)
    return last
  }

  async updateData(
    did: string,
    signer: Keypair,
    fn: (s: Omit<UnsignedOperation, 'prev'>) => Omit<UnsignedOperation, 'prev'>,
  ): Promise<void> {
    await this.sendOperation(did, createUpdateOp(await this.lastStateOp(did), signer, fn))
  }

  async updateHandle(did: string, signer: Keypair, handle: string): Promise<void> {
    await this.sendOperation(did, updateHandleOp(await this.lastStateOp(did), signer, handle))
  }

  async updatePds(did: string, signer: Keypair, endpoint: string): Promise<void> {
    await this.sendOperation(did, updatePdsOp(await this.lastStateOp(did), signer, endpoint))
  }

  async updateAtprotoKey(did: string, signer: Keypair, signingKey: string): Promise<void> {
    await this.sendOperation(did, updateAtprotoKeyOp(await this.lastStateOp(did), signer, signingKey))
  }

  async updateRotationKeys(did: string, signer: Keypair, rotationKeys: string[]): Promise<void> {
    await this.sendOperation(did, updateRotationKeysOp(await this.lastStateOp(did), signer, rotationKeys))
  }

  async tombstone(did: string, signer: Keypair): Promise<void> {
    await this.sendOperation(did, tombstoneOp(cidForOp(await this.lastStateOp(did)), signer))
  }
}
