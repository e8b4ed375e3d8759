/**
 * Read-after-write: an AppView indexes a new post a moment after the PDS stored it, so a person who posts
 * and looks at their timeline would not see the post. For app.bsky.feed.getTimeline, getAuthorFeed,
 * getPostThread and app.bsky.actor.getProfile, the AppView reports the repo revision it has indexed for the
 * caller (`atproto-repo-rev`); when the caller's repository has records written after it, the PDS adds them
 * to the answer: its own new posts in the timeline and in its own author feed, its replies in threads
 * (and the thread of a post the AppView does not know yet), its new profile fields. The answer then carries
 * `atproto-upstream-lag` (ms since the oldest record the AppView has not seen).
 *
 * Answers that are not JSON, have no revision, or exceed MAX_MUNGE_BYTES are relayed untouched; if patching
 * fails the AppView's answer is sent as it was.
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { Logger } from 'pino'
import type { ReplyOrResponse } from '../../http/index.ts'
import { getAccountByDid } from '../accounts/store.ts'
import type { PdsContext } from '../context.ts'
import { type Upstream, readText, relayResponse } from './forward.ts'
import { type LocalRecord, type LocalRecords, localLag, localRecordsSince } from './local-records.ts'
import type { LocalViewer } from './local-viewer.ts'

type Json = Record<string, unknown>

export const READ_AFTER_WRITE_METHODS = new Set([
  'app.bsky.feed.getTimeline',
  'app.bsky.feed.getAuthorFeed',
  'app.bsky.feed.getPostThread',
  'app.bsky.actor.getProfile',
])

const MAX_MUNGE_BYTES = 10 * 1024 * 1024
const THREAD_VIEW = 'app.bsky.feed.defs#threadViewPost'

interface Munge {
  ctx: PdsContext
  viewer: LocalViewer
  params: URLSearchParams
  local: LocalRecords
}

export async function readAfterWrite(
  ctx: PdsContext,
  nsid: string,
  req: Request,
  upstream: Upstream,
  viewer: LocalViewer,
  logger: Pick<Logger, 'warn'>,
): Promise<ReplyOrResponse> {
  const rev = upstream.header('atproto-repo-rev')
  const length = Number(upstream.header('content-length') ?? 0)
  if (!rev || !upstream.plain || !isJson(upstream.header('content-type')) || length > MAX_MUNGE_BYTES) {
    return relayResponse(upstream)
  }
  const local = localRecordsSince(ctx, viewer.did, rev)
  if (local.count === 0) return relayResponse(upstream)
  const text = await readText(upstream, MAX_MUNGE_BYTES)
  let body: Json
  try {
    const original = JSON.parse(text) as Json
    const params = new URL(req.url).searchParams
    body = await MUNGES[nsid]({ ctx, viewer, params, local }, original)
  } catch (err) {
    logger.warn({ err, nsid }, 'read-after-write patching failed; sending the AppView answer')
    return new Response(text, { status: upstream.status, headers: passHeaders(upstream) })
  }
  return mungedResponse(body, local, passHeaders(upstream))
}

/**
 * getPostThread of the caller's own post that the AppView does not know yet (it answered NotFound):
 * the thread from local records, with its parents fetched from the AppView. Null when not applicable.
 */
export async function localThread(
  ctx: PdsContext,
  req: Request,
  rev: string,
  viewer: LocalViewer,
): Promise<Response | null> {
  const params = new URL(req.url).searchParams
  const uri = ownUri(ctx, viewer.did, params.get('uri') ?? '')
  if (!uri) return null
  const local = localRecordsSince(ctx, viewer.did, rev)
  const found = local.posts.find((p) => p.uri === uri)
  if (!found) return null
  const post = await viewer.postView(found)
  if (!post) return null
  let thread: Json = { $type: THREAD_VIEW, post }
  thread = await addReplies(
    viewer,
    thread,
    local.posts.filter((p) => p !== found),
  )
  const parent = (found.record.reply as Json | undefined)?.parent as Json | undefined
  if (typeof parent?.uri === 'string') {
    const q: Record<string, string> = { uri: parent.uri, depth: '0' }
    const height = params.get('parentHeight')
    if (height) q.parentHeight = height
    const res = await viewer.appview('app.bsky.feed.getPostThread', q).catch(() => undefined)
    if (res?.thread) thread.parent = res.thread
  }
  return mungedResponse({ thread }, local, {})
}

/** The URI with the caller's handle replaced by its DID, when it names one of the caller's records. */
function ownUri(ctx: PdsContext, did: string, uri: string): string | null {
  const m = /^at:\/\/([^/]+)(\/.*)$/.exec(uri)
  if (!m) return null
  if (m[1] === did) return uri
  const handle = getAccountByDid(ctx.db, did)?.handle
  return handle && m[1].toLowerCase() === handle ? `at://${did}${m[2]}` : null
}

