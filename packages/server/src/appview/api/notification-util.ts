/** Shared by the notification endpoints: when the viewer last looked, and which authors to leave out. */
import type { AppViewContext } from '../context.ts'

export async function lastSeen(app: AppViewContext, did: string): Promise<string | undefined> {
  const row = await app.db.selectFrom('notification_seen').select('seen_at').where('did', '=', did).executeTakeFirst()
  return row?.seen_at
}

/**
 * Notifications the viewer should see: not from accounts they block or that block them (directly or by
 * list), not from accounts they muted, not from inactive accounts.
 */
export function visibleNotifications(app: AppViewContext, viewer: string) {
  return app.db
    .selectFrom('notification as n')
    .innerJoin('actor as a', 'a.did', 'n.author')
    .where('n.recipient', '=', viewer)
    .where('a.status', '=', 'active')
    .where((eb) =>
      eb.and([
        eb.not(
          eb.exists(
            eb
              .selectFrom('block')
              .select('block.uri')
              .where('block.creator', '=', viewer)
              .whereRef('block.subject', '=', 'n.author'),
          ),
        ),
        eb.not(
          eb.exists(
            eb
              .selectFrom('block')
              .select('block.uri')
              .where('block.subject', '=', viewer)
              .whereRef('block.creator', '=', 'n.author'),
          ),
        ),
        eb.not(
          eb.exists(
            eb
              .selectFrom('mute')
              .select('mute.subject')
              .where('mute.muter', '=', viewer)
              .whereRef('mute.subject', '=', 'n.author'),
          ),
        ),
        eb.not(
          eb.exists(
            eb
              .selectFrom('list_block as lb')
              .innerJoin('list_item as li', 'li.list_uri', 'lb.subject')
              .select('lb.uri')
              .where('lb.creator', '=', viewer)
              .whereRef('li.subject', '=', 'n.author'),
          ),
        ),
        eb.not(
          eb.exists(
            eb
              .selectFrom('list_block as lb')
              .innerJoin('list_item as li', 'li.list_uri', 'lb.subject')
              .select('lb.uri')
              .where('li.subject', '=', viewer)
              .whereRef('lb.creator', '=', 'n.author'),
          ),
        ),
      ]),
    )
}
