/**
 * app.bsky.feed.repost: a repost row, a feed item (so the post shows in the reposter's feed and their
 * followers' timelines at the repost's time), the subject's repost count and a 'repost' notification.
 */
import { subjectPlugin } from './subject-record.ts'

export const repostPlugin = subjectPlugin({
  collection: 'app.bsky.feed.repost',
  table: 'repost',
  count: 'repost_count',
  feedItem: true,
})
