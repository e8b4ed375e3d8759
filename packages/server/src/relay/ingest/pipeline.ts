/**
 * One host's ingest pipeline. Frames are peeked (peek.ts) and queued in arrival order; each is prepared
 * concurrently — account state, host limits, identity (cached), host check, then the stateless checks on
 * the verification pool — and the results are applied strictly in upstream order as they reach the head of
 * the queue (processor.ts). So verification runs in parallel across workers while every account's events
 * keep their order, and the host cursor only ever advances past fully processed events.
 *
 * Checks made here: upstream seq strictly increasing, the account's DID document names this host (after
 * one re-resolution), identity refreshed once when a signature fails, per-account rate limit, the host's
 * account limit before resolving unknown DIDs (so a hostile host cannot make the relay resolve DIDs without
 * bound), and size limits for the small event types decoded on this thread.
 */
import { isValidDid, isValidHandle } from '@stratus/core/syntax'
import { decodeFrame } from '@stratus/core/xrpc'
import type { Host } from '../hosts/host.ts'
import type { KeyedBuckets } from '../hosts/limits.ts'
import type { Accounts } from '../state/accounts.ts'
import { type DropReason, reasonForCode } from './counters.ts'
import type { Identities, IdentityInfo } from './identities.ts'
import { type PeekedFrame, peekFrame } from './peek.ts'
import type { Processor } from './processor.ts'
import type { VerifyPool } from './verify-pool.ts'
import type { VerifiedFields, VerifyKind, VerifyResult } from './verify-job.ts'

export type Outcome =
  | { type: 'drop'; reason: DropReason; did?: string }
  | { type: 'verified'; result: VerifiedFields }
  | { type: 'identity'; did: string; handle?: string; time: string }
  | { type: 'account'; did: string; active: boolean; status?: string; time: string }
  | { type: 'skip' }

interface Slot {
  seq?: number
  outcome?: Outcome
  bytes: number
}

export interface PipelineDeps {
  pool: VerifyPool
  identities: Identities
  accounts: Accounts
  processor: Processor
  accountLimiter: KeyedBuckets
  /** Most frames, and bytes of frames, queued per host before its socket is paused. */
  maxInFlight: number
  maxInFlightBytes: number
  /** Upstream error frame (e.g. FutureCursor). */
  onUpstreamError: (host: Host, error: string, message?: string) => void
  /** A dropped commit lost data (rate limit): the account needs a resync later. */
  onLostCommit: (did: string) => void
  afterDrain: (host: Host) => void
  pause: (reason: string) => void
  resume: (reason: string) => void
}

const SMALL_FRAME_BYTES = 64 * 1024

export class HostPipeline {
  private queue: Slot[] = []
  private head = 0
  private lastSeq: number
  private queuedBytes = 0
  private rateTimer: ReturnType<typeof setTimeout> | undefined

  constructor(
    readonly host: Host,
    private readonly deps: PipelineDeps,
  ) {
    this.lastSeq = host.cursor ?? -1
  }

  get inFlight(): number {
    return this.queue.length - this.head
  }

  /** Where a new connection should resume: after everything already queued. */
  get resumeCursor(): number | undefined {
    return this.lastSeq >= 0 ? this.lastSeq : undefined
  }

  /** Forget the upstream position (after FutureCursor: the host's sequence restarted). */
  resetCursor(): void {
    this.lastSeq = -1
  }

  push(frame: Uint8Array): void {
    const slot: Slot = { bytes: frame.byteLength }
    this.queue.push(slot)
    this.queuedBytes += slot.bytes
    this.limitRate()
    if (this.inFlight >= this.deps.maxInFlight || this.queuedBytes >= this.deps.maxInFlightBytes) {
      this.deps.pause('backlog')
    }
    let p: PeekedFrame
    try {
      p = peekFrame(frame)
    } catch {
      this.finish(slot, { type: 'drop', reason: 'malformed' })
      return
    }
    if (p.op === -1) this.upstreamError(frame)
    // Error frames, unknown ops and #info messages carry nothing to relay.
    if (p.op !== 1 || p.t === undefined || p.t === '#info') {
      this.finish(slot, { type: 'skip' })
      return
    }
    if (p.seq === undefined || p.seq <= this.lastSeq) {
      this.finish(slot, { type: 'drop', reason: 'out-of-order' })
      return
    }
    this.lastSeq = p.seq
    slot.seq = p.seq
    if ((p.t === '#commit' || p.t === '#sync') && p.did !== undefined && this.fastPath(slot, p.t, p.did, frame)) return
    this.prepare(p, frame).then(
      (o) => this.finish(slot, o),
      () => this.finish(slot, { type: 'drop', reason: 'internal' }),
    )
  }

