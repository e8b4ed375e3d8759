/**
 * Applies sync-kit events to the AppView database, one transaction per batch.
 *
 * Idempotent by construction: the `record` table says which version (CID) of every record is indexed. A
 * create/update whose CID is already there does nothing; one with a different CID first deletes the old
 * version through its plugin; a delete of a record we do not hold does nothing. Records that fail lexicon
 * validation are not indexed (an update to an invalid record removes the old version). Every delete also
 * removes the notifications the record caused.
 *
 * Identity events set the (verified) handle, taking it away from any other account that held it; account
 * events set the status views filter on; a 'deleted' account has all its records removed.
 */
import { type LexValue, lexToJson } from '@stratus/core/data'
import type { Lexicons } from '@stratus/core/lexicon'
import type { AccountEvent, IdentityEvent, RecordEvent, SyncEvent } from '@stratus/core/sync'
import { writeTransaction } from '../../db/index.ts'
import type { AppViewDb, Db } from '../db/index.ts'
import { inList, prepared } from '../db/prepared.ts'
import type { IndexCtx, IndexingPlugin, JsonObject } from './types.ts'
import { didRecords, runRecounts, write } from './util.ts'
import { WriteBuffer } from './write-buffer.ts'

export interface IndexerOptions {
  plugins: readonly IndexingPlugin[]
  /** Records are validated against these before indexing (unknown collections are not indexed anyway). */
  lexicons?: Lexicons
  now?: () => string
}

const HIDING_STATUSES = new Set(['deactivated', 'takendown', 'suspended', 'deleted'])

/** The indexer's own hot statements (see db/prepared.ts). */
const Q = {
  insertRecord: prepared((db, a) =>
    db
      .insertInto('record')
      .values({ uri: a(0), cid: a(1), did: a(2), collection: a(3), rkey: a(4), json: a(5), indexed_at: a(6) })
      .onConflict((oc) => oc.column('uri').doNothing()),
  ),
  selectRecordCids: prepared<{ uri: string; cid: string }>((db, a, d) =>
    db
      .selectFrom('record')
      .select(['uri', 'cid'])
      .where(inList(d, 'uri', a(0))),
  ),
  deleteRecord: prepared<{ collection: string }>((db, a) =>
    db.deleteFrom('record').where('uri', '=', a(0)).returning('collection'),
  ),
  deleteNotifications: prepared((db, a) => db.deleteFrom('notification').where('record_uri', '=', a(0))),
  ensureActor: prepared((db, a) =>
    db
      .insertInto('actor')
      .values({ did: a(0), handle: null, status: 'active', indexed_at: a(1) })
      .onConflict((oc) => oc.column('did').doNothing()),
  ),
}

/**
 * A batch holds back its inserts and sends them as multi-row statements (write-buffer.ts); which records
 * it already holds is then read once per batch (`held`, kept current as the batch goes).
 */
interface BatchCtx extends IndexCtx {
  held: Map<string, string>
}

export class Indexer {
  readonly #plugins: Map<string, IndexingPlugin>
  readonly #knownActors = new Set<string>()

  constructor(
    readonly appDb: AppViewDb,
    readonly opts: IndexerOptions,
  ) {
    this.#plugins = new Map(opts.plugins.map((p) => [p.collection, p]))
  }

  get collections(): string[] {
    return [...this.#plugins.keys()]
  }

  /**
   * Applies a batch of events atomically; `within` adds its own writes to the same transaction (the
   * ingester's cursor and repository states).
   */
  async apply(events: readonly SyncEvent[], within?: (ctx: IndexCtx) => Promise<void>): Promise<void> {
    if (events.length === 0 && !within) return
    try {
      await writeTransaction(this.appDb.database, async (tx) => {
        const recounts = new Set<string>()
        const ctx: BatchCtx = {
          db: tx as Db,
          dialect: this.appDb.dialect,
          sqlite: this.appDb.database.sqlite,
          recounts,
          held: new Map(),
        }
        ctx.later = ctx.pending = new WriteBuffer(ctx)
        await this.#hold(ctx, events)
        for (const evt of events) await this.#applyOne(ctx, evt)
        await ctx.later?.flush()
        await runRecounts(ctx, recounts)
        await within?.(ctx)
      })
    } catch (err) {
      this.#knownActors.clear() // rows inserted by the rolled-back transaction are gone
      throw err
    }
  }

  /** Reads the CIDs of the batch's records that are already indexed into `ctx.held`. */
  async #hold(ctx: BatchCtx, events: readonly SyncEvent[]): Promise<void> {
    const uris = new Set<string>()
    for (const e of events) if (e.type === 'create' || e.type === 'update') uris.add(e.uri)
    const all = [...uris]
    for (let i = 0; i < all.length; i += 5000) {
      for (const r of await Q.selectRecordCids.all(ctx, [all.slice(i, i + 5000)])) ctx.held.set(r.uri, r.cid)
    }
  }

