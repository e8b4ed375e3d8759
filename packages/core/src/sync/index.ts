/**
 * # The sync kit: follow the network, verified
 *
 * Build an app that reads atproto data — a feed generator, a search index, a bot, a small AppView — without
 * writing any protocol code. The kit follows a relay's firehose (or a Jetstream-style JSON stream),
 * verifies everything, backfills accounts from their PDS, filters by collection and DID, and hands your code
 * record-level `create` / `update` / `delete` events (plus `identity` and `account` events) in stream order,
 * at least once, with a persisted cursor. Browser-safe: it runs in Node, Deno, browsers and workers.
 *
 * ```ts
 * import { createSync, MemorySyncStore } from '@stratus/core/sync'
 *
 * const sync = createSync({
 *   relay: 'https://bsky.network',                        // or jetstream: 'wss://jetstream.example/subscribe'
 *   filter: { collections: ['app.bsky.feed.post'] },       // NSIDs or 'app.bsky.*'; optional dids: [...]
 *   store: new MemorySyncStore(),                          // implement SyncStore to survive restarts
 *   onEvent: async (evt) => {
 *     if (evt.type === 'create') await index.add(evt.uri, evt.record)  // record in data-model form (CID, bytes)
 *   },
 *   // or onEvents: async (batch) => { ...one database transaction per batch... }
 * })
 * await sync.start()
 * await sync.backfillRepo('did:plc:…')                     // pull an account's existing records now
 * // …
 * await sync.stop()                                        // finishes the batch in hand, writes the cursor
 * ```
 *
 * ## What you get
 * - `RecordEvent` `{type: 'create'|'update'|'delete', did, collection, rkey, uri, cid?, record?, rev, source,
 *   seq?, time?}`; `IdentityEvent` `{type: 'identity', did, handle?}` (handle verified both ways, undefined
 *   if it does not check out) — also sent the first time a DID appears; `AccountEvent` `{type: 'account', did,
 *   active, status?}` (deactivated, takendown, deleted…). What you do about accounts is up to you.
 * - At least once, in order: a batch is acknowledged only after your handler resolves; if it throws, the
 *   same batch comes again. Write idempotent handlers (re-applying a create or delete changes nothing).
 *
 * ## What is verified (firehose)
 * Every `#commit` is checked against the repository state the kit keeps (per DID: last rev and data root):
 * commit signature by the account's current key (resolved from its DID document; re-resolved once on
 * failure), the sync 1.1 proof (the ops inverted on the carried blocks give `prevData`), and that
 * `prevData` is the data root of the last commit applied. Old revisions are skipped. A repository seen for
 * the first time, a broken chain, a failed check, a `tooBig` commit or a `#sync` with a different tree
 * triggers a resync: `getRepo` from the account's PDS, fully verified, turned into exact creates/updates/
 * deletes against what you hold (if your store implements `listRecords`). JSON streams carry no proofs:
 * their events are as trustworthy as the stream's operator (backfills from the PDS are still verified).
 *
 * ## Going faster
 * - `verifier`: a `CommitVerifier` proves commits (signature + sync 1.1 inversion, `proveCommit`) as they are
 *   read, e.g. on worker threads, while your handler works on earlier batches; the result is matched with
 *   the repository state in stream order, so what is verified does not change. `@stratus/core/sync/prove`
 *   exports `proveCommit` alone, for worker threads that need not load the whole kit.
 * - `persistInHandler`: your `onEvents(events, ack)` stores `ack.cursor` and `ack.repos` in the same
 *   transaction as the events (exactly once in effect across crashes, one commit per batch).
 *
 * ## Not done here
 * Lexicon validation of records (use `@stratus/core/lexicon`), parallel processing of different accounts
 * (events are handled one batch at a time, in order; a resync holds the stream while it downloads),
 * persistence (bring a SyncStore).
 */
export { createSync, Sync, type BatchAck, type SyncOptions, type SyncStats } from './sync.ts'
export type {
  AccountEvent,
  EventSource,
  IdentityEvent,
  RecordEvent,
  RepoState,
  SyncEvent,
  SyncFilter,
  SyncStore,
} from './types.ts'
export { MemorySyncStore } from './store.ts'
export { compileFilter, type CompiledFilter } from './filter.ts'
export { SyncIdentity, IdentityUnavailableError, type SyncIdentityOptions } from './identity.ts'
export {
  parseRepoMessage,
  MessageError,
  type RepoMessage,
  type CommitMessage,
  type SyncMessage,
  type IdentityMessage,
  type AccountMessage,
  type InfoMessage,
} from './messages.ts'
export { followFirehose, firehoseUrl, type FollowOptions } from './firehose.ts'
export {
  followJetstream,
  parseJetstreamMessage,
  jetstreamUrl,
  JetstreamMessageError,
  type JetstreamEvent,
  type JetstreamOptions,
} from './jetstream.ts'
export { fetchRepo, backfillEvents, type FetchRepoOptions } from './backfill.ts'
export {
  checkCommit,
  checkSync,
  claimedPrevData,
  proveCommit,
  type CheckOutcome,
  type CommitProof,
  type CommitVerifier,
} from './repo-check.ts'
