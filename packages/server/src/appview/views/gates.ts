/**
 * Thread gates and post gates, read from their records. A thread gate's `allow` rules say who may reply
 * to a thread (absent: everyone; empty: nobody but the root's author); a post gate can disable quoting and
 * detach given quotes. The root's author is never restricted by their own gates.
 */
import type { ViewState } from '../hydration/hydrator.ts'
import type { Json } from './actor.ts'
import { type ViewCtx, compact } from './context.ts'
import { listViewBasic } from './graph.ts'

export interface ReplierFacts {
  /** The replier follows the root's author. */
  followsRootAuthor: boolean
  /** The root's author follows the replier. */
  followedByRootAuthor: boolean
  /** Lists (of those the gate names) the replier is on. */
  lists: Set<string>
}

function mentions(record: Json, did: string): boolean {
  const facets = Array.isArray(record.facets) ? record.facets : []
  return facets.some(
    (f) =>
      Array.isArray((f as Json).features) &&
      ((f as Json).features as Json[]).some((x) => x.$type === 'app.bsky.richtext.facet#mention' && x.did === did),
  )
}

/** Whether `did` may reply in the thread rooted at `rootUri`, given the facts about them. */
export function replyAllowed(state: ViewState, rootUri: string, did: string, facts: ReplierFacts): boolean {
  const root = state.posts.get(rootUri)
  const gate = state.threadgates.get(rootUri)
  if (!gate || !root || root.creator === did) return true
  const allow = gate.record.allow
  if (!Array.isArray(allow)) return true
  for (const rule of allow as Json[]) {
    switch (rule.$type) {
      case 'app.bsky.feed.threadgate#mentionRule':
        if (mentions(root.record, did)) return true
        break
      case 'app.bsky.feed.threadgate#followerRule':
        if (facts.followsRootAuthor) return true
        break
      case 'app.bsky.feed.threadgate#followingRule':
        if (facts.followedByRootAuthor) return true
        break
      case 'app.bsky.feed.threadgate#listRule':
        if (typeof rule.list === 'string' && facts.lists.has(rule.list)) return true
        break
    }
  }
  return false
}

/** The viewer's facts from the hydrated relationships. */
export function viewerCanReply(state: ViewState, rootUri: string): boolean {
  const viewer = state.viewer
  const root = state.posts.get(rootUri)
  if (!viewer || !root) return true
  const rel = state.rels.get(root.creator)
  return replyAllowed(state, rootUri, viewer, {
    followsRootAuthor: !!rel?.following,
    followedByRootAuthor: !!rel?.followedBy,
    lists: state.viewerLists,
  })
}

export function hiddenReplies(state: ViewState, rootUri: string): Set<string> {
  const hidden = state.threadgates.get(rootUri)?.record.hiddenReplies
  return new Set(Array.isArray(hidden) ? hidden.filter((h): h is string => typeof h === 'string') : [])
}

export function embeddingDisabled(state: ViewState, postUri: string): boolean {
  const rules = state.postgates.get(postUri)?.record.embeddingRules
  return Array.isArray(rules) && rules.some((r) => (r as Json).$type === 'app.bsky.feed.postgate#disableRule')
}

export function isDetached(state: ViewState, quotedUri: string, quoterUri: string): boolean {
  const detached = state.postgates.get(quotedUri)?.record.detachedEmbeddingUris
  return Array.isArray(detached) && detached.includes(quoterUri)
}

export function threadgateView(ctx: ViewCtx, postUri: string): Json | undefined {
  const gate = ctx.state.threadgates.get(postUri)
  if (!gate) return undefined
  const lists: Json[] = []
  for (const rule of Array.isArray(gate.record.allow) ? (gate.record.allow as Json[]) : []) {
    if (rule.$type !== 'app.bsky.feed.threadgate#listRule' || typeof rule.list !== 'string') continue
    const view = listViewBasic(ctx, rule.list)
    if (view) lists.push(view)
  }
  return compact({ uri: gate.uri, cid: gate.cid, record: gate.record, lists })
}
