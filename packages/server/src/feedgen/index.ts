/**
 * Feed generator kit: `startFeedGenerator({ feeds: { rkey: algorithm } })` serves describeFeedGenerator,
 * getFeedSkeleton (with service-auth viewers) and its did:web document; `ImagesFromFollowsIndex` +
 * `followImagesFromFollows(relay)` are the example feed ("posts with images from people you follow"),
 * built on the sync kit. Publish a feed with an app.bsky.feed.generator record whose `did` is the
 * generator's DID and whose rkey is the algorithm's name.
 */
export {
  startFeedGenerator,
  type FeedAlgorithm,
  type FeedGenerator,
  type FeedGeneratorOptions,
  type FeedRequest,
  type FeedSkeleton,
} from './server.ts'
export { ImagesFromFollowsIndex, followImagesFromFollows, hasImages } from './images-from-follows.ts'
