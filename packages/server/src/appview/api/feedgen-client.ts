/**
 * Talking to feed generators: find a generator's endpoint from its DID document (`#bsky_fg` service of
 * type BskyFeedGenerator), call describeFeedGenerator / getFeedSkeleton with a deadline, and check the
 * skeleton's shape. Outside dev mode the endpoint must be public https (checked before every call).
 */
import { getServiceEndpoint } from '@stratus/core/identity'
import { assertFetchable } from '@stratus/core/identity'
import { UpstreamFailureError, XrpcClient } from '@stratus/core/xrpc'
import type { AppViewContext } from '../context.ts'

const TIMEOUT_MS = 10_000
const MAX_SKELETON_ITEMS = 500

export interface Skeleton {
  feed: { post: string; repost?: string; feedContext?: string }[]
  cursor?: string
}

export async function feedGenEndpoint(app: AppViewContext, did: string): Promise<string | undefined> {
  const doc = await app.identity.did.resolve(did).catch(() => null)
  return doc ? getServiceEndpoint(doc, { id: '#bsky_fg', type: 'BskyFeedGenerator' }) : undefined
}

async function client(app: AppViewContext, endpoint: string): Promise<XrpcClient> {
  await assertFetchable(new URL(endpoint), { dns: null, allowPrivateNetwork: app.cfg.devMode, timeoutMs: TIMEOUT_MS })
  return new XrpcClient({ service: endpoint, fetch: app.fetch })
}

export async function describeFeedGen(app: AppViewContext, endpoint: string): Promise<string[]> {
  const c = await client(app, endpoint)
  const res = await c.query('app.bsky.feed.describeFeedGenerator', {}, { signal: AbortSignal.timeout(TIMEOUT_MS) })
  const feeds = (res.data as { feeds?: { uri?: unknown }[] })?.feeds
  return Array.isArray(feeds) ? feeds.map((f) => f?.uri).filter((u): u is string => typeof u === 'string') : []
}

export async function getSkeleton(
  app: AppViewContext,
  endpoint: string,
  params: { feed: string; limit: number; cursor?: string },
  token: string | undefined,
): Promise<Skeleton> {
  const c = await client(app, endpoint)
  let data: unknown
  try {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
    data = (
      await c.query('app.bsky.feed.getFeedSkeleton', params, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) })
    ).data
  } catch (err) {
    throw new UpstreamFailureError(`feed generator failed: ${(err as Error).message}`)
  }
  const d = data as { feed?: unknown; cursor?: unknown }
  if (!Array.isArray(d?.feed)) throw new UpstreamFailureError('feed generator returned no feed')
  const feed: Skeleton['feed'] = []
  for (const item of d.feed.slice(0, MAX_SKELETON_ITEMS)) {
    const i = item as { post?: unknown; reason?: { $type?: unknown; repost?: unknown }; feedContext?: unknown }
    if (typeof i?.post !== 'string' || !i.post.startsWith('at://')) continue
    const repost =
      i.reason?.$type === 'app.bsky.feed.defs#skeletonReasonRepost' && typeof i.reason.repost === 'string'
        ? i.reason.repost
        : undefined
    feed.push({ post: i.post, repost, feedContext: typeof i.feedContext === 'string' ? i.feedContext : undefined })
  }
  return { feed, cursor: typeof d.cursor === 'string' ? d.cursor : undefined }
}
