/**
 * Feed items (app.bsky.feed.defs#feedViewPost): the post, why it is there (a repost or a pin) and, for
 * replies, the thread's root and parent. `feedItemHidden` applies the viewer's blocks and mutes the way
 * the Bluesky app expects: items by, reposted by, or replying to someone blocked either way are dropped;
 * muted accounts' posts and reposts are dropped.
 */
import { isBlocked, isMuted } from '../hydration/state.ts'
import { type Json, profileViewBasic } from './actor.ts'
import { type ViewCtx, compact } from './context.ts'
import { postUnionView, postView } from './post.ts'

export interface FeedItem {
  postUri: string
  repost?: { uri: string; cid: string; by: string; indexedAt: string }
  pinned?: boolean
  feedContext?: string
}

export function feedItemHidden(ctx: ViewCtx, item: FeedItem, opts: { keepMuted?: boolean } = {}): boolean {
  const { state } = ctx
  const p = state.posts.get(item.postUri)
  if (!p) return true
  const dids = [p.creator]
  if (item.repost) dids.push(item.repost.by)
  for (const ref of [p.replyParent, p.replyRoot]) {
    const author = ref ? state.posts.get(ref)?.creator : undefined
    if (author) dids.push(author)
  }
  if (dids.some((d) => isBlocked(state, d))) return true
  if (!opts.keepMuted && (isMuted(state, p.creator) || (item.repost && isMuted(state, item.repost.by)))) return true
  return false
}

export function feedViewPost(ctx: ViewCtx, item: FeedItem): Json | undefined {
  const post = postView(ctx, item.postUri)
  if (!post) return undefined
  const p = ctx.state.posts.get(item.postUri)
  let reason: Json | undefined
  if (item.repost) {
    const by = profileViewBasic(ctx, item.repost.by)
    if (!by) return undefined
    reason = {
      $type: 'app.bsky.feed.defs#reasonRepost',
      by,
      uri: item.repost.uri,
      cid: item.repost.cid,
      indexedAt: item.repost.indexedAt,
    }
  } else if (item.pinned) reason = { $type: 'app.bsky.feed.defs#reasonPin' }
  let reply: Json | undefined
  if (p?.replyParent && p.replyRoot) {
    const parent = ctx.state.posts.get(p.replyParent)
    const gpAuthor = parent?.replyParent ? ctx.state.posts.get(parent.replyParent)?.creator : undefined
    reply = compact({
      root: postUnionView(ctx, p.replyRoot),
      parent: postUnionView(ctx, p.replyParent),
      grandparentAuthor: gpAuthor ? profileViewBasic(ctx, gpAuthor) : undefined,
    })
  }
  return compact({ post, reply, reason, feedContext: item.feedContext })
}

/** Views of the visible items, in order. */
export function feedView(ctx: ViewCtx, items: FeedItem[], opts: { keepMuted?: boolean } = {}): Json[] {
  const out: Json[] = []
  for (const item of items) {
    if (feedItemHidden(ctx, item, opts)) continue
    const v = feedViewPost(ctx, item)
    if (v) out.push(v)
  }
  return out
}
