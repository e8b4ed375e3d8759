/**
 * The PLC directory's logic over a PlcStore: accepting operations and answering reads.
 * submit(): parse (exact shape) -> limits -> per-DID lock -> rate limit -> acceptance rule at the
 * server's timestamp (core/plc assureValidNextOp) -> commit if the head is unchanged (retried if
 * another process moved it). Any rejection throws a PlcError or DirectoryError (status 400) and
 * leaves the store untouched.
 */
import type { AnyOp, DocumentData, IndexedOperation, PlcDidDocument, PlcLimits } from '@stratus/core/plc'
import {
  PLC_LIMITS,
  assertOpWithinLimits,
  assureValidNextOp,
  cidForOp,
  ensureValidPlcDid,
  formatDidDoc,
  opToData,
  parseIncomingOperation,
  parseOperation,
} from '@stratus/core/plc'
import { MonotonicClock } from './clock.ts'
import { KeyedLock } from './keyed-lock.ts'
import type { PlcStore, RawOp } from './store.ts'

export class DirectoryError extends Error {
  override name = 'DirectoryError'
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** Per-DID operation caps per trailing window, as the public directory applies them. */
export interface OpRateLimits {
  hour: number
  day: number
  week: number
}
export const DEFAULT_RATE_LIMITS: OpRateLimits = { hour: 10, day: 30, week: 100 }

export interface PlcDirectoryOptions {
  /** Injectable wall clock (ms), for recovery-window tests. */
  now?: () => number
  limits?: PlcLimits
  /** false disables per-DID rate limits. */
  rateLimits?: OpRateLimits | false
}

const HOUR = 3600_000

export class PlcDirectory {
  private readonly locks = new KeyedLock()
  private readonly limits: PlcLimits
  private readonly rateLimits: OpRateLimits | false

  private constructor(
    readonly store: PlcStore,
    private readonly clock: MonotonicClock,
    opts: PlcDirectoryOptions,
  ) {
    this.limits = opts.limits ?? PLC_LIMITS
    this.rateLimits = opts.rateLimits ?? DEFAULT_RATE_LIMITS
  }

  static async create(store: PlcStore, opts: PlcDirectoryOptions = {}): Promise<PlcDirectory> {
    return new PlcDirectory(store, new MonotonicClock(opts.now, await store.latestCreatedAt()), opts)
  }

  /**
   * Validates and stores one operation for `did`. `allowLegacyCreate` admits the deprecated
   * genesis form (for importing old logs; never from HTTP clients).
   */
  async submit(did: string, input: unknown, opts: { allowLegacyCreate?: boolean } = {}): Promise<IndexedOperation> {
    ensureValidPlcDid(did)
    const op = opts.allowLegacyCreate ? parseOperation(input) : parseIncomingOperation(input)
    if (op.type !== 'create') assertOpWithinLimits(op, this.limits)
    const cid = cidForOp(op)
    return this.locks.run(did, async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const all = await this.store.opsForDid(did, true)
        const active = all.filter((o) => !o.nullified)
        const now = this.clock.next()
        this.checkRateLimit(all, now)
        const { nullified } = assureValidNextOp(did, active, op, now)
        const entry: IndexedOperation = {
          did,
          operation: op,
          cid,
          nullified: false,
          createdAt: new Date(now).toISOString(),
        }
        const head = active.length ? active[active.length - 1].cid : null
        if (await this.store.commitOp(entry, nullified, head)) return entry
      }
      throw new DirectoryError(409, `Concurrent updates to ${did}; retry`)
    })
  }

  private checkRateLimit(ops: readonly IndexedOperation[], now: number): void {
    if (!this.rateLimits) return
    const windows: [keyof OpRateLimits, number][] = [
      ['hour', HOUR],
      ['day', 24 * HOUR],
      ['week', 7 * 24 * HOUR],
    ]
    for (const [name, span] of windows) {
      const since = new Date(now - span).toISOString()
      const n = ops.filter((o) => o.createdAt > since).length
      if (n >= this.rateLimits[name])
        throw new DirectoryError(400, `Too many operations within last ${name} (max ${this.rateLimits[name]})`)
    }
  }

  /** The newest active op, or a 404 DirectoryError. */
  async lastOp(did: string): Promise<RawOp> {
    const last = await this.store.lastOpForDid(did)
    if (!last) throw new DirectoryError(404, `DID not registered: ${did}`)
    return last
  }

  async data(did: string): Promise<DocumentData> {
    const last = await this.lastOp(did)
    const data = opToData(did, JSON.parse(last.operation) as AnyOp)
    if (!data) throw new DirectoryError(404, `DID not available: ${did}`)
    return data
  }

  async document(did: string): Promise<PlcDidDocument> {
    return formatDidDoc(await this.data(did))
  }

  /** Active ops as stored JSON text. */
  async log(did: string): Promise<RawOp[]> {
    const ops = await this.store.rawOpsForDid(did, false)
    if (ops.length === 0) throw new DirectoryError(404, `DID not registered: ${did}`)
    return ops
  }

  /** All ops, nullified included. */
  async auditLog(did: string): Promise<RawOp[]> {
    const ops = await this.store.rawOpsForDid(did, true)
    if (ops.length === 0) throw new DirectoryError(404, `DID not registered: ${did}`)
    return ops
  }

  async export(count: number, after?: string): Promise<RawOp[]> {
    return this.store.exportOps(count, after)
  }
}
