/**
 * app.bsky.feed.getFeed: a custom feed. Looks up the feed's generator record, asks the generator for a
 * skeleton (forwarding the viewer's service-auth token minted for that generator, if the PDS sent one) and
 * hydrates it like a timeline. Unknown feed: UnknownFeed; generator unreachable: UpstreamFailure.
 */
import { InvalidRequestError, UpstreamFailureError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import type { FeedItem } from '../views/index.ts'
import { renderFeed } from './feed-util.ts'
import { feedGenEndpoint, getSkeleton } from './feedgen-client.ts'
import { json, limitOf } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.feed.getFeed',
    async ({ params, auth }) => {
      const feed = params.feed as string
      const gen = await app.db
        .selectFrom('feed_generator')
        .select(['feed_did'])
        .where('uri', '=', feed)
        .executeTakeFirst()
      if (!gen) throw new InvalidRequestError('could not find feed', 'UnknownFeed')
      const endpoint = await feedGenEndpoint(app, gen.feed_did)
      if (!endpoint) throw new UpstreamFailureError('could not resolve the feed generator service')
      const token = auth.forwardToken && auth.payload?.aud === gen.feed_did ? auth.forwardToken : undefined
      const skeleton = await getSkeleton(
        app,
        endpoint,
        { feed, limit: limitOf(params), cursor: params.cursor as string | undefined },
        token,
      )
      const items = await toItems(app, skeleton.feed)
      return json({ cursor: skeleton.cursor, feed: await renderFeed(app, auth.did, items) })
    },
    { auth: app.auth.feed },
  )
}

async function toItems(
  app: AppViewContext,
  skeleton: { post: string; repost?: string; feedContext?: string }[],
): Promise<FeedItem[]> {
  const repostUris = skeleton.flatMap((s) => (s.repost ? [s.repost] : []))
  const reposts = repostUris.length
    ? await app.db
        .selectFrom('repost')
        .select(['uri', 'cid', 'creator', 'subject', 'sort_at'])
        .where('uri', 'in', repostUris)
        .execute()
    : []
  const byUri = new Map(reposts.map((r) => [r.uri, r]))
  return skeleton.map((s) => {
    const r = s.repost ? byUri.get(s.repost) : undefined
    const repost =
      r && r.subject === s.post ? { uri: r.uri, cid: r.cid, by: r.creator, indexedAt: r.sort_at } : undefined
    return { postUri: s.post, repost, feedContext: s.feedContext }
  })
}