  async #applyOne(ctx: BatchCtx, evt: SyncEvent): Promise<void> {
    if (evt.type === 'identity' || evt.type === 'account') await ctx.later?.flush()
    if (evt.type === 'identity') return this.#identity(ctx.db, evt)
    if (evt.type === 'account') return this.#account(ctx, evt)
    const plugin = this.#plugins.get(evt.collection)
    if (!plugin) return
    if (evt.type === 'delete') return this.deleteRecord(ctx, evt.uri)
    return this.#upsertRecord(ctx, plugin, evt)
  }

  async #upsertRecord(ctx: BatchCtx, plugin: IndexingPlugin, evt: RecordEvent): Promise<void> {
    const cid = evt.cid?.toString()
    if (!cid || evt.record === undefined) return
    const valid = !this.opts.lexicons || this.opts.lexicons.validateRecord(evt.collection, evt.record).success
    const value = valid ? (lexToJson(evt.record as LexValue) as JsonObject) : undefined
    if (!value || typeof value !== 'object' || Array.isArray(value)) return this.deleteRecord(ctx, evt.uri)
    const indexedAt = this.opts.now?.() ?? new Date().toISOString()
    await this.#ensureActor(ctx, evt.did, indexedAt)
    const existing = ctx.held.get(evt.uri)
    if (existing === cid) return
    if (existing !== undefined) await this.deleteRecord(ctx, evt.uri)
    ctx.held.set(evt.uri, cid)
    await write(ctx, Q.insertRecord, [
      evt.uri,
      cid,
      evt.did,
      evt.collection,
      evt.rkey,
      JSON.stringify(value),
      indexedAt,
    ])
    const rec = { uri: evt.uri, did: evt.did, collection: evt.collection, rkey: evt.rkey, cid, value, indexedAt }
    if (!plugin.batched) await ctx.later?.flush()
    await plugin.insert(ctx, rec)
  }

  /** Undoes a record through its plugin (no-op if we do not hold it). */
  async deleteRecord(ctx: BatchCtx, uri: string): Promise<void> {
    ctx.held.delete(uri)
    const [row] = await Q.deleteRecord.all(ctx, [uri]) // (sends held-back writes first)
    if (!row) return
    await this.#plugins.get(row.collection)?.delete(ctx, uri)
    await Q.deleteNotifications.run(ctx, [uri])
  }

  async #ensureActor(ctx: IndexCtx, did: string, now: string): Promise<void> {
    if (this.#knownActors.has(did)) return
    await write(ctx, Q.ensureActor, [did, now])
    this.#knownActors.add(did)
  }

  async #identity(db: Db, evt: IdentityEvent): Promise<void> {
    const now = this.opts.now?.() ?? new Date().toISOString()
    const handle = evt.handle ?? null
    if (handle)
      await db
        .updateTable('actor')
        .set({ handle: null })
        .where('handle', '=', handle)
        .where('did', '!=', evt.did)
        .execute()
    await db
      .insertInto('actor')
      .values({ did: evt.did, handle, status: 'active', indexed_at: now })
      .onConflict((oc) => oc.column('did').doUpdateSet({ handle }))
      .execute()
    this.#knownActors.add(evt.did)
  }

  async #account(ctx: BatchCtx, evt: AccountEvent): Promise<void> {
    // Only statuses that mean "do not show this account" hide it; relay-side states (desynchronized,
    // throttled) say nothing about the account itself.
    const hidden = !evt.active && HIDING_STATUSES.has(evt.status ?? 'deactivated')
    const status = hidden ? (evt.status ?? 'deactivated') : 'active'
    const now = this.opts.now?.() ?? new Date().toISOString()
    await ctx.db
      .insertInto('actor')
      .values({ did: evt.did, handle: null, status, indexed_at: now })
      .onConflict((oc) => oc.column('did').doUpdateSet({ status }))
      .execute()
    this.#knownActors.add(evt.did)
    if (status === 'deleted') await this.#deleteAccount(ctx, evt.did)
  }

  async #deleteAccount(ctx: BatchCtx, did: string): Promise<void> {
    const rows = await didRecords(ctx.db, did).select('uri').execute()
    for (const { uri } of rows) await this.deleteRecord(ctx, uri)
    await ctx.db.deleteFrom('sync_repo').where('did', '=', did).execute()
  }
}
