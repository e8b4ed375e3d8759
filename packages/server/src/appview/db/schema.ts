/**
 * The AppView's tables (Kysely types). Timestamps are ISO-8601 strings (`2024-01-01T00:00:00.000Z`), which
 * sort correctly as text in both SQLite and PostgreSQL. `sort_at` is min(createdAt, indexedAt): a record
 * cannot jump ahead of the present by lying about its creation time.
 *
 * Source rows (post, like, follow, …) hold one row per indexed record, keyed by AT-URI; `record` holds every
 * indexed record's JSON and CID (the idempotency check and `com.atproto.repo.getRecord`); `record_agg` and
 * `actor_agg` hold counts recomputed from the source rows whenever they change, so they are exact by
 * construction. `sync_*` are the sync kit's cursor and per-repository state.
 */
import type { Kysely } from 'kysely'

export interface ActorTable {
  did: string
  handle: string | null
  /** 'active' | 'deactivated' | 'takendown' | 'suspended' | 'deleted' | other host statuses. */
  status: string
  indexed_at: string
}

export interface RecordTable {
  uri: string
  cid: string
  did: string
  collection: string
  rkey: string
  /** The record in the atproto JSON form. */
  json: string
  indexed_at: string
}

export interface ProfileTable {
  did: string
  uri: string
  cid: string
  display_name: string | null
  description: string | null
  avatar_cid: string | null
  banner_cid: string | null
  pinned_post: string | null
  pinned_post_cid: string | null
  created_at: string | null
  indexed_at: string
}

export interface PostTable {
  uri: string
  cid: string
  creator: string
  text: string
  created_at: string
  indexed_at: string
  sort_at: string
  reply_root: string | null
  reply_root_cid: string | null
  reply_parent: string | null
  reply_parent_cid: string | null
  /** Embedded (quoted) record, from embed.record or embed.recordWithMedia. */
  embed_uri: string | null
  embed_cid: string | null
  /** 'images' | 'video' | 'external' | 'record' | 'recordWithMedia' | null. */
  embed_type: string | null
  /** 'images' | 'video' | 'external' | null: the media part (of recordWithMedia too). */
  media_type: string | null
  langs: string | null
}

/** One row per post and per repost: what author feeds and timelines page through. */
export interface FeedItemTable {
  uri: string
  type: 'post' | 'repost'
  post_uri: string
  originator: string
  sort_at: string
}

/** Facet and tag references of a post: kind 'mention' (DID) | 'link' (URL) | 'domain' | 'tag'. */
export interface PostRefTable {
  uri: string
  kind: string
  value: string
}

export interface SubjectRecordTable {
  uri: string
  cid: string
  creator: string
  subject: string
  subject_cid: string | null
  created_at: string
  indexed_at: string
  sort_at: string
}

export interface GraphRecordTable {
  uri: string
  cid: string
  creator: string
  subject: string
  created_at: string
  indexed_at: string
  sort_at: string
}

export interface ListTable {
  uri: string
  cid: string
  creator: string
  name: string
  purpose: string
  indexed_at: string
  sort_at: string
}

export interface ListItemTable {
  uri: string
  cid: string
  creator: string
  list_uri: string
  subject: string
  indexed_at: string
  sort_at: string
}

export interface GateTable {
  uri: string
  cid: string
  creator: string
  post_uri: string
  indexed_at: string
}

export interface FeedGeneratorTable {
  uri: string
  cid: string
  creator: string
  feed_did: string
  display_name: string
  indexed_at: string
  sort_at: string
}

export interface RecordAggTable {
  uri: string
  like_count: number
  repost_count: number
  reply_count: number
  quote_count: number
}

export interface ActorAggTable {
  did: string
  followers_count: number
  follows_count: number
  posts_count: number
}

export interface MuteTable {
  muter: string
  subject: string
  created_at: string
}

export interface NotificationTable {
  recipient: string
  author: string
  record_uri: string
  record_cid: string
  reason: string
  reason_subject: string | null
  sort_at: string
}

export interface NotificationSeenTable {
  did: string
  seen_at: string
}

export interface SyncCursorTable {
  name: string
  value: number
}

export interface SyncRepoTable {
  did: string
  rev: string
  data: string | null
  status: string
}

export interface AppViewSchema {
  actor: ActorTable
  record: RecordTable
  profile: ProfileTable
  post: PostTable
  feed_item: FeedItemTable
  post_ref: PostRefTable
  like: SubjectRecordTable
  repost: SubjectRecordTable
  follow: GraphRecordTable
  block: GraphRecordTable
  list: ListTable
  list_item: ListItemTable
  list_block: GraphRecordTable
  threadgate: GateTable
  postgate: GateTable
  feed_generator: FeedGeneratorTable
  record_agg: RecordAggTable
  actor_agg: ActorAggTable
  mute: MuteTable
  notification: NotificationTable
  notification_seen: NotificationSeenTable
  sync_cursor: SyncCursorTable
  sync_repo: SyncRepoTable
}

export type Db = Kysely<AppViewSchema>
