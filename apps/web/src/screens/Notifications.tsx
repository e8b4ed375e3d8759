/**
 * Notifications (app.bsky.notification.listNotifications): likes, reposts, follows, replies, mentions,
 * quotes. Replies, mentions and quotes show as full posts (to answer them in place); likes and reposts
 * show the liked post's text. Opening the screen marks everything as seen (updateSeen) and clears the
 * badge; items that were new when the page loaded keep a "New" marker.
 */
import type { AppBskyFeedDefs, AppBskyNotificationListNotifications } from '@stratus/core/lexicon/generated'
import { useEffect } from 'react'
import type { Agent } from '../api/agent.ts'
import { Avatar } from '../components/Avatar.tsx'
import { ListFooter } from '../components/FeedList.tsx'
import { icons } from '../components/Icons.tsx'
import { PostCard } from '../components/PostCard.tsx'
import { ScreenHeader } from '../components/ScreenHeader.tsx'
import { TimeAgo } from '../components/TimeAgo.tsx'
import { useAgent, usePages } from '../hooks.ts'
import { Link, paths, postPath } from '../router.tsx'
import { clearUnread } from '../unread.ts'

type Notification = AppBskyNotificationListNotifications.Notification
type PostView = AppBskyFeedDefs.PostView
interface Item {
  n: Notification
  /** The notification's own post (reply/mention/quote) or the subject post (like/repost). */
  post?: PostView
  /** Unread when the screen opened. */
  isNew?: boolean
}

const OWN_POST = new Set(['reply', 'mention', 'quote'])

export function Notifications() {
  const agent = useAgent()
  const pages = usePages(
    async (cursor) => {
      // AppViews differ on `isRead` before the first updateSeen; the unread count is what the badge showed.
      const [out, unread] = await Promise.all([
        agent.query('app.bsky.notification.listNotifications', { limit: 30, cursor }),
        cursor
          ? 0
          : agent.query('app.bsky.notification.getUnreadCount').then(
              (r) => r.count,
              () => 0,
            ),
      ])
      const items = await withPosts(agent, out.notifications)
      items.forEach((item, i) => {
        item.isNew = !item.n.isRead || i < unread
      })
      return { items, cursor: out.cursor }
    },
    [agent],
  )
  const loaded = !pages.loading && pages.items.length > 0
  useEffect(() => {
    if (!loaded) return
    const seenAt = new Date().toISOString()
    agent.procedure('app.bsky.notification.updateSeen', { seenAt }).then(clearUnread, () => {})
  }, [agent, loaded])
  return (
    <>
      <ScreenHeader title="Notifications">
        <button type="button" className="btn btn-ghost btn-small" onClick={pages.reload}>
          Refresh
        </button>
      </ScreenHeader>
      <ul className="notifications" aria-label="Notifications">
        {pages.items.map((item) => (
          <NotificationItem key={item.n.uri + item.n.reason} item={item} />
        ))}
      </ul>
      <ListFooter pages={pages} empty="No notifications yet." />
    </>
  )
}

/** Fetches the posts the notifications are about, 25 at a time (getPosts' limit). */
async function withPosts(agent: Agent, notifications: Notification[]): Promise<Item[]> {
  const uriOf = (n: Notification) => (OWN_POST.has(n.reason) ? n.uri : n.reasonSubject)
  const uris = [...new Set(notifications.map(uriOf).filter((u): u is string => !!u?.includes('/app.bsky.feed.post/')))]
  const posts = new Map<string, PostView>()
  for (let i = 0; i < uris.length; i += 25) {
    const out = await agent.query('app.bsky.feed.getPosts', { uris: uris.slice(i, i + 25) })
    for (const p of out.posts) posts.set(p.uri, p)
  }
  return notifications.map((n) => ({ n, post: posts.get(uriOf(n) ?? '') }))
}

const VERB: Record<string, string> = {
  like: 'liked your post',
  repost: 'reposted your post',
  follow: 'followed you',
  reply: 'replied to you',
  mention: 'mentioned you',
  quote: 'quoted your post',
  'like-via-repost': 'liked your repost',
  'repost-via-repost': 'reposted your repost',
  'starterpack-joined': 'joined via your starter pack',
}

function NotificationItem({ item }: { item: Item }) {
  const { n, post, isNew } = item
  const name = n.author.displayName || n.author.handle
  const icon = n.reason.startsWith('like')
    ? icons.heartFilled
    : n.reason.startsWith('repost')
      ? icons.repost
      : n.reason === 'follow'
        ? icons.follow
        : null
  if (OWN_POST.has(n.reason) && post) {
    return (
      <li className={`notification ${isNew ? 'unread' : ''}`}>
        {isNew && <span className="visually-hidden">New: </span>}
        <PostCard post={post} />
      </li>
    )
  }
  const subjectText = (post?.record as { text?: string } | undefined)?.text
  return (
    <li className={`notification notification-${n.reason} ${isNew ? 'unread' : ''}`}>
      <span className={`notification-icon reason-${n.reason}`}>{icon}</span>
      <div className="notification-body">
        <div className="notification-head">
          <Avatar src={n.author.avatar} name={name} size={32} />
          {isNew && <span className="pill pill-new">New</span>}
        </div>
        <p>
          <Link to={paths.profile(n.author.handle)}>
            <strong>{name}</strong>
          </Link>{' '}
          {VERB[n.reason] ?? n.reason} · <TimeAgo iso={n.indexedAt} />
        </p>
        {post && (
          <Link to={postPath(post.uri, post.author.handle)} className="notification-subject muted">
            {subjectText || (post.embed ? '(a post with media)' : '(a post)')}
          </Link>
        )}
      </div>
    </li>
  )
}
