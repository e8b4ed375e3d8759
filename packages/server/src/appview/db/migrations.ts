/**
 * AppView schema migrations. Written with Kysely's schema builder so one definition serves SQLite and
 * PostgreSQL; full-text search differs: an FTS5 table keyed by the post's rowid on SQLite, a GIN index on
 * to_tsvector('simple', text) on PostgreSQL.
 */
import { type CreateTableBuilder, type Kysely, sql } from 'kysely'
import type { Dialect, Migration } from '../../db/index.ts'

// schema builder needs the untyped handle
type AnyDb = Kysely<any>

/**
 * A table keyed by its primary key. On SQLite it is stored WITHOUT ROWID (one B-tree instead of a rowid
 * table plus a primary-key index: about half the write work per row). `post` keeps its rowid, the key of
 * its full-text index.
 */
function keyed(db: AnyDb, d: Dialect, name: string): CreateTableBuilder<string, never> {
  const t = db.schema.createTable(name)
  return d === 'sqlite' ? t.modifyEnd(sql`without rowid`) : t
}

async function subjectTable(db: AnyDb, d: Dialect, name: string, withSubjectCid: boolean): Promise<void> {
  let t = keyed(db, d, name)
    .addColumn('uri', 'text', (c) => c.primaryKey())
    .addColumn('cid', 'text', (c) => c.notNull())
    .addColumn('creator', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
  if (withSubjectCid) t = t.addColumn('subject_cid', 'text')
  await t
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('indexed_at', 'text', (c) => c.notNull())
    .addColumn('sort_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex(`${name}_subject_idx`).on(name).columns(['subject', 'creator']).execute()
  await db.schema.createIndex(`${name}_creator_idx`).on(name).columns(['creator', 'subject']).execute()
  await db.schema.createIndex(`${name}_creator_sort_idx`).on(name).columns(['creator', 'sort_at']).execute()
  await db.schema.createIndex(`${name}_subject_sort_idx`).on(name).columns(['subject', 'sort_at']).execute()
}

async function core(db: AnyDb, d: Dialect): Promise<void> {
  await keyed(db, d, 'actor')
    .addColumn('did', 'text', (c) => c.primaryKey())
    .addColumn('handle', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('indexed_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('actor_handle_idx').on('actor').column('handle').execute()
  await keyed(db, d, 'record')
    .addColumn('uri', 'text', (c) => c.primaryKey())
    .addColumn('cid', 'text', (c) => c.notNull())
    .addColumn('did', 'text', (c) => c.notNull())
    .addColumn('collection', 'text', (c) => c.notNull())
    .addColumn('rkey', 'text', (c) => c.notNull())
    .addColumn('json', 'text', (c) => c.notNull())
    .addColumn('indexed_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('record_did_idx').on('record').columns(['did', 'collection']).execute()
  await keyed(db, d, 'profile')
    .addColumn('did', 'text', (c) => c.primaryKey())
    .addColumn('uri', 'text', (c) => c.notNull())
    .addColumn('cid', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('description', 'text')
    .addColumn('avatar_cid', 'text')
    .addColumn('banner_cid', 'text')
    .addColumn('pinned_post', 'text')
    .addColumn('pinned_post_cid', 'text')
    .addColumn('created_at', 'text')
    .addColumn('indexed_at', 'text', (c) => c.notNull())
    .execute()
}

async function posts(db: AnyDb, d: Dialect): Promise<void> {
  await db.schema
    .createTable('post')
    .addColumn('uri', 'text', (c) => c.primaryKey())
    .addColumn('cid', 'text', (c) => c.notNull())
    .addColumn('creator', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('indexed_at', 'text', (c) => c.notNull())
    .addColumn('sort_at', 'text', (c) => c.notNull())
    .addColumn('reply_root', 'text')
    .addColumn('reply_root_cid', 'text')
    .addColumn('reply_parent', 'text')
    .addColumn('reply_parent_cid', 'text')
    .addColumn('embed_uri', 'text')
    .addColumn('embed_cid', 'text')
    .addColumn('embed_type', 'text')
    .addColumn('media_type', 'text')
    .addColumn('langs', 'text')
    .execute()
  await db.schema.createIndex('post_creator_sort_idx').on('post').columns(['creator', 'sort_at']).execute()
  await db.schema.createIndex('post_parent_idx').on('post').column('reply_parent').execute()
  await db.schema.createIndex('post_root_idx').on('post').column('reply_root').execute()
  await db.schema.createIndex('post_embed_idx').on('post').columns(['embed_uri', 'sort_at']).execute()
  await keyed(db, d, 'feed_item')
    .addColumn('uri', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('post_uri', 'text', (c) => c.notNull())
    .addColumn('originator', 'text', (c) => c.notNull())
    .addColumn('sort_at', 'text', (c) => c.notNull())
    .execute()
  // Covers the timeline and author-feed scans entirely (no table lookups).
  await db.schema
    .createIndex('feed_item_originator_idx')
    .on('feed_item')
    .columns(['originator', 'sort_at', 'uri', 'type', 'post_uri'])
    .execute()
  await db.schema.createIndex('feed_item_post_idx').on('feed_item').column('post_uri').execute()
  await keyed(db, d, 'post_ref')
    .addColumn('uri', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('post_ref_pk', ['uri', 'kind', 'value'])
    .execute()
  await db.schema.createIndex('post_ref_value_idx').on('post_ref').columns(['kind', 'value']).execute()
}

async function graph(db: AnyDb, d: Dialect): Promise<void> {
  await subjectTable(db, d, 'like', true)
  await subjectTable(db, d, 'repost', true)
  await subjectTable(db, d, 'follow', false)
  await subjectTable(db, d, 'block', false)
  await subjectTable(db, d, 'list_block', false)
  await keyed(db, d, 'list')
    .addColumn('uri', 'text', (c) => c.primaryKey())
    .addColumn('cid', 'text', (c) => c.notNull())
    .addColumn('creator', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('indexed_at', 'text', (c) => c.notNull())
    .addColumn('sort_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('list_creator_idx').on('list').columns(['creator', 'sort_at']).execute()
  await keyed(db, d, 'list_item')
    .addColumn('uri', 'text', (c) => c.primaryKey())
    .addColumn('cid', 'text', (c) => c.notNull())
    .addColumn('creator', 'text', (c) => c.notNull())
    .addColumn('list_uri', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('indexed_at', 'text', (c) => c.notNull())
    .addColumn('sort_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('list_item_list_idx').on('list_item').columns(['list_uri', 'sort_at']).execute()
  await db.schema.createIndex('list_item_subject_idx').on('list_item').columns(['subject', 'list_uri']).execute()
  for (const name of ['threadgate', 'postgate']) {
    await keyed(db, d, name)
      .addColumn('uri', 'text', (c) => c.primaryKey())
      .addColumn('cid', 'text', (c) => c.notNull())
      .addColumn('creator', 'text', (c) => c.notNull())
      .addColumn('post_uri', 'text', (c) => c.notNull())
      .addColumn('indexed_at', 'text', (c) => c.notNull())
      .execute()
    await db.schema.createIndex(`${name}_post_idx`).on(name).column('post_uri').execute()
  }
  await keyed(db, d, 'feed_generator')
    .addColumn('uri', 'text', (c) => c.primaryKey())
    .addColumn('cid', 'text', (c) => c.notNull())
    .addColumn('creator', 'text', (c) => c.notNull())
    .addColumn('feed_did', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('indexed_at', 'text', (c) => c.notNull())
    .addColumn('sort_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('feed_generator_creator_idx')
    .on('feed_generator')
    .columns(['creator', 'sort_at'])
    .execute()
}

async function aggregatesAndPrivate(db: AnyDb, d: Dialect): Promise<void> {
  await keyed(db, d, 'record_agg')
    .addColumn('uri', 'text', (c) => c.primaryKey())
    .addColumn('like_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('repost_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reply_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('quote_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await keyed(db, d, 'actor_agg')
    .addColumn('did', 'text', (c) => c.primaryKey())
    .addColumn('followers_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('follows_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('posts_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await keyed(db, d, 'mute')
    .addColumn('muter', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mute_pk', ['muter', 'subject'])
    .execute()
  await keyed(db, d, 'notification')
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('record_uri', 'text', (c) => c.notNull())
    .addColumn('record_cid', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('reason_subject', 'text')
    .addColumn('sort_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_pk', ['recipient', 'record_uri', 'reason'])
    .execute()
  await db.schema
    .createIndex('notification_recipient_idx')
    .on('notification')
    .columns(['recipient', 'sort_at'])
    .execute()
  await db.schema.createIndex('notification_record_idx').on('notification').column('record_uri').execute()
  await keyed(db, d, 'notification_seen')
    .addColumn('did', 'text', (c) => c.primaryKey())
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .execute()
  await keyed(db, d, 'sync_cursor')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute()
  await keyed(db, d, 'sync_repo')
    .addColumn('did', 'text', (c) => c.primaryKey())
    .addColumn('rev', 'text', (c) => c.notNull())
    .addColumn('data', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .execute()
}

async function fullText(db: AnyDb, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') {
    await sql`create virtual table post_fts using fts5(text, tokenize = 'unicode61 remove_diacritics 2')`.execute(db)
  } else {
    await sql`create index post_text_fts_idx on post using gin (to_tsvector('simple', text))`.execute(db)
  }
}

/**
 * 002: fewer index entries written per indexed record (each costs a B-tree insert, and at scale one page
 * rewritten per commit):
 * - notification: primary key (record_uri, reason, recipient), which also serves deletes by record, so the
 *   separate record_uri index goes; readers use (recipient, sort_at).
 * - like/repost/follow/block/list_block: (subject, sort_at, uri, creator) replaces both (subject, sort_at)
 *   and (subject, creator): it pages subject lists in (sort_at, uri) order and covers count(distinct creator)
 *   per subject.
 * - record (SQLite): the (did, collection) index goes; a DID's records are the primary-key range
 *   'at://<did>/'…'at://<did>0' (see indexing/util.ts didRecordRange). PostgreSQL keeps it: its text order
 *   follows the database collation, which need not be bytewise.
 */
async function fewerIndexes(db: AnyDb, d: Dialect): Promise<void> {
  await db.schema.alterTable('notification').renameTo('notification_old').execute()
  await keyed(db, d, 'notification')
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('record_uri', 'text', (c) => c.notNull())
    .addColumn('record_cid', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('reason_subject', 'text')
    .addColumn('sort_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_record_pk', ['record_uri', 'reason', 'recipient'])
    .execute()
  await sql`insert into notification select * from notification_old`.execute(db)
  await db.schema.dropTable('notification_old').execute()
  await db.schema
    .createIndex('notification_recipient_idx')
    .on('notification')
    .columns(['recipient', 'sort_at'])
    .execute()
  for (const name of ['like', 'repost', 'follow', 'block', 'list_block']) {
    await db.schema.dropIndex(`${name}_subject_idx`).execute()
    await db.schema.dropIndex(`${name}_subject_sort_idx`).execute()
    await db.schema
      .createIndex(`${name}_subject_sort_idx`)
      .on(name)
      .columns(['subject', 'sort_at', 'uri', 'creator'])
      .execute()
  }
  if (d === 'sqlite') await db.schema.dropIndex('record_did_idx').execute()
}

export function appViewMigrations(dialect: Dialect): Record<string, Migration> {
  return {
    '001-appview': {
      async up(db) {
        await core(db, dialect)
        await posts(db, dialect)
        await graph(db, dialect)
        await aggregatesAndPrivate(db, dialect)
        await fullText(db, dialect)
      },
    },
    '002-fewer-indexes': { up: (db) => fewerIndexes(db, dialect) },
  }
}
