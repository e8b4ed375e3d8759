/**
 * A paginated list of feed items (timeline, author feed, custom feed, search results): one PostCard per
 * item, "Reposted by" and "Replying to" lines from the feed item, and a "Load more" button (a button
 * rather than infinite scroll, so keyboard and screen-reader users can reach what comes after the list).
 */
import type { AppBskyFeedDefs } from '@stratus/core/lexicon/generated'
import type { ReactNode } from 'react'
import type { Pages } from '../hooks.ts'
import { PostCard } from './PostCard.tsx'
import { Empty, ErrorNote, Loading } from './Status.tsx'

export type FeedItem = AppBskyFeedDefs.FeedViewPost

export function FeedList({ pages, empty, label }: { pages: Pages<FeedItem>; empty: ReactNode; label: string }) {
  return (
    <section aria-label={label} aria-busy={pages.loading}>
      <div className="feed">
        {pages.items.map((item) => (
          <PostCard
            key={`${item.post.uri}:${reasonKey(item)}`}
            post={item.post}
            repostedBy={repostedBy(item)}
            replyToHandle={replyToHandle(item)}
          />
        ))}
      </div>
      <ListFooter pages={pages} empty={empty} />
    </section>
  )
}

export function ListFooter<T>({ pages, empty }: { pages: Pages<T>; empty: ReactNode }) {
  if (pages.loading) return <Loading />
  if (pages.error) return <ErrorNote error={pages.error} onRetry={pages.items.length ? pages.loadMore : pages.reload} />
  if (!pages.items.length) return <Empty>{empty}</Empty>
  if (pages.hasMore) {
    return (
      <div className="load-more">
        <button type="button" className="btn" onClick={pages.loadMore}>
          Load more
        </button>
      </div>
    )
  }
  return <p className="note note-end muted">You have reached the end.</p>
}

function reasonKey(item: FeedItem): string {
  const r = item.reason as { $type?: string; indexedAt?: string } | undefined
  return r?.$type ? `${r.$type}:${r.indexedAt ?? ''}` : 'post'
}

function repostedBy(item: FeedItem): { handle: string; displayName?: string } | undefined {
  const r = item.reason as { $type?: string; by?: { handle: string; displayName?: string } } | undefined
  return r?.$type === 'app.bsky.feed.defs#reasonRepost' && r.by ? r.by : undefined
}

function replyToHandle(item: FeedItem): string | undefined {
  const parent = item.reply?.parent as { $type?: string; author?: { handle: string } } | undefined
  return parent?.$type === 'app.bsky.feed.defs#postView' ? parent.author?.handle : undefined
}
