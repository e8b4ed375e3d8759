/** List and feed generator views (app.bsky.graph.defs#listView(Basic), app.bsky.feed.defs#generatorView). */
import type { Json } from './actor.ts'
import { profileView } from './actor.ts'
import { type ViewCtx, compact } from './context.ts'

function blobCid(v: unknown): string | undefined {
  const o = v as { ref?: { $link?: unknown }; cid?: unknown } | undefined
  if (typeof o?.ref?.$link === 'string') return o.ref.$link
  return typeof o?.cid === 'string' ? o.cid : undefined
}

function listViewer(ctx: ViewCtx, uri: string): Json | undefined {
  if (!ctx.state.viewer) return undefined
  return compact({ muted: false, blocked: ctx.state.lists.get(uri)?.viewerBlocked })
}

export function listViewBasic(ctx: ViewCtx, uri: string): Json | undefined {
  const l = ctx.state.lists.get(uri)
  if (!l) return undefined
  const avatar = blobCid(l.record.avatar)
  return compact({
    uri: l.uri,
    cid: l.cid,
    name: l.name,
    purpose: l.purpose,
    avatar: avatar ? ctx.urls.image('avatar', l.creator, avatar) : undefined,
    listItemCount: l.itemCount,
    labels: [],
    viewer: listViewer(ctx, uri),
    indexedAt: l.indexedAt,
  })
}

export function listView(ctx: ViewCtx, uri: string): Json | undefined {
  const l = ctx.state.lists.get(uri)
  const creator = l && profileView(ctx, l.creator)
  if (!l || !creator) return undefined
  const avatar = blobCid(l.record.avatar)
  return compact({
    uri: l.uri,
    cid: l.cid,
    creator,
    name: l.name,
    purpose: l.purpose,
    description: typeof l.record.description === 'string' ? l.record.description : undefined,
    descriptionFacets: Array.isArray(l.record.descriptionFacets) ? l.record.descriptionFacets : undefined,
    avatar: avatar ? ctx.urls.image('avatar', l.creator, avatar) : undefined,
    listItemCount: l.itemCount,
    labels: [],
    viewer: listViewer(ctx, uri),
    indexedAt: l.indexedAt,
  })
}

export function generatorView(ctx: ViewCtx, uri: string): Json | undefined {
  const g = ctx.state.feedgens.get(uri)
  const creator = g && profileView(ctx, g.creator)
  if (!g || !creator) return undefined
  const r = g.record
  const avatar = blobCid(r.avatar)
  return compact({
    uri: g.uri,
    cid: g.cid,
    did: g.did,
    creator,
    displayName: typeof r.displayName === 'string' ? r.displayName : '',
    description: typeof r.description === 'string' ? r.description : undefined,
    descriptionFacets: Array.isArray(r.descriptionFacets) ? r.descriptionFacets : undefined,
    avatar: avatar ? ctx.urls.image('avatar', g.creator, avatar) : undefined,
    likeCount: g.likeCount,
    acceptsInteractions: typeof r.acceptsInteractions === 'boolean' ? r.acceptsInteractions : undefined,
    contentMode: typeof r.contentMode === 'string' ? r.contentMode : undefined,
    labels: [],
    viewer: ctx.state.viewer ? compact({ like: g.viewerLike }) : undefined,
    indexedAt: g.indexedAt,
  })
}
