/**
 * What the hydrator loads and the view builders read: plain maps keyed by DID or AT-URI. Loading is
 * additive (hydrating more URIs into the same state only adds entries), so an endpoint can hydrate its main
 * items, then whatever they reference, then render everything with pure functions.
 */
export type JsonObject = Record<string, unknown>

export interface ProfileInfo {
  uri: string
  cid: string
  displayName?: string
  description?: string
  avatarCid?: string
  bannerCid?: string
  pinnedPost?: { uri: string; cid: string }
  createdAt?: string
  indexedAt: string
}

export interface ActorInfo {
  did: string
  /** Verified handle, or 'handle.invalid'. */
  handle: string
  status: string
  indexedAt: string
  profile?: ProfileInfo
  counts?: { followers: number; follows: number; posts: number; lists: number; feedgens: number }
}

/** The viewer's relationship to another account (AT-URIs of the records that make it). */
export interface Relationship {
  following?: string
  followedBy?: string
  blocking?: string
  blockedBy?: string
  blockingByList?: string
  blockedByList?: string
  muted?: boolean
}

export interface PostInfo {
  uri: string
  cid: string
  creator: string
  record: JsonObject
  indexedAt: string
  sortAt: string
  replyRoot: string | null
  replyParent: string | null
  embedUri: string | null
  counts: { like: number; repost: number; reply: number; quote: number }
  viewer?: { like?: string; repost?: string }
}

export interface GateInfo {
  uri: string
  cid: string
  record: JsonObject
}

export interface FeedGenInfo {
  uri: string
  cid: string
  creator: string
  did: string
  record: JsonObject
  indexedAt: string
  likeCount: number
  viewerLike?: string
}

export interface ListInfo {
  uri: string
  cid: string
  creator: string
  name: string
  purpose: string
  record: JsonObject
  indexedAt: string
  itemCount: number
  viewerBlocked?: string
}

export interface HydrationState {
  viewer?: string
  actors: Map<string, ActorInfo>
  rels: Map<string, Relationship>
  posts: Map<string, PostInfo>
  threadgates: Map<string, GateInfo>
  postgates: Map<string, GateInfo>
  feedgens: Map<string, FeedGenInfo>
  lists: Map<string, ListInfo>
  /** Post URIs whose gates were looked up (most posts have none). */
  gatesChecked?: Set<string>
}

export function emptyState(viewer?: string): HydrationState {
  return {
    viewer,
    actors: new Map(),
    rels: new Map(),
    posts: new Map(),
    threadgates: new Map(),
    postgates: new Map(),
    feedgens: new Map(),
    lists: new Map(),
  }
}

/** True when the viewer and `did` block each other in either direction (directly or by a list). */
export function isBlocked(state: HydrationState, did: string): boolean {
  const r = state.rels.get(did)
  return !!r && !!(r.blocking || r.blockedBy || r.blockingByList || r.blockedByList)
}

export function isMuted(state: HydrationState, did: string): boolean {
  return !!state.rels.get(did)?.muted
}

/** An account whose content is visible at all (not taken down, deactivated, deleted …). */
export function isActive(state: HydrationState, did: string): boolean {
  return state.actors.get(did)?.status === 'active'
}
