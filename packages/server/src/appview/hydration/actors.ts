/**
 * Batch loaders for accounts: actor rows with their profile record, counts (for detailed views), and the
 * viewer's relationships to them (follows both ways, blocks both ways including list blocks, mutes).
 */
import { INVALID_HANDLE } from '@stratus/core/syntax'
import { type StatementCtx, selectActorCounts, selectActors, selectRelationships } from './queries.ts'
import type { ActorInfo, HydrationState, JsonObject, Relationship } from './state.ts'

const CHUNK = 500

export function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

export function parseJson(text: string): JsonObject {
  try {
    const v = JSON.parse(text)
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {}
  } catch {
    return {}
  }
}

/** Loads actor rows and profiles for DIDs not yet in the state. */
export async function loadActors(q: StatementCtx, state: HydrationState, dids: Iterable<string>): Promise<void> {
  const missing = [...new Set(dids)].filter((d) => !state.actors.has(d))
  if (missing.length === 0) return
  for (const r of await selectActors.all(q, [missing])) {
    const info: ActorInfo = {
      did: r.did,
      handle: r.handle ?? INVALID_HANDLE,
      status: r.status,
      indexedAt: r.indexed_at,
    }
    if (r.p_uri && r.p_cid) {
      info.profile = {
        uri: r.p_uri,
        cid: r.p_cid,
        displayName: r.display_name ?? undefined,
        description: r.description ?? undefined,
        avatarCid: r.avatar_cid ?? undefined,
        bannerCid: r.banner_cid ?? undefined,
        pinnedPost: r.pinned_post && r.pinned_post_cid ? { uri: r.pinned_post, cid: r.pinned_post_cid } : undefined,
        createdAt: r.p_created_at ?? undefined,
        indexedAt: r.p_indexed_at ?? r.indexed_at,
      }
    }
    state.actors.set(r.did, info)
  }
}

/** Follower/follow/post counts plus how many lists and feeds each account created. */
export async function loadActorCounts(q: StatementCtx, state: HydrationState, dids: string[]): Promise<void> {
  const known = [...new Set(dids)].filter((d) => state.actors.has(d))
  if (known.length === 0) return
  for (const r of await selectActorCounts.all(q, [known])) {
    const info = state.actors.get(r.did) as ActorInfo
    info.counts = {
      followers: Number(r.followers_count ?? 0),
      follows: Number(r.follows_count ?? 0),
      posts: Number(r.posts_count ?? 0),
      lists: Number(r.lists),
      feedgens: Number(r.feedgens),
    }
  }
}

/** The viewer's relationships to `dids` (skipping ones already loaded and the viewer itself). */
export async function loadRelationships(q: StatementCtx, state: HydrationState, dids: Iterable<string>): Promise<void> {
  const viewer = state.viewer
  if (!viewer) return
  const missing = [...new Set(dids)].filter((d) => d !== viewer && !state.rels.has(d))
  if (missing.length === 0) return
  const rels = new Map<string, Relationship>(missing.map((d) => [d, {}]))
  for (const r of await selectRelationships.all(q, [viewer, missing])) {
    const rel = rels.get(r.did) as Relationship
    if (r.kind === 'muted') rel.muted = true
    else rel[r.kind] ??= r.uri
  }
  for (const [did, rel] of rels) state.rels.set(did, rel)
}
