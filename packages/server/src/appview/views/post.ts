/**
 * Post views (app.bsky.feed.defs#postView) and embed views (app.bsky.embed.*#view). A post whose author is
 * not active has no view. Embedded posts render as viewRecord (with their own embeds one level down),
 * viewNotFound, viewBlocked (a block either way with the viewer) or viewDetached (the quoted author
 * detached this quote); embedded feeds and lists render as their views.
 */
import { isBlocked } from '../hydration/state.ts'
import type { PostInfo } from '../hydration/state.ts'
import { type Json, blockedAuthor, profileViewBasic } from './actor.ts'
import { type ViewCtx, compact } from './context.ts'
import { embeddingDisabled, isDetached, threadgateView, viewerCanReply } from './gates.ts'
import { generatorView, listView } from './graph.ts'

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

function blobCid(v: unknown): string | undefined {
  if (!isObj(v)) return undefined
  if (isObj(v.ref) && typeof v.ref.$link === 'string') return v.ref.$link
  return typeof v.cid === 'string' ? v.cid : undefined
}

function aspectRatio(v: unknown): Json | undefined {
  return isObj(v) && typeof v.width === 'number' && typeof v.height === 'number'
    ? { width: v.width, height: v.height }
    : undefined
}

function imagesView(ctx: ViewCtx, did: string, e: Json): Json {
  const images = (Array.isArray(e.images) ? e.images : []).filter(isObj).flatMap((img) => {
    const cid = blobCid(img.image)
    if (!cid) return []
    return [
      compact({
        thumb: ctx.urls.image('feed_thumbnail', did, cid),
        fullsize: ctx.urls.image('feed_fullsize', did, cid),
        alt: typeof img.alt === 'string' ? img.alt : '',
        aspectRatio: aspectRatio(img.aspectRatio),
      }),
    ]
  })
  return { $type: 'app.bsky.embed.images#view', images }
}

function videoView(ctx: ViewCtx, did: string, e: Json): Json | undefined {
  const cid = blobCid(e.video)
  if (!cid) return undefined
  return compact({
    $type: 'app.bsky.embed.video#view',
    cid,
    playlist: ctx.urls.videoPlaylist(did, cid),
    thumbnail: ctx.urls.videoThumbnail(did, cid),
    alt: typeof e.alt === 'string' ? e.alt : undefined,
    aspectRatio: aspectRatio(e.aspectRatio),
  })
}

function externalView(ctx: ViewCtx, did: string, e: Json): Json | undefined {
  const x = e.external
  if (!isObj(x) || typeof x.uri !== 'string') return undefined
  const thumb = blobCid(x.thumb)
  return {
    $type: 'app.bsky.embed.external#view',
    external: compact({
      uri: x.uri,
      title: typeof x.title === 'string' ? x.title : '',
      description: typeof x.description === 'string' ? x.description : '',
      thumb: thumb ? ctx.urls.image('feed_thumbnail', did, thumb) : undefined,
    }),
  }
}

function mediaView(ctx: ViewCtx, did: string, e: unknown): Json | undefined {
  if (!isObj(e)) return undefined
  if (e.$type === 'app.bsky.embed.images') return imagesView(ctx, did, e)
  if (e.$type === 'app.bsky.embed.video') return videoView(ctx, did, e)
  if (e.$type === 'app.bsky.embed.external') return externalView(ctx, did, e)
  return undefined
}

