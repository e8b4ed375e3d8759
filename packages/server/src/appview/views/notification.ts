/** Notification views (app.bsky.notification.listNotifications#notification). */
import type { Json } from './actor.ts'
import { profileView } from './actor.ts'
import { type ViewCtx, compact } from './context.ts'

export interface NotificationRow {
  author: string
  record_uri: string
  record_cid: string
  reason: string
  reason_subject: string | null
  sort_at: string
  record?: Json
}

export function notificationView(ctx: ViewCtx, n: NotificationRow, seenAt: string | undefined): Json | undefined {
  const author = profileView(ctx, n.author)
  if (!author || !n.record) return undefined
  return compact({
    uri: n.record_uri,
    cid: n.record_cid,
    author,
    reason: n.reason,
    reasonSubject: n.reason_subject ?? undefined,
    record: n.record,
    isRead: seenAt !== undefined && n.sort_at <= seenAt,
    indexedAt: n.sort_at,
    labels: [],
  })
}
