/**
 * Resynchronising an account whose chain broke (or whose commit the relay had to drop): fetch the whole
 * repository from the account's PDS (com.atproto.sync.getRepo), verify it completely on the worker pool
 * (verifyRepoCar: every block hash, the tree, the commit's DID and signature with the current key) and
 * hand the verified head to the processor, which adopts it and emits a #sync.
 *
 * Bounded: a few at a time, one attempt per account per cooldown, failures retried with backoff a few
 * times, repositories above `maxRepoBytes` refused, and outside dev mode the PDS address must be public.
 */
import { assertFetchable, platformDns } from '@stratus/core/identity'
import { readLimited } from '../../http/index.ts'
import type { Identities } from './identities.ts'
import type { ResyncResult } from './processor.ts'
import type { VerifyPool } from './verify-pool.ts'

export interface ResyncOptions {
  identities: Identities
  pool: VerifyPool
  dev: boolean
  maxRepoBytes: number
  timeoutMs: number
  concurrency: number
  cooldownMs: number
  maxAttempts: number
  onResult: (r: ResyncResult) => void
  onFailure: (did: string, err: unknown, final: boolean) => void
  fetch?: typeof fetch
}

export class ResyncError extends Error {
  override name = 'ResyncError'
}

export class Resyncer {
  private readonly queue: string[] = []
  private readonly queued = new Set<string>()
  private readonly lastTry = new Map<string, number>()
  private readonly attempts = new Map<string, number>()
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private running = 0
  private closed = false

  constructor(private readonly opts: ResyncOptions) {}

  get pending(): number {
    return this.queue.length + this.running
  }

  request(did: string): void {
    if (this.closed || this.queued.has(did)) return
    const wait = (this.lastTry.get(did) ?? 0) + this.opts.cooldownMs - Date.now()
    this.queued.add(did)
    if (wait > 0) {
      const t = setTimeout(() => {
        this.timers.delete(t)
        this.enqueue(did)
      }, wait)
      t.unref?.()
      this.timers.add(t)
    } else this.enqueue(did)
  }

  private enqueue(did: string): void {
    if (this.closed) return
    this.queue.push(did)
    this.pump()
  }

  private pump(): void {
    while (this.running < this.opts.concurrency && this.queue.length > 0) {
      const did = this.queue.shift() as string
      this.running++
      this.lastTry.set(did, Date.now())
      this.run(did)
        .then((r) => {
          this.attempts.delete(did)
          this.opts.onResult(r)
        })
        .catch((err) => this.failed(did, err))
        .finally(() => {
          this.running--
          this.queued.delete(did)
          this.pump()
        })
    }
  }

  private failed(did: string, err: unknown): void {
    const n = (this.attempts.get(did) ?? 0) + 1
    const final = n >= this.opts.maxAttempts
    if (final) this.attempts.delete(did)
    else this.attempts.set(did, n)
    this.opts.onFailure(did, err, final)
    if (!final && !this.closed) {
      const t = setTimeout(
        () => {
          this.timers.delete(t)
          this.request(did)
        },
        Math.min(10 * 60_000, this.opts.cooldownMs * 2 ** n),
      )
      t.unref?.()
      this.timers.add(t)
    }
  }

  private async run(did: string): Promise<ResyncResult> {
    const { identities, dev, timeoutMs } = this.opts
    const id = (await identities.refresh(did)) ?? (await identities.get(did))
    if (!id?.pdsUrl || !id.signingKey) throw new ResyncError(`${did} has no PDS or signing key`)
    const url = new URL('/xrpc/com.atproto.sync.getRepo', id.pdsUrl)
    url.searchParams.set('did', did)
    await assertFetchable(url, { dns: platformDns(timeoutMs), allowPrivateNetwork: dev, timeoutMs })
    const res = await (this.opts.fetch ?? fetch)(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' })
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => {})
      throw new ResyncError(`getRepo ${did} answered HTTP ${res.status}`)
    }
    const car = await readLimited(res.body, this.opts.maxRepoBytes)
    const r = await this.opts.pool.verifyRepo({ did, signingKey: id.signingKey, car })
    if (!r.ok) throw new ResyncError(`repository of ${did} failed verification: ${r.code}: ${r.message}`)
    return { did, rev: r.rev, commit: r.commit, data: r.data, commitBlock: r.commitBlock }
  }

  close(): void {
    this.closed = true
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    this.queue.length = 0
  }
}
