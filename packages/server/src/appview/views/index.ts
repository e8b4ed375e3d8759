/**
 * View builders: pure functions from a HydrationState to the app.bsky lexicons' output shapes. Union
 * members carry their `$type`; undefined fields are left out; accounts that are not active have no view.
 */
export { type BlobUrls, type ImagePreset, type ViewCtx, blobUrls, compact } from './context.ts'
export { type Json, actorViewer, blockedAuthor, profileView, profileViewBasic, profileViewDetailed } from './actor.ts'
export { generatorView, listView, listViewBasic } from './graph.ts'
export { embedView, postUnionView, postView } from './post.ts'
export { type FeedItem, feedItemHidden, feedView, feedViewPost } from './feed.ts'
export { type ThreadShape, threadView } from './thread.ts'
export {
  type ReplierFacts,
  embeddingDisabled,
  hiddenReplies,
  isDetached,
  replyAllowed,
  threadgateView,
  viewerCanReply,
} from './gates.ts'
export { type NotificationRow, notificationView } from './notification.ts'
