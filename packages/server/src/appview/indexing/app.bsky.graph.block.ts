/** app.bsky.graph.block: the block edge (public; views hide content in both directions). */
import { graphPlugin, isDid } from './graph-record.ts'

export const blockPlugin = graphPlugin({ collection: 'app.bsky.graph.block', table: 'block', validSubject: isDid })
