/** Shared shapes of the repo module: record operations, commit results, record writes. */
import type { Block, CID } from '../data/index.ts'
import type { BlockMap } from './block-map.ts'

/** One record operation as carried in a firehose `#commit` event (`com.atproto.sync.subscribeRepos#repoOp`). */
export interface RepoOp {
  action: 'create' | 'update' | 'delete'
  /** `collection/rkey`. */
  path: string
  /** New record CID; null for deletes. */
  cid: CID | null
  /** Previous record CID, for updates and deletes (sync 1.1). */
  prev?: CID
}

/**
 * A write requested by a client; the record is a data-model value (see data/ `LexValue`). `block`: the
 * record already encoded by the caller (trusted to match `record`), so it is not encoded twice.
 */
export type RecordWrite =
  | { action: 'create'; collection: string; rkey: string; record: unknown; block?: Block }
  | { action: 'update'; collection: string; rkey: string; record: unknown; block?: Block }
  | { action: 'delete'; collection: string; rkey: string }

/** Everything a commit changes, computed before anything is stored. */
export interface CommitData {
  did: string
  /** CID of the new signed commit block. */
  cid: CID
  rev: string
  /** rev of the previous commit (null for the first). */
  since: string | null
  /** CID of the previous commit block (null for the first). */
  prev: CID | null
  /** New MST root. */
  data: CID
  /** Previous MST root (null for the first commit). */
  prevData: CID | null
  /** Record operations in the order they were applied. */
  ops: RepoOp[]
  /** Blocks the store may lack: new MST nodes, record blocks of creates/updates, the commit. */
  newBlocks: BlockMap
  /** CIDs of the MST nodes the commit added (all in newBlocks). */
  newNodes: CID[]
  /** CIDs of the MST nodes no longer in the tree. */
  removedNodes: CID[]
  /**
   * The exact block set of the firehose `#commit` event: the commit, new MST nodes, covering proofs of
   * every op key in the new tree, and record blocks of creates/updates (what sync 1.1 inversion needs).
   */
  eventBlocks: BlockMap
}

export type { Block }
