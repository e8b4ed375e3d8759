/**
 * Threads (app.bsky.feed.getPostThread): the anchor post with its ancestors up to `parentHeight` and its
 * replies down to `depth`. Blocked ancestors show as blockedPost, missing ones as notFoundPost; replies
 * that are blocked, missing, hidden by the thread gate's author or not allowed by the gate are left out.
 * Replies are ordered: the anchor author's own first, then oldest first.
 */
import { isBlocked } from '../hydration/state.ts'
import { type Json, blockedAuthor } from './actor.ts'
import type { ViewCtx } from './context.ts'
import { postView } from './post.ts'

export interface ThreadShape {
  /** parent URI → reply URIs (every reply we know in the thread). */
  children: Map<string, string[]>
  /** Replies to leave out (gate violations, hidden replies). */
  excluded: Set<string>
}

const NOT_FOUND = (uri: string): Json => ({ $type: 'app.bsky.feed.defs#notFoundPost', uri, notFound: true })

function blockedNode(ctx: ViewCtx, uri: string, did: string): Json {
  return { $type: 'app.bsky.feed.defs#blockedPost', uri, blocked: true, author: blockedAuthor(ctx, did) }
}

function parentNode(ctx: ViewCtx, uri: string | null, height: number): Json | undefined {
  if (!uri || height <= 0) return undefined
  const p = ctx.state.posts.get(uri)
  if (!p) return NOT_FOUND(uri)
  if (isBlocked(ctx.state, p.creator)) return blockedNode(ctx, uri, p.creator)
  const post = postView(ctx, uri)
  if (!post) return NOT_FOUND(uri)
  const node: Json = { $type: 'app.bsky.feed.defs#threadViewPost', post }
  const parent = parentNode(ctx, p.replyParent, height - 1)
  if (parent) node.parent = parent
  return node
}

function replyNodes(
  ctx: ViewCtx,
  uri: string,
  depth: number,
  shape: ThreadShape,
  opAuthor: string,
): Json[] | undefined {
  if (depth <= 0) return undefined
  const kids = (shape.children.get(uri) ?? [])
    .map((u) => ctx.state.posts.get(u))
    .filter((p) => p && !shape.excluded.has(p.uri) && !isBlocked(ctx.state, p.creator))
    .sort((a, b) => {
      const ao = a?.creator === opAuthor ? 0 : 1
      const bo = b?.creator === opAuthor ? 0 : 1
      return ao - bo || (a?.sortAt ?? '').localeCompare(b?.sortAt ?? '')
    })
  const out: Json[] = []
  for (const k of kids) {
    const post = k && postView(ctx, k.uri)
    if (!k || !post) continue
    const node: Json = { $type: 'app.bsky.feed.defs#threadViewPost', post }
    const replies = replyNodes(ctx, k.uri, depth - 1, shape, opAuthor)
    if (replies) node.replies = replies
    out.push(node)
  }
  return out
}

export function threadView(
  ctx: ViewCtx,
  anchor: string,
  shape: ThreadShape,
  depth: number,
  parentHeight: number,
): Json {
  const p = ctx.state.posts.get(anchor)
  if (!p) return NOT_FOUND(anchor)
  if (isBlocked(ctx.state, p.creator)) return blockedNode(ctx, anchor, p.creator)
  const post = postView(ctx, anchor)
  if (!post) return NOT_FOUND(anchor)
  const node: Json = { $type: 'app.bsky.feed.defs#threadViewPost', post }
  const parent = parentNode(ctx, p.replyParent, parentHeight)
  if (parent) node.parent = parent
  const replies = replyNodes(ctx, anchor, depth, shape, p.creator)
  if (replies) node.replies = replies
  return node
}
