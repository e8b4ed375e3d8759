/** Shapes of the sync kit: the events it delivers, the per-repository state it keeps, and its store. */
import type { CID, LexValue } from '../data/index.ts'

/** Where an event came from. */
export type EventSource = 'firehose' | 'backfill' | 'jetstream'

/** One record written or removed in a repository. */
export interface RecordEvent {
  type: 'create' | 'update' | 'delete'
  did: string
  collection: string
  rkey: string
  /** `at://<did>/<collection>/<rkey>`. */
  uri: string
  /** The record's CID (create/update). */
  cid?: CID
  /** The record in data-model form (create/update). */
  record?: LexValue
  /** Revision of the commit (or backfilled repository) that carried the change. */
  rev: string
  source: EventSource
  /** Stream position (firehose seq, JSON-stream time_us) of the message; undefined for backfill. */
  seq?: number
  /** Event time reported by the stream (ISO datetime), if any. */
  time?: string
}

/** An identity change: the handle has been re-resolved both ways (undefined: none, or not verified). */
export interface IdentityEvent {
  type: 'identity'
  did: string
  handle?: string
  seq?: number
  time?: string
}

/** An account status change at the account's host (deactivation, takedown, deletion, reactivation). */
export interface AccountEvent {
  type: 'account'
  did: string
  active: boolean
  /** 'takendown' | 'suspended' | 'deleted' | 'deactivated' | 'desynchronized' | 'throttled' | other. */
  status?: string
  seq?: number
  time?: string
}

export type SyncEvent = RecordEvent | IdentityEvent | AccountEvent

/** What the kit remembers about one repository. */
export interface RepoState {
  /** Revision of the last commit applied. */
  rev: string
  /** MST root (CID string) of that commit: the next commit's prevData must equal it. Absent for JSON streams. */
  data?: string
  /** 'active' normally; 'desynchronized' while a resync is owed. */
  status: 'active' | 'desynchronized'
}

/**
 * Persistence for the kit. Everything is keyed so that writing the same thing twice is harmless (delivery is
 * at least once). `listRecords` is optional: with it a resync turns into exact creates, updates and deletes
 * against what the application holds; without it a resync delivers every record as a create and no deletes.
 */
export interface SyncStore {
  getCursor(): Promise<number | undefined>
  setCursor(cursor: number): Promise<void>
  getRepo(did: string): Promise<RepoState | undefined>
  setRepo(did: string, state: RepoState): Promise<void>
  /** Paths (`collection/rkey`) and CID strings of the records the application holds for `did`. */
  listRecords?(did: string): Promise<Map<string, string>>
}

/** Which repositories and collections to deliver. Collections are NSIDs or prefixes ending in `.*`. */
export interface SyncFilter {
  collections?: string[]
  dids?: string[]
}
