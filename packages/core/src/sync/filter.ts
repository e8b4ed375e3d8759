/**
 * Collection and DID filters. A collection pattern is an exact NSID (`app.bsky.feed.post`) or a prefix
 * ending in `.*` (`app.bsky.*`, which does not match `app.bskyx.foo`). An empty or absent list means
 * "everything". Patterns are not validated as NSIDs beyond their shape.
 */
import type { SyncFilter } from './types.ts'

export interface CompiledFilter {
  wantsDid(did: string): boolean
  wantsCollection(collection: string): boolean
  /** `collection/rkey` path. */
  wantsPath(path: string): boolean
}

export function compileFilter(filter: SyncFilter = {}): CompiledFilter {
  const dids = filter.dids?.length ? new Set(filter.dids) : null
  const exact = new Set<string>()
  const prefixes: string[] = []
  for (const p of filter.collections ?? []) {
    if (p === '*') {
      prefixes.push('')
    } else if (p.endsWith('.*')) prefixes.push(p.slice(0, -1))
    else exact.add(p)
  }
  const anyCollection = exact.size === 0 && prefixes.length === 0
  const wantsCollection = (c: string): boolean => {
    if (anyCollection || exact.has(c)) return true
    for (const p of prefixes) if (c.startsWith(p)) return true
    return false
  }
  return {
    wantsDid: (did) => dids === null || dids.has(did),
    wantsCollection,
    wantsPath: (path) => {
      const slash = path.indexOf('/')
      return wantsCollection(slash < 0 ? path : path.slice(0, slash))
    },
  }
}
