/**
 * com.atproto.repo.getRecord: a record of an account hosted here, from the record index (400
 * RecordNotFound when absent, when `cid` names a version that is not the current one, when the record is
 * taken down or the account is not active). Repositories hosted elsewhere are not proxied yet (part 2).
 *
 * The hottest read of a PDS, so everything comes from ONE statement (account row, its status fields, the
 * record's CID and block, the record takedown): one snapshot without a BEGIN/COMMIT pair, and one native
 * call instead of six. It applies the same rules as the takedown-aware `ctx.repo.getRecord`
 * (admin/index.ts: inactive account or taken-down record → not found), which the tests of both check.
 * Answers found are also kept serialised, keyed by the database's version (changes made here plus commits
 * by other connections): a repeated read costs a version check instead of the statement and the JSON.
 */
import { CID, decodeCbor, lexStringify } from '@stratus/core/data'
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { isAccountActive } from '../accounts/store.ts'
import type { PdsContext } from '../context.ts'
import { repoOf } from '../repo/handler-util.ts'
import { recordUri } from '../repo/records.ts'

interface Params {
  repo: string
  collection: string
  rkey: string
  cid?: string
}

interface Row {
  did: string
  takedown_ref: string | null
  deactivated_at: string | null
  status: string | null
  cid: Uint8Array | null
  bytes: Uint8Array | null
  taken: number | null
  n: number
  v: number
}

// Changes made through this connection, and commits by any other connection to the file: while both stay
// the same, no row the lookup reads can have changed, so its answer cannot have either.
const VERSION_COLUMNS = 'total_changes() AS n, (SELECT data_version FROM pragma_data_version) AS v'
const VERSION = `SELECT ${VERSION_COLUMNS}`
// Parameters: collection, rkey, collection, rkey, then the DID or the (lowercased) handle. The record is
// the same join records.ts getRecord reads.
const lookup = (by: 'did' | 'handle') => `
  SELECT a.did, a.takedown_ref, a.deactivated_at, a.status, r.cid, b.bytes,
    (SELECT 1 FROM record_takedown t WHERE t.uri = 'at://' || a.did || '/' || ? || '/' || ?) AS taken,
    ${VERSION_COLUMNS}
  FROM account a
  LEFT JOIN record r ON r.did = a.did AND r.collection = ? AND r.rkey = ?
  LEFT JOIN repo_root rr ON rr.did = a.did
  LEFT JOIN repo_block b ON b.repo = rr.id AND b.cid = r.cid
  WHERE a.${by} = ?`
const BY_DID = lookup('did')
const BY_HANDLE = lookup('handle')
/** Answers kept (a few hundred bytes each: ~10 MB when full); oldest first out. */
const CACHE_SIZE = 16_384

interface Answer {
  version: string
  uri: string
  cid: string
  body: Uint8Array
}

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  // The serialised answers of recent lookups. Between requests the CPU caches are cold and the lookup costs
  // ~25 µs; the version check (no table read) ~15 µs, and a miss pays nothing extra (the lookup returns the
  // version too). Only found records are kept.
  const answers = new Map<string, Answer>()
  router.query('com.atproto.repo.getRecord', ({ params }) => {
    const p = params as unknown as Params
    repoOf(ctx)
    const key = `${p.repo} ${p.collection} ${p.rkey}`
    // Inside an open transaction (an async one elsewhere) rows may still roll back: no version holds.
    const open = ctx.db.sqlite.inTransaction
    let a = open ? undefined : answers.get(key)
    if (a && a.version !== version(ctx.db.stmt(VERSION).get() as Row)) a = undefined
    if (!a) {
      const found = getRecord(ctx, p)
      const body = utf8.encode(lexStringify({ uri: found.uri, cid: found.cid, value: found.value }))
      a = { version: found.version, uri: found.uri, cid: found.cid, body }
      answers.delete(key)
      if (!open) {
        if (answers.size >= CACHE_SIZE) answers.delete(answers.keys().next().value as string)
        answers.set(key, a)
      }
    }
    if (p.cid !== undefined && a.cid !== p.cid) {
      throw new InvalidRequestError(`Could not locate record: ${a.uri}`, 'RecordNotFound')
    }
    return { encoding: 'application/json', body: a.body }
  })
}

const utf8 = new TextEncoder()

function getRecord(ctx: PdsContext, { repo, collection, rkey }: Params) {
  const isDid = repo.startsWith('did:')
  const row = ctx.db
    .stmt(isDid ? BY_DID : BY_HANDLE)
    .get(collection, rkey, collection, rkey, isDid ? repo : repo.toLowerCase()) as Row | undefined
  if (!row) throw new InvalidRequestError(`Could not find repo: ${repo}`)
  const uri = recordUri(row.did, collection, rkey)
  const found = row.bytes !== null && row.cid !== null && row.taken === null && isAccountActive(row)
  const cidStr = found ? CID.decode(view(row.cid as Uint8Array)).toString() : ''
  if (!found) throw new InvalidRequestError(`Could not locate record: ${uri}`, 'RecordNotFound')
  const value = decodeCbor(view(row.bytes as Uint8Array))
  return { uri, cid: cidStr, value, version: version(row) }
}

const version = (v: { n: number; v: number }) => `${v.n}:${v.v}`

const view = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