/** The `record` member of an app.bsky.embed.record#view. */
function embeddedRecord(ctx: ViewCtx, uri: string, quoter: string, depth: number): Json {
  const { state } = ctx
  const notFound = { $type: 'app.bsky.embed.record#viewNotFound', uri, notFound: true }
  if (uri.includes('/app.bsky.feed.generator/')) {
    const v = generatorView(ctx, uri)
    return v ? { $type: 'app.bsky.feed.defs#generatorView', ...v } : notFound
  }
  if (uri.includes('/app.bsky.graph.list/')) {
    const v = listView(ctx, uri)
    return v ? { $type: 'app.bsky.graph.defs#listView', ...v } : notFound
  }
  const p = state.posts.get(uri)
  if (!p) return notFound
  if (isBlocked(state, p.creator)) {
    return { $type: 'app.bsky.embed.record#viewBlocked', uri, blocked: true, author: blockedAuthor(ctx, p.creator) }
  }
  if (isDetached(state, uri, quoter)) return { $type: 'app.bsky.embed.record#viewDetached', uri, detached: true }
  const author = profileViewBasic(ctx, p.creator)
  if (!author) return notFound
  const inner = depth === 0 ? embedView(ctx, p, depth + 1) : undefined
  return compact({
    $type: 'app.bsky.embed.record#viewRecord',
    uri: p.uri,
    cid: p.cid,
    author,
    value: p.record,
    labels: [],
    likeCount: p.counts.like,
    replyCount: p.counts.reply,
    repostCount: p.counts.repost,
    quoteCount: p.counts.quote,
    embeds: inner ? [inner] : undefined,
    indexedAt: p.indexedAt,
  })
}

function strongRefUri(v: unknown): string | undefined {
  return isObj(v) && typeof v.uri === 'string' ? v.uri : undefined
}

/** The view of a post's embed; `depth` 0 for the post itself, 1 inside a quote. */
export function embedView(ctx: ViewCtx, post: PostInfo, depth = 0): Json | undefined {
  const e = post.record.embed
  if (!isObj(e)) return undefined
  const did = post.creator
  if (e.$type === 'app.bsky.embed.record') {
    const uri = strongRefUri(e.record)
    return uri ? { $type: 'app.bsky.embed.record#view', record: embeddedRecord(ctx, uri, post.uri, depth) } : undefined
  }
  if (e.$type === 'app.bsky.embed.recordWithMedia') {
    const uri = isObj(e.record) ? strongRefUri(e.record.record) : undefined
    const media = mediaView(ctx, did, e.media)
    if (!uri || !media) return undefined
    return {
      $type: 'app.bsky.embed.recordWithMedia#view',
      record: { $type: 'app.bsky.embed.record#view', record: embeddedRecord(ctx, uri, post.uri, depth) },
      media,
    }
  }
  return mediaView(ctx, did, e)
}

export function postView(ctx: ViewCtx, uri: string): Json | undefined {
  const { state } = ctx
  const p = state.posts.get(uri)
  const author = p && profileViewBasic(ctx, p.creator)
  if (!p || !author) return undefined
  const root = p.replyRoot ?? p.uri
  const viewer = state.viewer
    ? compact({
        like: p.viewer?.like,
        repost: p.viewer?.repost,
        threadMuted: false,
        replyDisabled: viewerCanReply(state, root) ? undefined : true,
        embeddingDisabled: p.creator !== state.viewer && embeddingDisabled(state, p.uri),
        pinned: state.actors.get(p.creator)?.profile?.pinnedPost?.uri === p.uri ? true : undefined,
      })
    : undefined
  return compact({
    uri: p.uri,
    cid: p.cid,
    author,
    record: p.record,
    embed: embedView(ctx, p),
    replyCount: p.counts.reply,
    repostCount: p.counts.repost,
    likeCount: p.counts.like,
    quoteCount: p.counts.quote,
    indexedAt: p.indexedAt,
    viewer,
    labels: [],
    threadgate: p.replyRoot ? undefined : threadgateView(ctx, p.uri),
  })
}

/** A post for a union slot (reply refs, thread nodes): postView, blockedPost or notFoundPost. */
export function postUnionView(ctx: ViewCtx, uri: string): Json {
  const p = ctx.state.posts.get(uri)
  if (p && isBlocked(ctx.state, p.creator)) {
    return { $type: 'app.bsky.feed.defs#blockedPost', uri, blocked: true, author: blockedAuthor(ctx, p.creator) }
  }
  const view = postView(ctx, uri)
  return view
    ? { $type: 'app.bsky.feed.defs#postView', ...view }
    : { $type: 'app.bsky.feed.defs#notFoundPost', uri, notFound: true }
}
