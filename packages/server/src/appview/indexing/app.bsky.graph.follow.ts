/** app.bsky.graph.follow: the follow edge, both accounts' follow counts, a 'follow' notification. */
import { graphPlugin, isDid } from './graph-record.ts'
import { notify, recountActor } from './util.ts'

export const followPlugin = graphPlugin({
  collection: 'app.bsky.graph.follow',
  table: 'follow',
  validSubject: isDid,
  async afterInsert(ctx, row) {
    await recountActor(ctx, row.subject, 'followers_count')
    await recountActor(ctx, row.creator, 'follows_count')
    await notify(ctx, {
      recipient: row.subject,
      author: row.creator,
      recordUri: row.uri,
      recordCid: row.cid,
      reason: 'follow',
      sortAt: row.sortAt,
    })
  },
  async afterDelete(ctx, row) {
    await recountActor(ctx, row.subject, 'followers_count')
    await recountActor(ctx, row.creator, 'follows_count')
  },
})
