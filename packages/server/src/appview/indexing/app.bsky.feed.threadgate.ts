/** app.bsky.feed.threadgate: who may reply to a thread, and which replies its author hid. */
import { gatePlugin } from './gate-record.ts'

export const threadgatePlugin = gatePlugin('app.bsky.feed.threadgate', 'threadgate')
