/**
 * Whole-log checks. validateOperationLog walks a plain log (active ops only, as `/:did/log` serves
 * it). verifyAuditLog replays a full audit log (with nullified entries, as `/:did/log/audit` or
 * `/export` serve it) through the same acceptance rule the directory uses, at each entry's own
 * timestamp, and requires the recomputed nullified flags and CIDs to match the log. Field limits
 * are not applied: old logs predate some of them.
 */
import { cidForOp } from './encoding.ts'
import { InvalidAuditLogError, MisorderedOperationError, PlcError } from './errors.ts'
import { assureValidCreationOp, assureValidNextOp } from './next-op.ts'
import { opToData, rotationKeysOf } from './normalize.ts'
import { parseOperation } from './parse.ts'
import type { AnyOp, DocumentData, IndexedOperation } from './types.ts'
import { assureValidSig } from './verify.ts'

/** Validates a plain operation log; returns the final state, or null if it ends in a tombstone. */
export function validateOperationLog(did: string, ops: readonly unknown[]): DocumentData | null {
  if (ops.length === 0) throw new MisorderedOperationError('empty log')
  const parsed = ops.map((o) => parseOperation(o))
  let state: DocumentData | null = assureValidCreationOp(did, parsed[0])
  let prevOp: AnyOp = parsed[0]
  for (let i = 1; i < parsed.length; i++) {
    const op = parsed[i]
    if (state === null) throw new MisorderedOperationError('operation after a tombstone')
    if (op.type === 'create') throw new MisorderedOperationError('legacy create is only valid as a genesis operation')
    if (op.prev !== cidForOp(prevOp))
      throw new MisorderedOperationError(`entry ${i} does not reference the previous entry`)
    assureValidSig(rotationKeysOf(prevOp), op)
    state = opToData(did, op)
    prevOp = op
  }
  return state
}

export interface AuditLogEntry {
  did?: string
  operation: unknown
  cid: string
  nullified: boolean
  createdAt: string
}

function checkEntryShape(did: string, e: AuditLogEntry, i: number, lastTs: number): { op: AnyOp; ts: number } {
  if (e.did !== undefined && e.did !== did) throw new InvalidAuditLogError(i, `entry is for ${e.did}`)
  let op: AnyOp
  try {
    op = parseOperation(e.operation)
  } catch (err) {
    throw new InvalidAuditLogError(i, (err as Error).message)
  }
  if (cidForOp(op) !== e.cid) throw new InvalidAuditLogError(i, 'cid does not match the operation')
  const ts = Date.parse(e.createdAt)
  if (Number.isNaN(ts)) throw new InvalidAuditLogError(i, 'createdAt is not a timestamp')
  if (ts < lastTs) throw new InvalidAuditLogError(i, 'entries are not in createdAt order')
  return { op, ts }
}

/**
 * Replays a full audit log and checks it is exactly what the acceptance rules produce.
 * Returns the final state (null if tombstoned). Throws InvalidAuditLogError otherwise.
 */
export function verifyAuditLog(did: string, entries: readonly AuditLogEntry[]): DocumentData | null {
  if (entries.length === 0) throw new InvalidAuditLogError(0, 'empty log')
  const active: IndexedOperation[] = []
  const nullifiedCids = new Set<string>()
  let lastTs = Number.NEGATIVE_INFINITY
  entries.forEach((e, i) => {
    const { op, ts } = checkEntryShape(did, e, i, lastTs)
    lastTs = ts
    try {
      const res = assureValidNextOp(did, active, op, ts)
      for (const cid of res.nullified) nullifiedCids.add(cid)
      active.splice(active.length - res.nullified.length, res.nullified.length)
    } catch (err) {
      if (err instanceof PlcError) throw new InvalidAuditLogError(i, err.message)
      throw err
    }
    active.push({ did, operation: op, cid: e.cid, nullified: false, createdAt: e.createdAt })
  })
  entries.forEach((e, i) => {
    if (nullifiedCids.has(e.cid) !== e.nullified) {
      throw new InvalidAuditLogError(i, `nullified flag is ${e.nullified} but the rules give ${!e.nullified}`)
    }
  })
  const last = active[active.length - 1]
  return opToData(did, last.operation)
}
