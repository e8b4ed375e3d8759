/**
 * com.atproto.repo.importRepo's storage step: a repository CAR, already fully verified by core
 * (`verifyRepoCarStream`: block hashes, commit shape and DID, MST structure, records decode), replaces the
 * account's repository. The imported tree is kept as it is (same MST root, same record CIDs) under a new
 * commit signed with the account's own key and a fresh rev, so the stored repository always verifies
 * against this PDS's signing key; the firehose gets a `#sync` event for it. The record index and blob links
 * are rebuilt; blobs the records reference but nobody uploaded yet are what listMissingBlobs reports.
 *
 * Not checked (as the official PDS): the old commit's signature (an account moving here was signed by its
 * previous PDS's key) and record contents against lexicons.
 */
import { BlobRef, type LexValue, toBlobRef } from '@stratus/core/data'
import type { Keypair } from '@stratus/core/crypto'
import { type CommitData, type RepoRoot, type VerifiedRepo, encodeCommit, signCommit } from '@stratus/core/repo'
import { nextTid } from '@stratus/core/syntax'
import { InvalidRequestError } from '@stratus/core/xrpc'
import { readRoot } from './block-store.ts'
import { clearRecordIndex, indexRecord } from './records.ts'
import type { PdsRepo } from './service.ts'

export function importRepo(
  repo: PdsRepo,
  did: string,
  verified: VerifiedRepo,
  keypair: Keypair,
): { cid: string; rev: string } {
  if (verified.did !== did) throw new InvalidRequestError(`The repository is for ${verified.did}, not ${did}`)
  const records = [...verified.records()]
  let removed: string[] = []
  const commit = repo.db.transact(() => {
    const root = readRoot(repo.db, did)
    const commit = importCommit(verified, keypair, root)
    const store = repo.blockStore(did)
    store.clearBlocks()
    clearRecordIndex(repo.db, did)
    store.applyCommit(commit)
    const now = new Date().toISOString()
    const links: { collection: string; rkey: string; cids: string[] }[] = []
    for (const r of records) {
      indexRecord(
        repo.db,
        did,
        { collection: r.collection, rkey: r.rkey, cid: r.cid, record: r.value },
        commit.rev,
        now,
        true,
      )
      const cids = importedBlobCids(r.value)
      if (cids.length > 0) links.push({ collection: r.collection, rkey: r.rkey, cids })
    }
    removed = repo.blobs.replaceLinks(did, links)
    const commitBytes = commit.newBlocks.get(commit.cid)
    repo.deps.sequencer()?.sequenceSync(did, commit.cid, commit.rev, commitBytes)
    return commit
  })
  repo.forget(did)
  repo.blobs.removeFiles(did, removed)
  return { cid: commit.cid.toString(), rev: commit.rev }
}

/**
 * The CommitData that writes the verified tree, under a new signed commit, into a store whose blocks were
 * cleared (its head, if any, is `prev`: only the root row survives the clearing).
 */
function importCommit(verified: VerifiedRepo, keypair: Keypair, root: RepoRoot | null): CommitData {
  const rev = root ? nextTid(root.rev) : nextTid()
  const base = verified.toImportCommit()
  const signed = encodeCommit(
    signCommit({ did: verified.did, version: 3, data: verified.commit.data, rev, prev: null }, keypair),
  )
  base.newBlocks.delete(verified.commitCid)
  base.newBlocks.add(signed)
  return { ...base, cid: signed.cid, rev, since: root?.rev ?? null, prev: root?.cid ?? null }
}

/** Blob CIDs a stored record references, typed or legacy (`{cid, mimeType}`); malformed ones ignored. */
export function importedBlobCids(value: LexValue): string[] {
  const out = new Set<string>()
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const v = stack.pop()
    if (v instanceof BlobRef) {
      out.add(v.ref.toString())
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item)
    } else if (
      typeof v === 'object' &&
      v !== null &&
      !(v instanceof Uint8Array) &&
      Object.getPrototypeOf(v) === Object.prototype
    ) {
      const o = v as Record<string, unknown>
      const ref = o.$type === 'blob' || (typeof o.cid === 'string' && Object.keys(o).length === 2) ? toBlobRef(o) : null
      if (ref) out.add(ref.ref.toString())
      else for (const key in o) stack.push(o[key])
    }
  }
  return [...out]
}
