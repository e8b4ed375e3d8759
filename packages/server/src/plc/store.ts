/**
 * Operation storage behind one interface (PlcStore). commitOp is the only write: it inserts an
 * accepted op and flags what it nullifies in one transaction, and only if the DID's active head is
 * still the one the op was validated against. Two implementations share the schema (migrations.ts):
 * store-sqlite.ts (prepared better-sqlite3 statements; the default) and store-kysely.ts (PostgreSQL).
 * Open one with openPlcStore (open-store.ts). Validation is not done here (see directory.ts).
 */
import type { AnyOp, IndexedOperation } from '@stratus/core/plc'

export interface PlcStore {
  /** Ops of a DID oldest first; nullified ones only if asked. */
  opsForDid(did: string, includeNullified?: boolean): Promise<IndexedOperation[]>
  /** Same as opsForDid, but the operations as their stored JSON text (for serving without re-encoding). */
  rawOpsForDid(did: string, includeNullified?: boolean): Promise<RawOp[]>
  /** The newest active op of a DID. */
  lastOpForDid(did: string): Promise<RawOp | null>
  /**
   * Stores `entry` and marks `nullify` nullified, atomically, if the DID's newest active op is still
   * `expectedHead` (null: the DID has no ops). Returns false, changing nothing, if it is not.
   */
  commitOp(entry: IndexedOperation, nullify: readonly string[], expectedHead: string | null): Promise<boolean>
  /** Up to `count` ops (all DIDs) with createdAt > `after`, oldest first. */
  exportOps(count: number, after?: string): Promise<RawOp[]>
  /** Newest createdAt in the store (to keep the server clock monotonic across restarts). */
  latestCreatedAt(): Promise<string | null>
  healthCheck(): Promise<void>
  close(): Promise<void>
}

/** A stored row with the operation still as JSON text. */
export interface RawOp {
  did: string
  operation: string
  cid: string
  nullified: boolean
  createdAt: string
}

/** A database row of plc_operation. */
export interface OpRow {
  did: string
  cid: string
  operation: string
  nullified: number | boolean
  created_at: string
}

export const rowToRaw = (r: OpRow): RawOp => ({
  did: r.did,
  operation: r.operation,
  cid: r.cid,
  nullified: Boolean(Number(r.nullified)),
  createdAt: r.created_at,
})

export const rawToIndexed = (r: RawOp): IndexedOperation => ({ ...r, operation: JSON.parse(r.operation) as AnyOp })
