/**
 * Backfill: download a whole repository from its PDS (`com.atproto.sync.getRepo`, streamed), verify it
 * completely (CAR hashes, commit signature with the account's current key, DID, tree structure; see
 * repo/verify.ts), and turn it into record events against what the application already holds: creates
 * for new paths, updates for changed CIDs, deletes for paths the repository no longer has, nothing for
 * records that are unchanged. Without the held set every record is a create and nothing is deleted.
 *
 * Not done here: deciding when to backfill (sync.ts), retries with backoff (sync.ts).
 */
import { decodeCbor } from '../data/index.ts'
import { RepoVerificationError, type VerifiedRepo, parseDataKey, verifyRepoCarStream } from '../repo/index.ts'
import { XrpcClient } from '../xrpc/index.ts'
import type { CompiledFilter } from './filter.ts'
import type { SyncIdentity } from './identity.ts'
import type { RecordEvent } from './types.ts'

export interface FetchRepoOptions {
  fetch?: typeof fetch
  signal?: AbortSignal
  /** Largest CAR accepted, bytes; default 1 GiB. */
  maxBytes?: number
}

async function* chunks(stream: ReadableStream<Uint8Array>, maxBytes: number): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader()
  let total = 0
  try {
    while (true) {
      const { done, value } = await reader.read()
      if (done) return
      total += value.byteLength
      if (total > maxBytes) throw new RepoVerificationError('too-large', `repository CAR exceeds ${maxBytes} bytes`)
      yield value
    }
  } finally {
    reader.cancel().catch(() => {})
  }
}

async function download(did: string, pds: string, signingKey: string, opts: FetchRepoOptions): Promise<VerifiedRepo> {
  const client = new XrpcClient({ service: pds, fetch: opts.fetch })
  const res = await client.query<ReadableStream<Uint8Array>>(
    'com.atproto.sync.getRepo',
    { did },
    { responseType: 'stream', signal: opts.signal },
  )
  if (!res.data) throw new RepoVerificationError('bad-car', 'getRepo returned no body')
  return verifyRepoCarStream(chunks(res.data, opts.maxBytes ?? 1024 ** 3), { did, signingKey })
}

/** Downloads and verifies `did`'s repository from its PDS (re-resolving the identity once on a bad signature). */
export async function fetchRepo(
  did: string,
  identity: SyncIdentity,
  opts: FetchRepoOptions = {},
): Promise<VerifiedRepo> {
  const pds = await identity.pds(did)
  const key = await identity.signingKey(did)
  try {
    return await download(did, pds, key, opts)
  } catch (err) {
    if (!(err instanceof RepoVerificationError) || err.code !== 'bad-signature') throw err
    const fresh = await identity.signingKey(did, true)
    if (fresh === key) throw err
    return download(did, await identity.pds(did), fresh, opts)
  }
}

/** The record events that bring `held` (path → CID string) to the repository's contents. */
export function* backfillEvents(
  repo: VerifiedRepo,
  held: Map<string, string> | undefined,
  filter: CompiledFilter,
): Generator<RecordEvent> {
  const did = repo.did
  const rev = repo.rev
  const seen = new Set<string>()
  for (const { key, cid } of repo.entries) {
    if (!filter.wantsPath(key)) continue
    seen.add(key)
    const cidStr = cid.toString()
    const before = held?.get(key)
    if (before === cidStr) continue
    const { collection, rkey } = parseDataKey(key)
    let record: ReturnType<typeof decodeCbor>
    try {
      record = decodeCbor(repo.store.get(cid) as Uint8Array)
    } catch {
      continue // a record that is not DAG-CBOR cannot be delivered; the tree itself verified
    }
    const type = before === undefined ? 'create' : 'update'
    yield { type, did, collection, rkey, uri: `at://${did}/${key}`, cid, record, rev, source: 'backfill' }
  }
  if (!held) return
  for (const key of held.keys()) {
    if (seen.has(key) || !filter.wantsPath(key)) continue
    const { collection, rkey } = parseDataKey(key)
    yield { type: 'delete', did, collection, rkey, uri: `at://${did}/${key}`, rev, source: 'backfill' }
  }
}
