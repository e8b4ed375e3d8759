/**
 * Indexing: one plugin per app.bsky collection (files named by NSID) and the indexer that applies sync
 * events to the database through them. See types.ts for the plugin contract.
 */
import { profilePlugin } from './app.bsky.actor.profile.ts'
import { generatorPlugin } from './app.bsky.feed.generator.ts'
import { likePlugin } from './app.bsky.feed.like.ts'
import { postPlugin } from './app.bsky.feed.post.ts'
import { postgatePlugin } from './app.bsky.feed.postgate.ts'
import { repostPlugin } from './app.bsky.feed.repost.ts'
import { threadgatePlugin } from './app.bsky.feed.threadgate.ts'
import { blockPlugin } from './app.bsky.graph.block.ts'
import { followPlugin } from './app.bsky.graph.follow.ts'
import { listPlugin } from './app.bsky.graph.list.ts'
import { listBlockPlugin } from './app.bsky.graph.listblock.ts'
import { listItemPlugin } from './app.bsky.graph.listitem.ts'
import type { IndexingPlugin } from './types.ts'

export const PLUGINS: readonly IndexingPlugin[] = [
  profilePlugin,
  postPlugin,
  likePlugin,
  repostPlugin,
  followPlugin,
  blockPlugin,
  listPlugin,
  listItemPlugin,
  listBlockPlugin,
  threadgatePlugin,
  postgatePlugin,
  generatorPlugin,
]

export const INDEXED_COLLECTIONS: readonly string[] = PLUGINS.map((p) => p.collection)

export { Indexer, type IndexerOptions } from './indexer.ts'
export type { IndexingPlugin, IndexedRecord, IndexCtx } from './types.ts'
export { summarizeEmbed, postRefs } from './app.bsky.feed.post.ts'
