/**
 * app.bsky.feed.getAuthorFeed: an account's posts and reposts, newest first, with the lexicon's filters
 * (posts_with_replies, posts_no_replies, posts_with_media, posts_and_author_threads, posts_with_video) and
 * an optional pinned post first. Blocked either way: BlockedActor / BlockedByActor.
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import type { FeedItem } from '../views/index.ts'
import { pageFeedItems, renderFeed } from './feed-util.ts'
import { assertActorVisible, decodeCursor, json, limitOf, requireActor } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.feed.getAuthorFeed',
    async ({ params, auth }) => {
      const did = await requireActor(app, params.actor as string)
      await assertActorVisible(app, did)
      await assertNotBlocked(app, auth.did, did)
      const filter = (params.filter as string | undefined) ?? 'posts_with_replies'
      // For reposts `p` is the reposted post; the filters only look at it for the author's own posts.
      let q = app.db
        .selectFrom('feed_item as fi')
        .leftJoin('post as p', 'p.uri', 'fi.post_uri')
        .where('fi.originator', '=', did)
      if (filter !== 'posts_with_replies') {
        if (filter === 'posts_no_replies') {
          q = q.where((eb) => eb.or([eb('fi.type', '=', 'repost'), eb('p.reply_parent', 'is', null)]))
        } else if (filter === 'posts_with_media') {
          q = q.where('fi.type', '=', 'post').where('p.media_type', 'in', ['images', 'video'])
        } else if (filter === 'posts_with_video') {
          q = q.where('fi.type', '=', 'post').where('p.media_type', '=', 'video')
        } else if (filter === 'posts_and_author_threads') {
          q = q.where((eb) =>
            eb.or([
              eb('fi.type', '=', 'repost'),
              eb('p.reply_parent', 'is', null),
              eb('p.reply_root', 'like', `at://${did}/%`),
            ]),
          )
        }
      }
      const cursor = decodeCursor(params.cursor)
      const page = await pageFeedItems(app.hydrator.q, q, cursor, limitOf(params))
      let items: FeedItem[] = page.items
      if (params.includePins && !cursor) items = [...(await pinned(app, did)), ...items]
      // An account's own page shows its posts even to a viewer who muted it.
      return json({ cursor: page.cursor, feed: await renderFeed(app, auth.did, items, { keepMuted: true }) })
    },
    { auth: app.auth.optional },
  )
}

async function pinned(app: AppViewContext, did: string): Promise<FeedItem[]> {
  const row = await app.db.selectFrom('profile').select('pinned_post').where('did', '=', did).executeTakeFirst()
  const uri = row?.pinned_post
  return uri?.startsWith(`at://${did}/app.bsky.feed.post/`) ? [{ postUri: uri, pinned: true }] : []
}

export async function assertNotBlocked(app: AppViewContext, viewer: string | undefined, did: string): Promise<void> {
  if (!viewer || viewer === did) return
  const state = app.hydrator.state(viewer)
  await app.hydrator.actors(state, [did])
  const rel = state.rels.get(did)
  if (rel?.blocking || rel?.blockingByList) throw new InvalidRequestError('Requester has blocked actor', 'BlockedActor')
  if (rel?.blockedBy || rel?.blockedByList)
    throw new InvalidRequestError('Requester is blocked by actor', 'BlockedByActor')
}
