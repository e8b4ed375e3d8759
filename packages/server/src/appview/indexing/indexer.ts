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
import type { IndexCtx, IndexingPlugin, JsonObject } from './types.ts'

export interface IndexerOptions {
  plugins: readonly IndexingPlugin[]
  /** Records are validated against these before indexing (unknown collections are not indexed anyway). */
  lexicons?: Lexicons
  now?: () => string
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

  /** Applies a batch of events atomically. */
  async apply(events: readonly SyncEvent[]): Promise<void> {
    if (events.length === 0) return
    try {
      await writeTransaction(this.appDb.database, async (tx) => {
        const ctx: IndexCtx = { db: tx as Db, dialect: this.appDb.dialect }
        for (const evt of events) await this.#applyOne(ctx, evt)
      })
    } catch (err) {
      this.#knownActors.clear() // rows inserted by the rolled-back transaction are gone
      throw err
    }
  }

  async #applyOne(ctx: IndexCtx, evt: SyncEvent): Promise<void> {
    if (evt.type === 'identity') return this.#identity(ctx.db, evt)
    if (evt.type === 'account') return this.#account(ctx, evt)
    const plugin = this.#plugins.get(evt.collection)
    if (!plugin) return
    if (evt.type === 'delete') return this.deleteRecord(ctx, evt.uri)
    return this.#upsertRecord(ctx, plugin, evt)
  }

  async #upsertRecord(ctx: IndexCtx, plugin: IndexingPlugin, evt: RecordEvent): Promise<void> {
    const cid = evt.cid?.toString()
    if (!cid || evt.record === undefined) return
    const valid = !this.opts.lexicons || this.opts.lexicons.validateRecord(evt.collection, evt.record).success
    const value = valid ? (lexToJson(evt.record as LexValue) as JsonObject) : undefined
    if (!value || typeof value !== 'object' || Array.isArray(value)) return this.deleteRecord(ctx, evt.uri)
    const indexedAt = this.opts.now?.() ?? new Date().toISOString()
    await this.#ensureActor(ctx.db, evt.did, indexedAt)
    const row = { uri: evt.uri, cid, did: evt.did, collection: evt.collection, rkey: evt.rkey, json: JSON.stringify(value), indexed_at: indexedAt }
    // Insert first: new records (the common case) cost one statement; a conflict means we hold a version.
    const res = await ctx.db.insertInto('record').values(row).onConflict((oc) => oc.column('uri').doNothing()).executeTakeFirst()
    if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0) {
      const existing = await ctx.db.selectFrom('record').select('cid').where('uri', '=', evt.uri).executeTakeFirst()
      if (existing?.cid === cid) return
      await this.deleteRecord(ctx, evt.uri)
      await ctx.db.insertInto('record').values(row).execute()
    }
    const rec = { uri: evt.uri, did: evt.did, collection: evt.collection, rkey: evt.rkey, cid, value, indexedAt }
    await plugin.insert(ctx, rec)
  }

  /** Undoes a record through its plugin (no-op if we do not hold it). */
  async deleteRecord(ctx: IndexCtx, uri: string): Promise<void> {
    const row = await ctx.db.deleteFrom('record').where('uri', '=', uri).returning('collection').executeTakeFirst()
    if (!row) return
    await this.#plugins.get(row.collection)?.delete(ctx, uri)
    await ctx.db.deleteFrom('notification').where('record_uri', '=', uri).execute()
  }

  async #ensureActor(db: Db, did: string, now: string): Promise<void> {
    if (this.#knownActors.has(did)) return
    await db
      .insertInto('actor')
      .values({ did, handle: null, status: 'active', indexed_at: now })
      .onConflict((oc) => oc.column('did').doNothing())
      .execute()
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

  async #account(ctx: IndexCtx, evt: AccountEvent): Promise<void> {
    const status = evt.active ? 'active' : (evt.status ?? 'deactivated')
    const now = this.opts.now?.() ?? new Date().toISOString()
    await ctx.db
      .insertInto('actor')
      .values({ did: evt.did, handle: null, status, indexed_at: now })
      .onConflict((oc) => oc.column('did').doUpdateSet({ status }))
      .execute()
    this.#knownActors.add(evt.did)
    if (status === 'deleted') await this.#deleteAccount(ctx, evt.did)
  }

  async #deleteAccount(ctx: IndexCtx, did: string): Promise<void> {
    const rows = await ctx.db.selectFrom('record').select('uri').where('did', '=', did).execute()
    for (const { uri } of rows) await this.deleteRecord(ctx, uri)
    await ctx.db.deleteFrom('sync_repo').where('did', '=', did).execute()
  }
}
