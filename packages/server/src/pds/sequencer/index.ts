/**
 * The firehose: the event log (`repo_event`), live fan-out, replay for cursors, pruning, and the relay
 * crawl request. `ctx.sequencer` is a {@link Sequencer}.
 *
 * Appending — synchronous, called INSIDE the caller's `ctx.db.transact(…)` so an event commits atomically
 * with the change it announces (called outside a transaction, each call runs in one of its own):
 *   ctx.sequencer.sequenceCommit(did, commitData)          // #commit (sync 1.1), returns seq
 *   ctx.sequencer.sequenceSync(did, commitCid, rev, bytes?) // #sync; the commit block is read from ctx.repo if omitted
 *   ctx.sequencer.sequenceIdentity(did, handle?)           // #identity
 *   ctx.sequencer.sequenceAccount(did, active, status?)    // #account
 * Account creation sequences #identity, #account (active), then #commit, in that order, in the account
 * transaction (the repo module's accountCreated hook does it).
 *
 * Waking live subscribers: nothing to call. Every append schedules a poll on a microtask, which runs after
 * the caller's synchronous transaction has committed; the poll reads the new rows once and hands the
 * stored frame bytes to every subscriber. `notify()` exists for callers that write `repo_event` some other
 * way; rows written by another process (the CLI) are picked up by a 1 s fallback poll.
 *
 * Not done here: the write-path limits (≤ 200 ops, blocks ≤ 2 MB, frame ≤ 5 MB) are re-checked when a
 * commit is sequenced (FirehoseLimitError aborts the transaction) but the write path must refuse earlier.
 */
import type { CID } from '@stratus/core/data'
import type { PdsContext } from '../context.ts'
import { requestCrawl } from './crawl.ts'
import { Sequencer } from './sequencer.ts'

export { Sequencer, type SequencerOptions, DEFAULT_RETENTION_MS } from './sequencer.ts'
export { Broadcaster, LiveQueue, type BroadcasterLimits, DEFAULT_BROADCASTER_LIMITS } from './broadcaster.ts'
export { EventStore, type StoredEvent } from './store.ts'
export {
  FirehoseLimitError,
  MAX_BLOCKS_BYTES,
  MAX_COMMIT_OPS,
  MAX_FRAME_BYTES,
  accountFrame,
  commitFrame,
  identityFrame,
  infoFrame,
  syncFrame,
  type EventType,
} from './events.ts'
export { requestCrawl } from './crawl.ts'

/** What the sequencer reads from the repo slot (the commit block of a #sync event). */
interface BlockSource {
  blockStore(did: string): { get(cid: CID): Uint8Array | undefined }
}

/** Builds ctx.sequencer and registers its background work (pruning; requestCrawl once the server listens). */
export function installSequencer(ctx: PdsContext): Sequencer {
  const sequencer = new Sequencer(ctx.db, {
    retentionMs: ctx.cfg.firehoseRetentionMs,
    getBlock: (did, cid) => (ctx.repo as BlockSource | undefined)?.blockStore(did).get(cid),
    onError: (err) => ctx.logger.error({ err }, 'sequencer background task failed'),
  })
  ctx.sequencer = sequencer
  ctx.hooks.started.push(() => {
    sequencer.start()
    // Not awaited: a relay that is down must not delay or fail the start.
    // host of the public URL: includes the port when it is not the default (dev networks on loopback)
    void requestCrawl(ctx.cfg.crawlers, new URL(ctx.cfg.publicUrl).host, ctx.logger)
  })
  ctx.hooks.closing.push(() => sequencer.close())
  return sequencer
}
