/**
 * The AppView's XRPC methods, one file per NSID (each registers its handler on the router). With a reader
 * pool, READER_METHODS run on reader threads (read-pool.ts); the rest (writes, calls to feed generators)
 * and everything while no reader has started yet run here.
 */
import type { XrpcHandler, XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import appBskyActorGetprofile from './app.bsky.actor.getProfile.ts'
import appBskyActorGetprofiles from './app.bsky.actor.getProfiles.ts'
import appBskyActorGetsuggestions from './app.bsky.actor.getSuggestions.ts'
import appBskyActorSearchactors from './app.bsky.actor.searchActors.ts'
import appBskyActorSearchactorstypeahead from './app.bsky.actor.searchActorsTypeahead.ts'
import appBskyFeedGetactorlikes from './app.bsky.feed.getActorLikes.ts'
import appBskyFeedGetauthorfeed from './app.bsky.feed.getAuthorFeed.ts'
import appBskyFeedGetfeed from './app.bsky.feed.getFeed.ts'
import appBskyFeedGetfeedgenerator from './app.bsky.feed.getFeedGenerator.ts'
import appBskyFeedGetfeedgenerators from './app.bsky.feed.getFeedGenerators.ts'
import appBskyFeedGetlikes from './app.bsky.feed.getLikes.ts'
import appBskyFeedGetpostthread from './app.bsky.feed.getPostThread.ts'
import appBskyFeedGetposts from './app.bsky.feed.getPosts.ts'
import appBskyFeedGetquotes from './app.bsky.feed.getQuotes.ts'
import appBskyFeedGetrepostedby from './app.bsky.feed.getRepostedBy.ts'
import appBskyFeedGettimeline from './app.bsky.feed.getTimeline.ts'
import appBskyFeedSearchposts from './app.bsky.feed.searchPosts.ts'
import appBskyGraphGetblocks from './app.bsky.graph.getBlocks.ts'
import appBskyGraphGetfollowers from './app.bsky.graph.getFollowers.ts'
import appBskyGraphGetfollows from './app.bsky.graph.getFollows.ts'
import appBskyGraphGetlist from './app.bsky.graph.getList.ts'
import appBskyGraphGetlists from './app.bsky.graph.getLists.ts'
import appBskyGraphGetmutes from './app.bsky.graph.getMutes.ts'
import appBskyGraphGetrelationships from './app.bsky.graph.getRelationships.ts'
import appBskyGraphMuteactor from './app.bsky.graph.muteActor.ts'
import appBskyGraphUnmuteactor from './app.bsky.graph.unmuteActor.ts'
import appBskyNotificationGetunreadcount from './app.bsky.notification.getUnreadCount.ts'
import appBskyNotificationListnotifications from './app.bsky.notification.listNotifications.ts'
import appBskyNotificationUpdateseen from './app.bsky.notification.updateSeen.ts'
import comAtprotoRepoGetrecord from './com.atproto.repo.getRecord.ts'
import type { ReadPool } from './read-pool.ts'
import { withRepoRev } from './repo-rev.ts'

const ROUTES = [
  appBskyActorGetprofile,
  appBskyActorGetprofiles,
  appBskyActorGetsuggestions,
  appBskyActorSearchactors,
  appBskyActorSearchactorstypeahead,
  appBskyFeedGetactorlikes,
  appBskyFeedGetauthorfeed,
  appBskyFeedGetfeed,
  appBskyFeedGetfeedgenerator,
  appBskyFeedGetfeedgenerators,
  appBskyFeedGetlikes,
  appBskyFeedGetpostthread,
  appBskyFeedGetposts,
  appBskyFeedGetquotes,
  appBskyFeedGetrepostedby,
  appBskyFeedGettimeline,
  appBskyFeedSearchposts,
  appBskyGraphGetblocks,
  appBskyGraphGetfollowers,
  appBskyGraphGetfollows,
  appBskyGraphGetlist,
  appBskyGraphGetlists,
  appBskyGraphGetmutes,
  appBskyGraphGetrelationships,
  appBskyGraphMuteactor,
  appBskyGraphUnmuteactor,
  appBskyNotificationGetunreadcount,
  appBskyNotificationListnotifications,
  appBskyNotificationUpdateseen,
  comAtprotoRepoGetrecord,
]

/** Queries that only read the database. */
export const READER_METHODS: ReadonlySet<string> = new Set([
  'app.bsky.actor.getProfile',
  'app.bsky.actor.getProfiles',
  'app.bsky.actor.getSuggestions',
  'app.bsky.actor.searchActors',
  'app.bsky.actor.searchActorsTypeahead',
  'app.bsky.feed.getActorLikes',
  'app.bsky.feed.getAuthorFeed',
  'app.bsky.feed.getFeedGenerators',
  'app.bsky.feed.getLikes',
  'app.bsky.feed.getPostThread',
  'app.bsky.feed.getPosts',
  'app.bsky.feed.getQuotes',
  'app.bsky.feed.getRepostedBy',
  'app.bsky.feed.getTimeline',
  'app.bsky.feed.searchPosts',
  'app.bsky.graph.getBlocks',
  'app.bsky.graph.getFollowers',
  'app.bsky.graph.getFollows',
  'app.bsky.graph.getList',
  'app.bsky.graph.getLists',
  'app.bsky.graph.getMutes',
  'app.bsky.graph.getRelationships',
  'app.bsky.notification.getUnreadCount',
  'app.bsky.notification.listNotifications',
  'com.atproto.repo.getRecord',
])

/**
 * Every route, on the main thread (with `pool`) or a reader. Answers to a signed-in viewer carry the viewer's
 * indexed revision (repo-rev.ts), read where the answer is computed: a reader reads it itself.
 */
export function registerRoutes(router: XrpcRouter, app: AppViewContext, pool?: ReadPool): void {
  const target = withRepoRev(pool ? offloading(router, pool) : router, app)
  for (const register of ROUTES) register(target, app)
}

/** The router, with READER_METHODS' handlers sent to the pool when a reader is up. */
function offloading(router: XrpcRouter, pool: ReadPool): XrpcRouter {
  const wrapped: XrpcRouter = Object.create(router)
  wrapped.query = (nsid, handler, opts) => {
    if (!READER_METHODS.has(nsid)) return router.query(nsid, handler, opts)
    const local = handler as XrpcHandler<{ did?: string } | undefined>
    const offloaded: XrpcHandler<{ did?: string } | undefined> = (ctx) =>
      pool.run({ nsid, params: ctx.params, viewer: ctx.auth?.did }) ?? local(ctx)
    return router.query(nsid, offloaded as XrpcHandler<never>, opts as never)
  }
  return wrapped
}
