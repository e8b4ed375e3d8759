/**
 * The example feed: "posts with images from people you follow". A small index kept by the sync kit —
 * follows (who follows whom) and posts with image embeds (also inside recordWithMedia) — in memory, rebuilt
 * from the relay on start (backfilled from each account's PDS when first seen). The algorithm pages the
 * viewer's followees' image posts newest first; anonymous viewers get an empty feed.
 */
import { type Sync, type SyncEvent, type SyncIdentityOptions, createSync } from '@stratus/core/sync'
import type { FeedAlgorithm } from './server.ts'

interface ImagePost {
  uri: string
  author: string
  sortAt: string
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

export function hasImages(record: unknown): boolean {
  if (!isObj(record) || !isObj(record.embed)) return false
  const e = record.embed
  if (e.$type === 'app.bsky.embed.images') return true
  return e.$type === 'app.bsky.embed.recordWithMedia' && isObj(e.media) && e.media.$type === 'app.bsky.embed.images'
}

export class ImagesFromFollowsIndex {
  /** follow record URI → [follower, followee] */
  readonly follows = new Map<string, [string, string]>()
  readonly posts = new Map<string, ImagePost>()

  apply(events: SyncEvent[]): void {
    for (const e of events) {
      if (e.type === 'identity' || e.type === 'account') continue
      if (e.collection === 'app.bsky.graph.follow') {
        const subject = isObj(e.record) ? e.record.subject : undefined
        if (e.type === 'delete') this.follows.delete(e.uri)
        else if (typeof subject === 'string') this.follows.set(e.uri, [e.did, subject])
      } else if (e.collection === 'app.bsky.feed.post') {
        if (e.type === 'delete' || !hasImages(e.record)) this.posts.delete(e.uri)
        else {
          const created =
            isObj(e.record) && typeof e.record.createdAt === 'string' ? Date.parse(e.record.createdAt) : Number.NaN
          const now = Date.now()
          const sortAt = new Date(Number.isFinite(created) && created < now ? created : now).toISOString()
          this.posts.set(e.uri, { uri: e.uri, author: e.did, sortAt })
        }
      }
    }
  }

  /** The feed algorithm over this index (cursor = `<sortAt>::<uri>` of the last item). */
  readonly algorithm: FeedAlgorithm = async ({ viewer, limit, cursor }) => {
    if (!viewer) return { feed: [] }
    const followees = new Set<string>()
    for (const [follower, followee] of this.follows.values()) if (follower === viewer) followees.add(followee)
    const key = (p: ImagePost) => `${p.sortAt}::${p.uri}`
    const items = [...this.posts.values()]
      .filter((p) => followees.has(p.author) && (!cursor || key(p) < cursor))
      .sort((a, b) => (key(a) < key(b) ? 1 : -1))
      .slice(0, limit)
    const last = items[items.length - 1]
    return { feed: items.map((p) => ({ post: p.uri })), cursor: items.length === limit && last ? key(last) : undefined }
  }
}

/** Follows a relay into a fresh index; call `sync.stop()` when done. */
export async function followImagesFromFollows(
  relay: string,
  identity: SyncIdentityOptions = {},
): Promise<{ index: ImagesFromFollowsIndex; sync: Sync }> {
  const index = new ImagesFromFollowsIndex()
  const sync = createSync({
    relay,
    identity,
    filter: { collections: ['app.bsky.graph.follow', 'app.bsky.feed.post'] },
    onEvents: async (events) => index.apply(events),
  })
  await sync.start()
  return { index, sync }
}
