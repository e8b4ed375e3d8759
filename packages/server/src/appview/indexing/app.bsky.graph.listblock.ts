/** app.bsky.graph.listblock: blocking every member of a moderation list (subject = the list's AT-URI). */
import { graphPlugin, isAtUri } from './graph-record.ts'

export const listBlockPlugin = graphPlugin({
  collection: 'app.bsky.graph.listblock',
  table: 'list_block',
  validSubject: isAtUri,
})
