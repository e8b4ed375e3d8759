/**
 * Account views (app.bsky.actor.defs): profileViewBasic, profileView, profileViewDetailed and the viewer
 * state. Accounts that are not active (taken down, deactivated, …) have no view: callers treat them as
 * missing. Like the official AppView, `following`/`followedBy` are not shown across a block.
 */
import type { ActorInfo } from '../hydration/state.ts'
import { type ViewCtx, compact } from './context.ts'
import { listViewBasic } from './graph.ts'

export type Json = Record<string, unknown>

export function actorViewer(ctx: ViewCtx, did: string): Json | undefined {
  const { state } = ctx
  if (!state.viewer) return undefined
  if (did === state.viewer) return { muted: false, blockedBy: false }
  const r = state.rels.get(did) ?? {}
  const blocked = !!(r.blocking || r.blockedBy || r.blockingByList || r.blockedByList)
  const byList = r.blockingByList ? listViewBasic(ctx, r.blockingByList) : undefined
  return compact({
    muted: !!r.muted,
    blockedBy: !!r.blockedBy,
    blocking: r.blocking,
    blockingByList: byList,
    following: blocked ? undefined : r.following,
    followedBy: blocked ? undefined : r.followedBy,
  })
}

function visible(ctx: ViewCtx, did: string): ActorInfo | undefined {
  const a = ctx.state.actors.get(did)
  return a && a.status === 'active' ? a : undefined
}

function avatar(ctx: ViewCtx, a: ActorInfo): string | undefined {
  return a.profile?.avatarCid ? ctx.urls.image('avatar', a.did, a.profile.avatarCid) : undefined
}

export function profileViewBasic(ctx: ViewCtx, did: string): Json | undefined {
  const a = visible(ctx, did)
  if (!a) return undefined
  return compact({
    did: a.did,
    handle: a.handle,
    displayName: a.profile?.displayName,
    avatar: avatar(ctx, a),
    viewer: actorViewer(ctx, did),
    labels: [],
    createdAt: a.profile?.createdAt,
  })
}

export function profileView(ctx: ViewCtx, did: string): Json | undefined {
  const a = visible(ctx, did)
  if (!a) return undefined
  return compact({
    did: a.did,
    handle: a.handle,
    displayName: a.profile?.displayName,
    description: a.profile?.description,
    avatar: avatar(ctx, a),
    indexedAt: a.profile?.indexedAt,
    createdAt: a.profile?.createdAt,
    viewer: actorViewer(ctx, did),
    labels: [],
  })
}

export function profileViewDetailed(ctx: ViewCtx, did: string): Json | undefined {
  const a = visible(ctx, did)
  if (!a) return undefined
  const c = a.counts
  const banner = a.profile?.bannerCid ? ctx.urls.image('banner', a.did, a.profile.bannerCid) : undefined
  const pinned = a.profile?.pinnedPost
  return compact({
    did: a.did,
    handle: a.handle,
    displayName: a.profile?.displayName,
    description: a.profile?.description,
    avatar: avatar(ctx, a),
    banner,
    followersCount: c?.followers ?? 0,
    followsCount: c?.follows ?? 0,
    postsCount: c?.posts ?? 0,
    associated: c ? { lists: c.lists, feedgens: c.feedgens, starterPacks: 0, labeler: false } : undefined,
    indexedAt: a.profile?.indexedAt,
    createdAt: a.profile?.createdAt,
    viewer: actorViewer(ctx, did),
    labels: [],
    pinnedPost: pinned ? { uri: pinned.uri, cid: pinned.cid } : undefined,
  })
}

/** `app.bsky.feed.defs#blockedAuthor`. */
export function blockedAuthor(ctx: ViewCtx, did: string): Json {
  const r = ctx.state.rels.get(did)
  return compact({
    did,
    viewer: ctx.state.viewer ? compact({ blockedBy: !!r?.blockedBy, blocking: r?.blocking }) : undefined,
  })
}
