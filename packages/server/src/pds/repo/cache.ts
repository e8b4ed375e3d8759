/**
 * The current Repo (commit + MST with the nodes already decoded) of recently written accounts, so a write
 * does not re-read and re-decode the tree path from the database each time. Bounded (least recently used
 * out). Entries are only ever set after their transaction committed, and a write uses an entry only when
 * its commit CID equals the stored root, so a stale entry is never used.
 */
import type { Repo } from '@stratus/core/repo'

export class RepoCache {
  private readonly map = new Map<string, Repo>()

  constructor(readonly maxEntries = 128) {}

  get(did: string): Repo | undefined {
    const repo = this.map.get(did)
    if (repo) {
      this.map.delete(did)
      this.map.set(did, repo)
    }
    return repo
  }

  set(did: string, repo: Repo): void {
    this.map.delete(did)
    this.map.set(did, repo)
    if (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string)
  }

  delete(did: string): void {
    this.map.delete(did)
  }

  get size(): number {
    return this.map.size
  }
}
