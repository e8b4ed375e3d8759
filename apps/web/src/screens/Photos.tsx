/**
 * The photo grid: the same timeline records as Home, shown differently — only original posts with images
 * by people you follow (no reposts, not your own), one square tile per post linking to its thread. Each
 * load reads up to five timeline pages to find enough photos.
 */
import type { AppBskyFeedDefs } from '@stratus/core/lexicon/generated'
import { imagesOf } from '../components/Embed.tsx'
import { ListFooter } from '../components/FeedList.tsx'
import { ScreenHeader } from '../components/ScreenHeader.tsx'
import { useAgent, useChangeCount, usePages } from '../hooks.ts'
import { Link, postPath } from '../router.tsx'

type PostView = AppBskyFeedDefs.PostView
const PAGES_PER_LOAD = 5
const WANTED = 18

export function Photos() {
  const agent = useAgent()
  const changes = useChangeCount()
  const pages = usePages(
    async (cursor) => {
      const me = agent.did
      const items: PostView[] = []
      let next = cursor
      for (let i = 0; i < PAGES_PER_LOAD && items.length < WANTED; i++) {
        const out = await agent.query('app.bsky.feed.getTimeline', { limit: 50, cursor: next })
        for (const item of out.feed) {
          if (!item.reason && item.post.author.did !== me && imagesOf(item.post.embed).length) items.push(item.post)
        }
        next = out.cursor
        if (!next || !out.feed.length) break
      }
      return { items, cursor: next }
    },
    [agent, changes],
  )
  const seen = new Set<string>()
  const posts = pages.items.filter((p) => !seen.has(p.uri) && seen.add(p.uri))
  return (
    <>
      <ScreenHeader title="Photos" />
      <p className="screen-intro muted">Pictures from the people you follow: your timeline, as a grid.</p>
      <ul className="photo-grid" aria-label="Photo posts">
        {posts.map((post) => (
          <PhotoTile key={post.uri} post={post} />
        ))}
      </ul>
      <ListFooter pages={pages} empty="No photos yet. When people you follow post images, they show up here." />
    </>
  )
}

function PhotoTile({ post }: { post: PostView }) {
  const images = imagesOf(post.embed)
  const first = images[0]
  const text = (post.record as { text?: string }).text ?? ''
  return (
    <li className="photo-tile">
      <Link to={postPath(post.uri, post.author.handle)} title={first.alt || text}>
        <img src={first.thumb} alt={first.alt} loading="lazy" />
        <span className="visually-hidden">
          Post by @{post.author.handle}
          {text ? `: ${text}` : ''}
        </span>
        {images.length > 1 && (
          <span className="tile-count">
            {images.length}
            <span className="visually-hidden"> images</span>
          </span>
        )}
        <span className="tile-author" aria-hidden="true">
          @{post.author.handle}
        </span>
      </Link>
    </li>
  )
}
