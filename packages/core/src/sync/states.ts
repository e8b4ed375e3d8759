/**
 * The repository states the engine works with: read through from the store, changed in memory as messages
 * are applied (so consecutive commits of one repository chain within a batch), and written back only when
 * the batch's events have been handled (`persist`). Clean entries are evicted beyond a size bound; dirty
 * ones stay until persisted.
 */
import type { RepoState, SyncStore } from './types.ts'

const MAX_CACHED = 50_000

export class RepoStates {
  readonly #cache = new Map<string, RepoState>()
  readonly #dirty = new Map<string, RepoState>()

  constructor(readonly store: SyncStore) {}

  /** The state from memory or the store. */
  async get(did: string): Promise<RepoState | undefined> {
    const cached = this.#cache.get(did)
    if (cached) return cached
    const s = await this.store.getRepo(did)
    if (s) this.#remember(did, s)
    return s
  }

  /** The state if it is in memory (after `get` or `set` in this batch). */
  peek(did: string): RepoState | undefined {
    return this.#cache.get(did)
  }

  set(did: string, s: RepoState): void {
    this.#remember(did, s)
    this.#dirty.set(did, s)
  }

  /** The changed states not yet written (a copy). */
  dirty(): Map<string, RepoState> {
    return new Map(this.#dirty)
  }

  /** These states were written by someone else (the batch handler); forget them unless changed since. */
  persisted(states: ReadonlyMap<string, RepoState>): void {
    for (const [did, s] of states) if (this.#dirty.get(did) === s) this.#dirty.delete(did)
  }

  /** Writes every changed state to the store. */
  async persist(): Promise<void> {
    for (const [did, s] of this.#dirty) await this.store.setRepo(did, s)
    this.#dirty.clear()
  }

  #remember(did: string, s: RepoState): void {
    this.#cache.delete(did)
    this.#cache.set(did, s)
    if (this.#cache.size <= MAX_CACHED) return
    for (const key of this.#cache.keys()) {
      if (this.#cache.size <= MAX_CACHED / 2) break
      if (!this.#dirty.has(key)) this.#cache.delete(key)
    }
  }
}
