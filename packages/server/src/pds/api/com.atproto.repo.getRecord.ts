/**
 * com.atproto.repo.getRecord: a record of an account hosted here, from the record index (400
 * RecordNotFound when absent, when `cid` names a version that is not the current one, when the record is
 * taken down or the account is not active). Repositories hosted elsewhere are not proxied yet (part 2).
 *
 * The hottest read of a PDS, so everything comes from ONE statement (account row, its status fields, the
 * record's CID and block, the record takedown): one snapshot without a BEGIN/COMMIT pair, and one native
 * call instead of six. It applies the same rules as the takedown-aware `ctx.repo.getRecord`
 * (admin/index.ts: inactive account or taken-down record → not found), which the tests of both check.
 *
 * No cache of answers: one keyed by the database's version is correct, but every write in the file (any
 * account's records, sessions, the firehose log) invalidates all of it, so on a live PDS it would hardly
 * ever hit; it saved ~11 µs of ~160 µs server CPU per call only in a loop of reads with no writes between.
 */
import { CID, decodeCbor } from '@stratus/core/data'
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
}

// Parameters: collection, rkey, collection, rkey, then the DID or the (lowercased) handle. The record is
// the same join records.ts getRecord reads.
const lookup = (by: 'did' | 'handle') => `
  SELECT a.did, a.takedown_ref, a.deactivated_at, a.status, r.cid, b.bytes,
    (SELECT 1 FROM record_takedown t WHERE t.uri = 'at://' || a.did || '/' || ? || '/' || ?) AS taken
  FROM account a
  LEFT JOIN record r ON r.did = a.did AND r.collection = ? AND r.rkey = ?
  LEFT JOIN repo_root rr ON rr.did = a.did
  LEFT JOIN repo_block b ON b.repo = rr.id AND b.cid = r.cid
  WHERE a.${by} = ?`
const BY_DID = lookup('did')
const BY_HANDLE = lookup('handle')

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query('com.atproto.repo.getRecord', ({ params }) => getRecord(ctx, params as unknown as Params))
}

function getRecord(ctx: PdsContext, { repo, collection, rkey, cid }: Params) {
  repoOf(ctx)
  const isDid = repo.startsWith('did:')
  const row = ctx.db
    .stmt(isDid ? BY_DID : BY_HANDLE)
    .get(collection, rkey, collection, rkey, isDid ? repo : repo.toLowerCase()) as Row | undefined
  if (!row) throw new InvalidRequestError(`Could not find repo: ${repo}`)
  const uri = recordUri(row.did, collection, rkey)
  const found = row.bytes !== null && row.cid !== null && row.taken === null && isAccountActive(row)
  const cidStr = found ? CID.decode(view(row.cid as Uint8Array)).toString() : ''
  if (!found || (cid !== undefined && cidStr !== cid)) {
    throw new InvalidRequestError(`Could not locate record: ${uri}`, 'RecordNotFound')
  }
  const value = decodeCbor(view(row.bytes as Uint8Array))
  return { encoding: 'application/json', body: { uri, cid: cidStr, value } }
}

const view = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
