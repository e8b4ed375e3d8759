/**
 * A fake network for this folder's tests (never imported by the module): accounts with real repositories
 * and keys, their firehose messages, and a `fetch` that answers PLC lookups and getRepo, so every
 * verification path of the kit runs on real bytes without sockets.
 */
import { toBase32 } from '../bytes/index.ts'
import { type Keypair, Secp256k1Keypair, formatMultikey } from '../crypto/index.ts'
import { writeCarBytes } from '../data/index.ts'
import { type CommitData, MemoryBlockStore, type RecordWrite, Repo, exportRepoCarBytes } from '../repo/index.ts'
import { DidResolver } from '../identity/index.ts'
import type { CommitMessage } from './messages.ts'
import { SyncIdentity } from './identity.ts'

export const PLC = 'https://plc.test'
export const PDS = 'https://pds.test'

export interface FakeAccount {
  did: string
  handle: string
  key: Keypair
  store: MemoryBlockStore
  repo: Repo
}

export class FakeNetwork {
  readonly accounts = new Map<string, FakeAccount>()
  seq = 0
  getRepoCalls: string[] = []

  /** An account whose repository already exists (its first commit was never streamed). */
  account(name: string): FakeAccount {
    return this.genesis(name).acct
  }

  /** A new account and the #commit message of its first commit (since null), with optional records. */
  genesis(name: string, writes: RecordWrite[] = []): { acct: FakeAccount; msg: CommitMessage } {
    const did = `did:plc:${toBase32(new TextEncoder().encode(name.padEnd(15, 'x'))).slice(0, 24)}`
    const key = Secp256k1Keypair.create()
    const store = new MemoryBlockStore()
    const data = Repo.formatInit(store, did, key, writes)
    store.applyCommit(data)
    const acct = { did, handle: `${name}.test`, key, store, repo: Repo.load(store, data.cid) }
    this.accounts.set(did, acct)
    return { acct, msg: this.message(data) }
  }

  /** A commit signed by `key` that the account's repository never gets (a forgery in the stream). */
  forge(acct: FakeAccount, writes: RecordWrite[], key: Keypair): CommitMessage {
    return this.message(acct.repo.formatCommit(writes, key))
  }

  /** Applies writes to the account's repository and returns the #commit message (not delivered anywhere). */
  commit(acct: FakeAccount, writes: RecordWrite[], signWith?: Keypair): CommitMessage {
    const data = acct.repo.formatCommit(writes, signWith ?? acct.key)
    acct.repo = acct.repo.applyCommit(data)
    return this.message(data)
  }

  message(data: CommitData): CommitMessage {
    return {
      type: 'commit',
      seq: ++this.seq,
      repo: data.did,
      commit: data.cid,
      rev: data.rev,
      since: data.since,
      blocks: writeCarBytes([data.cid], data.eventBlocks),
      ops: data.ops,
      prevData: data.prevData,
      tooBig: false,
      time: new Date().toISOString(),
    }
  }

  didDoc(acct: FakeAccount): unknown {
    return {
      '@context': ['https://www.w3.org/ns/did/v1'],
      id: acct.did,
      alsoKnownAs: [`at://${acct.handle}`],
      verificationMethod: [
        {
          id: `${acct.did}#atproto`,
          type: 'Multikey',
          controller: acct.did,
          publicKeyMultibase: formatMultikey(acct.key.jwtAlg, acct.key.publicKeyBytes()),
        },
      ],
      service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: PDS }],
    }
  }

  fetch: typeof fetch = async (input) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
    if (url.origin === PLC) {
      const acct = this.accounts.get(decodeURIComponent(url.pathname.slice(1)))
      if (!acct) return new Response('not found', { status: 404 })
      return Response.json(this.didDoc(acct))
    }
    if (url.origin === PDS && url.pathname === '/xrpc/com.atproto.sync.getRepo') {
      const did = url.searchParams.get('did') as string
      this.getRepoCalls.push(did)
      const acct = this.accounts.get(did)
      if (!acct) return Response.json({ error: 'RepoNotFound', message: 'no repo' }, { status: 400 })
      const car = exportRepoCarBytes(acct.store, acct.repo.cid)
      return new Response(car as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'application/vnd.ipld.car' } })
    }
    return new Response('no route', { status: 404 })
  }

  identity(): SyncIdentity {
    const didResolver = new DidResolver({ plcUrl: PLC, fetch: this.fetch, dns: null })
    return new SyncIdentity({
      didResolver,
      resolveHandle: async (h) => [...this.accounts.values()].find((a) => a.handle === h)?.did,
    })
  }
}

export function post(rkey: string, text: string): RecordWrite {
  return {
    action: 'create',
    collection: 'app.bsky.feed.post',
    rkey,
    record: { $type: 'app.bsky.feed.post', text, createdAt: '2024-01-01T00:00:00.000Z' },
  }
}

export async function* fromArray<T>(items: T[]): AsyncGenerator<T> {
  for (const i of items) yield i
}