  /**
   * The common case without promises: account state and identity already cached and the identity names
   * this host. Returns false to take the general (async) path, which also handles lookups and refreshes.
   */
  private fastPath(slot: Slot, kind: VerifyKind, did: string, frame: Uint8Array): boolean {
    const s = this.deps.accounts.peek(did)
    const id = this.deps.identities.peek(did)
    if (s === undefined || !id?.signingKey || id.pdsHost !== this.host.hostname) return false
    const refused = s === null && !this.host.hasRoomForAccount() ? 'account-limit' : s?.relayStatus ? 'takendown' : null
    if (refused) {
      this.finish(slot, { type: 'drop', reason: refused })
      return true
    }
    if (kind === '#commit' && !this.deps.accountLimiter.take(did)) {
      this.finish(slot, { type: 'drop', reason: 'account-rate-limit', did })
      return true
    }
    const key = id.signingKey
    this.deps.pool.verify({ kind, did, signingKey: key, frame }, (r) => {
      if (r.ok) return this.finish(slot, { type: 'verified', result: r })
      this.afterFailure(r.code, kind, did, key, frame).then(
        (o) => this.finish(slot, o),
        () => this.finish(slot, { type: 'drop', reason: 'internal' }),
      )
    })
    return true
  }

  /** A failed signature may mean the key rotated since we cached it: look again, once, and retry. */
  private async afterFailure(
    code: string,
    kind: VerifyKind,
    did: string,
    key: string,
    frame: Uint8Array,
  ): Promise<Outcome> {
    if (code === 'bad-signature' && this.deps.identities.canRefresh(did)) {
      const fresh = await this.deps.identities.refresh(did)
      if (fresh?.signingKey && fresh.signingKey !== key && fresh.pdsHost === this.host.hostname) {
        const r = await this.verify({ kind, did, signingKey: fresh.signingKey, frame })
        if (r.ok) return { type: 'verified', result: r }
        return { type: 'drop', reason: reasonForCode(r.code) }
      }
    }
    return { type: 'drop', reason: reasonForCode(code) }
  }

  private limitRate(): void {
    const wait = this.host.bucket.spend(1)
    if (wait <= 0 || this.rateTimer) return
    this.host.throttled = true
    this.deps.pause('rate')
    this.rateTimer = setTimeout(() => {
      this.rateTimer = undefined
      this.host.throttled = false
      this.deps.resume('rate')
    }, wait)
  }

  private upstreamError(frame: Uint8Array): void {
    try {
      const body = decodeFrame(frame).body as { error: string; message?: string }
      this.deps.onUpstreamError(this.host, body.error, body.message)
    } catch {
      this.deps.onUpstreamError(this.host, 'MalformedError')
    }
  }

  private async prepare(p: PeekedFrame, frame: Uint8Array): Promise<Outcome> {
    const did = p.did
    if (did === undefined || !isValidDid(did)) return { type: 'drop', reason: 'malformed' }
    switch (p.t) {
      case '#commit':
      case '#sync':
        return this.prepareVerified(p.t, did, frame)
      case '#identity':
        return this.prepareIdentity(did, frame)
      case '#account':
        return this.prepareAccount(did, frame)
      default:
        return { type: 'drop', reason: 'unknown-type' }
    }
  }

  /** State and limits that apply before any work is spent on an account's event. */
  private async admit(did: string): Promise<DropReason | undefined> {
    const { accounts } = this.deps
    let s = accounts.peek(did)
    if (s === undefined) s = await accounts.get(did)
    if (!s && !this.host.hasRoomForAccount()) return 'account-limit'
    if (s?.relayStatus) return 'takendown'
    return undefined
  }

  /** The account's identity if its DID document names this host (re-resolving once before refusing). */
  private async identityHere(did: string): Promise<IdentityInfo | DropReason> {
    const ids = this.deps.identities
    let id = ids.peek(did)
    if (id === undefined) id = await ids.get(did)
    if (id && id.pdsHost !== this.host.hostname && ids.canRefresh(did)) id = await ids.refresh(did)
    if (!id) return 'identity'
    if (id.pdsHost !== this.host.hostname) return 'wrong-host'
    return id
  }

