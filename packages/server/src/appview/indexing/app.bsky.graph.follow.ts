/** app.bsky.graph.follow: the follow edge, both accounts' follow counts, a 'follow' notification. */
import { graphPlugin, isDid } from './graph-record.ts'
import { notify, recountActor } from './util.ts'

export const followPlugin = graphPlugin({
  collection: 'app.bsky.graph.follow',
  table: 'follow',
  validSubject: isDid,
  async afterInsert(db, row) {
    await recountActor(db, row.subject, 'followers_count')
    await recountActor(db, row.creator, 'follows_count')
    await notify(db, {
      recipient: row.subject,
      author: row.creator,
      recordUri: row.uri,
      recordCid: row.cid,
      reason: 'follow',
      sortAt: row.sortAt,
    })
  },
  async afterDelete(db, row) {
    await recountActor(db, row.subject, 'followers_count')
    await recountActor(db, row.creator, 'follows_count')
  },
})
