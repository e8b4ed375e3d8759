/** app.bsky.feed.postgate: whether a post may be quoted, and which quotes its author detached. */
import { gatePlugin } from './gate-record.ts'

export const postgatePlugin = gatePlugin('app.bsky.feed.postgate', 'postgate')
