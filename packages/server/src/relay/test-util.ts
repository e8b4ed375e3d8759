/**
 * Builders of upstream event-stream frames for the relay's tests and benchmark (never imported by the
 * service): an in-memory account (key, repository) that makes real signed commits, and the #commit,
 * #sync, #identity and #account frames a PDS would send for it. `tamper` options produce the hostile
 * variants (wrong key, broken proof, replayed rev) the relay must drop.
 */
import { Secp256k1Keypair, randomBytes } from '@stratus/core/crypto'
import { type CID, writeCarBytes } from '@stratus/core/data'
import {
  type CommitData,
  MemoryBlockStore,
  type RecordWrite,
  Repo,
  decodeCommit,
  encodeCommit,
  signCommit,
} from '@stratus/core/repo'
import { nextTid } from '@stratus/core/syntax'
import type { DidDocument } from '@stratus/core/identity'
import { encodeFrame } from '@stratus/core/xrpc'

export class TestAccount {
  repo: Repo
  readonly keypair: Secp256k1Keypair

  constructor(
    readonly did: string,
    keypair?: Secp256k1Keypair,
  ) {
    this.keypair = keypair ?? Secp256k1Keypair.create({ exportable: true })
    this.repo = Repo.create(new MemoryBlockStore(), did, this.keypair)
  }

  get signingKey(): string {
    return this.keypair.did()
  }

  /** Makes (and applies) the next commit. */
  commit(writes: RecordWrite[]): CommitData {
    const { repo, commit } = this.repo.applyWrites(writes, this.keypair)
    this.repo = repo
    return commit
  }

  /** A commit creating `n` small posts (at a chosen rev, e.g. one in the future). */
  post(n = 1, text = 'hello', rev?: string): CommitData {
    const writes: RecordWrite[] = []
    for (let i = 0; i < n; i++) {
      writes.push({
        action: 'create',
        collection: 'app.bsky.feed.post',
        rkey: nextTid(),
        record: { $type: 'app.bsky.feed.post', text: `${text} ${i}`, createdAt: new Date().toISOString() },
      })
    }
    const { repo, commit } = this.repo.applyWrites(writes, this.keypair, rev ? { rev } : {})
    this.repo = repo
    return commit
  }
}

export interface CommitFrameOptions {
  seq: number
  /** Sign with this key instead of the account's. */
  signWith?: Secp256k1Keypair
  /** Replace the signature with random bytes. */
  forgeSignature?: boolean
  /** Replace prevData (breaks the proof or the chain). */
  prevData?: CID | null
  /** Drop the carried blocks other than the commit (breaks the proof). */
  stripBlocks?: boolean
  time?: string
}

/** The #commit body for a commit, optionally tampered with. */
export function commitBody(c: CommitData, opts: CommitFrameOptions): Record<string, unknown> {
  let commitCid = c.cid
  let list = [...c.eventBlocks]
  if (opts.signWith) {
    const forged = encodeCommit(
      signCommit({ did: c.did, version: 3, data: c.data, rev: c.rev, prev: null }, opts.signWith),
    )
    commitCid = forged.cid
    list = [forged, ...list.filter((b) => !b.cid.equals(c.cid))]
  }
  if (opts.forgeSignature) {
    const original = decodeCommit(c.eventBlocks.get(c.cid) as Uint8Array)
    const forged = encodeCommit({ ...original, sig: randomBytes(64) })
    commitCid = forged.cid
    list = [forged, ...list.filter((b) => !b.cid.equals(c.cid))]
  }
  if (opts.stripBlocks) list = list.filter((b) => b.cid.equals(commitCid))
  return {
    seq: opts.seq,
    rebase: false,
    tooBig: false,
    repo: c.did,
    commit: commitCid,
    rev: c.rev,
    since: c.since,
    blocks: writeCarBytes([commitCid], list),
    ops: c.ops,
    blobs: [],
    prevData: opts.prevData === undefined ? (c.prevData ?? undefined) : (opts.prevData ?? undefined),
    time: opts.time ?? new Date().toISOString(),
  }
}

export function commitFrame(c: CommitData, opts: CommitFrameOptions): Uint8Array {
  return encodeFrame({ op: 1, t: '#commit' }, commitBody(c, opts))
}

/** A #sync frame for the account's current commit. */
export function syncFrame(account: TestAccount, seq: number): Uint8Array {
  const bytes = account.repo.store.get(account.repo.cid) as Uint8Array
  return encodeFrame(
    { op: 1, t: '#sync' },
    {
      seq,
      did: account.did,
      rev: account.repo.rev,
      blocks: writeCarBytes([account.repo.cid], [{ cid: account.repo.cid, bytes }]),
      time: new Date().toISOString(),
    },
  )
}

export function identityFrame(did: string, seq: number, handle?: string): Uint8Array {
  return encodeFrame({ op: 1, t: '#identity' }, { seq, did, time: new Date().toISOString(), handle })
}

export function accountFrame(did: string, seq: number, active: boolean, status?: string): Uint8Array {
  return encodeFrame({ op: 1, t: '#account' }, { seq, did, time: new Date().toISOString(), active, status })
}

/** A DID document naming `signingKey` (did:key) and the PDS at `pdsUrl`. */
export function didDoc(did: string, signingKey: string, pdsUrl: string, handle?: string): DidDocument {
  return {
    '@context': ['https://www.w3.org/ns/did/v1'],
    id: did,
    alsoKnownAs: handle ? [`at://${handle}`] : [],
    verificationMethod: [
      {
        id: `${did}#atproto`,
        type: 'Multikey',
        controller: did,
        publicKeyMultibase: signingKey.slice('did:key:'.length),
      },
    ],
    service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: pdsUrl }],
  }
}

/** DID resolution from a map (tests and benchmarks without a PLC directory). */
export class StubResolver {
  readonly docs = new Map<string, DidDocument>()
  lookups = 0

  set(doc: DidDocument): void {
    this.docs.set(doc.id, doc)
  }

  async resolveNoCache(did: string): Promise<DidDocument | null> {
    this.lookups++
    return this.docs.get(did) ?? null
  }
}