const MUNGES: Record<string, (m: Munge, original: Json) => Promise<Json>> = {
  'app.bsky.feed.getTimeline': async ({ viewer, local }, original) => ({
    ...original,
    feed: await viewer.insertPostsInFeed(asArray(original.feed), local.posts),
  }),

  'app.bsky.feed.getAuthorFeed': async ({ ctx, viewer, params, local }, original) => {
    let feed = asArray(original.feed)
    if (!isOwnFeed(ctx, viewer.did, params.get('actor'), feed)) return original
    const profile = local.profile?.record
    if (profile) {
      feed = feed.map((item) => {
        const post = item.post as Json
        const author = post?.author as Json | undefined
        if (author?.did !== viewer.did) return item
        return { ...item, post: { ...post, author: viewer.updateProfile(author, profile, 'basic') } }
      })
    }
    const posts = local.posts.filter((p) => matchesFilter(p, params.get('filter')))
    return { ...original, feed: await viewer.insertPostsInFeed(feed, posts) }
  },

  'app.bsky.feed.getPostThread': async ({ viewer, local }, original) => {
    const thread = original.thread as Json | undefined
    if (thread?.$type !== THREAD_VIEW) return original
    return { ...original, thread: await addReplies(viewer, thread, local.posts) }
  },

  'app.bsky.actor.getProfile': async ({ viewer, local }, original) => {
    if (!local.profile || original.did !== viewer.did) return original
    return viewer.updateProfile(original, local.profile.record, 'detailed')
  },
}

/** The caller's own feed: `actor` names them, or (as the official PDS decides) the first item is theirs. */
function isOwnFeed(ctx: PdsContext, did: string, actor: string | null, feed: Json[]): boolean {
  if (actor === did) return true
  const handle = getAccountByDid(ctx.db, did)?.handle
  if (actor && handle && actor.toLowerCase() === handle) return true
  const first = feed[0]
  if (!first) return false
  const reason = first.reason as Json | undefined
  if (!reason) return ((first.post as Json)?.author as Json | undefined)?.did === did
  return reason.$type === 'app.bsky.feed.defs#reasonRepost' && (reason.by as Json | undefined)?.did === did
}

/** getAuthorFeed's `filter`: no replies, or only posts with media (images/video). */
function matchesFilter(post: LocalRecord, filter: string | null): boolean {
  const embed = post.record.embed as Json | undefined
  const media = embed?.$type === 'app.bsky.embed.recordWithMedia' ? (embed.media as Json | undefined) : embed
  switch (filter) {
    case 'posts_no_replies':
      return post.record.reply === undefined
    case 'posts_with_media':
      return media?.$type === 'app.bsky.embed.images' || media?.$type === 'app.bsky.embed.video'
    case 'posts_with_video':
      return media?.$type === 'app.bsky.embed.video'
    default:
      return true
  }
}

/** Adds the local posts that reply inside `thread` under their parents (newest first among replies). */
async function addReplies(viewer: LocalViewer, thread: Json, posts: LocalRecord[]): Promise<Json> {
  const root = thread.post as Json
  const rootUri = ((root.record as Json | undefined)?.reply as Json | undefined)?.root as Json | undefined
  const inThread = posts.filter((p) => {
    const r = ((p.record.reply as Json | undefined)?.root as Json | undefined)?.uri
    return typeof r === 'string' && (r === root.uri || r === rootUri?.uri)
  })
  let out = thread
  for (const p of inThread) out = await insertReply(viewer, out, p)
  return out
}

async function insertReply(viewer: LocalViewer, view: Json, post: LocalRecord): Promise<Json> {
  const parent = ((post.record.reply as Json | undefined)?.parent as Json | undefined)?.uri
  const replies = Array.isArray(view.replies) ? (view.replies as Json[]) : undefined
  if (parent === (view.post as Json).uri) {
    if (replies?.some((r) => (r.post as Json | undefined)?.uri === post.uri)) return view
    const postView = await viewer.postView(post)
    if (!postView) return view
    return { ...view, replies: [{ $type: THREAD_VIEW, post: postView }, ...(replies ?? [])] }
  }
  if (!replies) return view
  const next = await Promise.all(replies.map((r) => (r.$type === THREAD_VIEW ? insertReply(viewer, r, post) : r)))
  return { ...view, replies: next }
}

function mungedResponse(body: Json, local: LocalRecords, headers: Record<string, string>): Response {
  const lag = localLag(local)
  const out = new Headers(headers)
  out.set('content-type', 'application/json; charset=utf-8')
  if (lag !== undefined) out.set('atproto-upstream-lag', String(lag))
  return new Response(JSON.stringify(body), { status: 200, headers: out })
}

function passHeaders(upstream: Upstream): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of ['content-type', 'atproto-repo-rev', 'atproto-content-labelers']) {
    const v = upstream.header(name)
    if (v !== null) out[name] = v
  }
  return out
}

function isJson(contentType: string | null): boolean {
  return contentType !== null && /application\/(?:[\w.+-]+\+)?json/i.test(contentType)
}

function asArray(v: unknown): Json[] {
  if (!Array.isArray(v)) throw new InvalidRequestError('AppView answer has no feed array')
  return v as Json[]
}
