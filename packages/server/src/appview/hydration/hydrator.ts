/**
 * The hydrator: given the URIs and DIDs an endpoint wants to show, batch-load everything their views
 * need into a HydrationState — posts with what they embed (two levels of quotes, feeds, lists), reply
 * parents and roots, thread/post gates, authors, the viewer's relationships to every author, and the
 * list memberships thread gates ask about. Each step is one query per kind per batch, not per item.
 */
import type { AppViewDb } from '../db/index.ts'
import { loadActorCounts, loadActors, loadRelationships } from './actors.ts'
import { loadFeedGens, loadGates, loadLists, loadPosts } from './posts.ts'
import type { StatementCtx } from './queries.ts'
import { RecordCache } from './record-cache.ts'
import { type HydrationState, emptyState } from './state.ts'

export interface FeedItemRef {
  postUri: string
  /** The repost that put the post in the feed. */
  repostUri?: string
  repostBy?: string
}

export class Hydrator {
  readonly #appDb: AppViewDb
  #q: StatementCtx | undefined
  /** Parsed post records by (URI, CID), for this connection's thread. */
  readonly records = new RecordCache()

  constructor(appDb: AppViewDb) {
    this.#appDb = appDb
  }

  /** The connection, for the prepared statements (queries.ts) and Kysely. */
  get q(): StatementCtx {
    this.#q ??= { db: this.#appDb.db, dialect: this.#appDb.dialect, sqlite: this.#appDb.database.sqlite }
    return this.#q
  }

  state(viewer?: string): HydrationState & { viewerLists: Set<string> } {
    return { ...emptyState(viewer), viewerLists: new Set<string>() }
  }

  /** Accounts and the viewer's relationships to them; `detailed` adds counts. */
  async actors(state: HydrationState, dids: Iterable<string>, opts: { detailed?: boolean } = {}): Promise<void> {
    const list = [...new Set(dids)]
    await loadActors(this.q, state, list)
    await loadRelationships(this.q, state, list)
    const byList: string[] = []
    for (const d of list) {
      const l = state.rels.get(d)?.blockingByList
      if (l) byList.push(l)
    }
    if (byList.length > 0) await loadLists(this.q, state, byList)
    if (opts.detailed) await loadActorCounts(this.q, state, list)
  }

  /** Posts, what they embed and reply to, their gates, authors and relationships. */
  async posts(
    state: HydrationState & { viewerLists?: Set<string> },
    uris: Iterable<string>,
    opts: { replyRefs?: boolean } = {},
  ): Promise<void> {
    let level = [...new Set(uris)]
    await loadPosts(this.q, state, level, this.records)
    if (opts.replyRefs) {
      const refs: string[] = []
      for (const u of level) {
        const p = state.posts.get(u)
        if (p?.replyParent) refs.push(p.replyParent)
        if (p?.replyRoot) refs.push(p.replyRoot)
      }
      await loadPosts(this.q, state, refs, this.records)
      level = [...level, ...refs]
    }
    // Two levels of embedded records: the quote, and the quote's own quote (shown without its embeds).
    for (let depth = 0; depth < 2; depth++) {
      const embedded = level.map((u) => state.posts.get(u)?.embedUri).filter((u): u is string => !!u)
      await loadPosts(this.q, state, embedded, this.records)
      await loadFeedGens(this.q, state, embedded)
      await loadLists(this.q, state, embedded)
      level = embedded
    }
    const roots = new Set<string>()
    for (const p of state.posts.values()) roots.add(p.replyRoot ?? p.uri)
    await loadGates(this.q, state, [...roots, ...state.posts.keys()])
    await this.#viewerLists(state)
    await this.actors(state, this.#creators(state))
  }

  async feedGens(state: HydrationState, uris: Iterable<string>): Promise<void> {
    await loadFeedGens(this.q, state, uris)
    await this.actors(state, this.#creators(state))
  }

  async lists(state: HydrationState, uris: Iterable<string>): Promise<void> {
    await loadLists(this.q, state, uris)
    await this.actors(state, this.#creators(state))
  }

  /** Feed items: their posts with reply refs, and the reposters. */
  async feedItems(state: HydrationState, items: FeedItemRef[]): Promise<void> {
    await this.posts(
      state,
      items.map((i) => i.postUri),
      { replyRefs: true },
    )
    await this.actors(
      state,
      items.flatMap((i) => (i.repostBy ? [i.repostBy] : [])),
    )
  }

  #creators(state: HydrationState): Set<string> {
    const dids = new Set<string>()
    for (const p of state.posts.values()) dids.add(p.creator)
    for (const f of state.feedgens.values()) dids.add(f.creator)
    for (const l of state.lists.values()) dids.add(l.creator)
    return dids
  }

  /** Which lists named by thread gates' list rules the viewer is on. */
  async #viewerLists(state: HydrationState & { viewerLists?: Set<string> }): Promise<void> {
    if (!state.viewer || !state.viewerLists) return
    const lists = new Set<string>()
    for (const g of state.threadgates.values()) {
      for (const rule of Array.isArray(g.record.allow) ? g.record.allow : []) {
        const r = rule as { $type?: string; list?: string }
        if (r.$type === 'app.bsky.feed.threadgate#listRule' && typeof r.list === 'string') lists.add(r.list)
      }
    }
    const todo = [...lists].filter((l) => !state.viewerLists?.has(l))
    if (todo.length === 0) return
    const rows = await this.q.db
      .selectFrom('list_item')
      .select('list_uri')
      .where('subject', '=', state.viewer)
      .where('list_uri', 'in', todo)
      .execute()
    for (const r of rows) state.viewerLists.add(r.list_uri)
  }
}

export type ViewState = ReturnType<Hydrator['state']>
