/**
 * app.bsky.feed.like: a like row (subject = the liked record, usually a post or a feed generator), the
 * subject's like count, and a 'like' notification to the subject's author.
 */
import { subjectPlugin } from './subject-record.ts'

export const likePlugin = subjectPlugin({ collection: 'app.bsky.feed.like', table: 'like', count: 'like_count' })