  private async prepareVerified(kind: VerifyKind, did: string, frame: Uint8Array): Promise<Outcome> {
    const refused = await this.admit(did)
    if (refused) return { type: 'drop', reason: refused }
    if (kind === '#commit' && !this.deps.accountLimiter.take(did)) {
      return { type: 'drop', reason: 'account-rate-limit', did }
    }
    const id = await this.identityHere(did)
    if (typeof id === 'string') return { type: 'drop', reason: id }
    if (!id.signingKey) return { type: 'drop', reason: 'identity' }
    const r = await this.verify({ kind, did, signingKey: id.signingKey, frame })
    if (!r.ok) return this.afterFailure(r.code, kind, did, id.signingKey, frame)
    return { type: 'verified', result: r }
  }

  private verify(job: { kind: VerifyKind; did: string; signingKey: string; frame: Uint8Array }): Promise<VerifyResult> {
    return new Promise((resolve) => this.deps.pool.verify(job, resolve))
  }

  private decodeSmall(frame: Uint8Array, did: string): Record<string, unknown> | DropReason {
    if (frame.byteLength > SMALL_FRAME_BYTES) return 'too-large'
    try {
      const body = decodeFrame(frame).body as Record<string, unknown>
      if (body.did !== did || typeof body.time !== 'string' || body.time.length > 64) return 'malformed'
      return body
    } catch {
      return 'malformed'
    }
  }

  private async prepareIdentity(did: string, frame: Uint8Array): Promise<Outcome> {
    const body = this.decodeSmall(frame, did)
    if (typeof body === 'string') return { type: 'drop', reason: body }
    const refused = await this.admit(did)
    if (refused) return { type: 'drop', reason: refused }
    // The point of #identity: whatever we cached may be stale (at most one lookup per DID per 2 s).
    await this.deps.identities.refresh(did, 2000)
    const id = await this.identityHere(did)
    if (typeof id === 'string') return { type: 'drop', reason: id }
    const handle = typeof body.handle === 'string' && isValidHandle(body.handle) ? body.handle : undefined
    return { type: 'identity', did, handle, time: body.time as string }
  }

  private async prepareAccount(did: string, frame: Uint8Array): Promise<Outcome> {
    const body = this.decodeSmall(frame, did)
    if (typeof body === 'string') return { type: 'drop', reason: body }
    if (typeof body.active !== 'boolean') return { type: 'drop', reason: 'malformed' }
    const status = body.status
    if (status !== undefined && (typeof status !== 'string' || status.length > 64 || !/^[a-z]+$/.test(status))) {
      return { type: 'drop', reason: 'malformed' }
    }
    const refused = await this.admit(did)
    if (refused && refused !== 'takendown') return { type: 'drop', reason: refused }
    const id = await this.identityHere(did)
    if (typeof id === 'string') return { type: 'drop', reason: id }
    return {
      type: 'account',
      did,
      active: body.active,
      status: status as string | undefined,
      time: body.time as string,
    }
  }

  private finish(slot: Slot, outcome: Outcome): void {
    slot.outcome = outcome
    this.drain()
  }

  private drain(): void {
    const { processor } = this.deps
    let applied = 0
    while (this.head < this.queue.length) {
      const slot = this.queue[this.head]
      const o = slot.outcome
      if (!o) break
      this.queue[this.head++] = undefined as unknown as Slot
      this.queuedBytes -= slot.bytes
      applied++
      this.apply(o, processor)
      if (slot.seq !== undefined) this.host.cursor = slot.seq
    }
    if (applied === 0) return
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
    this.host.dirty = true
    this.host.lastEventAtMs = Date.now()
    if (this.inFlight <= this.deps.maxInFlight / 2 && this.queuedBytes <= this.deps.maxInFlightBytes / 2) {
      this.deps.resume('backlog')
    }
    this.deps.afterDrain(this.host)
  }

  private apply(o: Outcome, processor: Processor): void {
    const host = this.host
    if (host.status === 'banned') {
      processor.drop(host, 'host-banned')
      return
    }
    switch (o.type) {
      case 'verified':
        if (o.result.kind === '#commit') processor.applyCommit(host, o.result)
        else processor.applySync(host, o.result)
        return
      case 'identity':
        processor.applyIdentity(host, o.did, o.handle, o.time)
        return
      case 'account':
        processor.applyAccount(host, o.did, o.active, o.status, o.time)
        return
      case 'drop':
        processor.drop(host, o.reason)
        if (o.reason === 'account-rate-limit' && o.did) this.deps.onLostCommit(o.did)
        return
      default:
    }
  }

  /** Stops timers (the host is being stopped). */
  close(): void {
    clearTimeout(this.rateTimer)
    this.rateTimer = undefined
    if (this.host.throttled) {
      this.host.throttled = false
      this.deps.resume('rate')
    }
  }
}
