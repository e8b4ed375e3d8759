/**
 * What the com.atproto.sync.* handlers read, and the availability rules they share.
 *
 * The repository and blob slots belong to the repo module; the reads used here (per the PDS shared plan)
 * are declared as {@link RepoReader} and {@link BlobReader} so the sync handlers depend on those methods
 * only. Availability follows the official PDS: unknown DID → RepoNotFound; taken down → RepoTakendown;
 * deactivated → RepoDeactivated (all 400), except for the account itself or an admin, who may still read.
 */
import type { CID } from '@stratus/core/data'
import type { ReadableBlockStore } from '@stratus/core/repo'
import { InvalidRequestError, XRPCError } from '@stratus/core/xrpc'
import { type AccountRow, getAccountByDid } from '../accounts/store.ts'
import { AuthScope } from '../auth/scopes.ts'
import type { AuthVerifier } from '../../http/index.ts'
import type { AccessCredentials, AdminCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'

export interface BlobInfo {
  mimeType: string
  size: number
  stream(): ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>
}

export interface BlobReader {
  /** CIDs of blobs referenced by the account's records (since: only those linked by commits after that rev). */
  listBlobs(did: string, opts: { since?: string; cursor?: string; limit: number }): CID[]
  /** A blob referenced by a record of the account, else null. */
  getBlob(did: string, cid: CID): BlobInfo | null | Promise<BlobInfo | null>
}

export interface RepoReader {
  getRoot(did: string): { cid: CID; rev: string } | null
  blockStore(did: string): ReadableBlockStore
}

export type SyncAuth = AccessCredentials | AdminCredentials | undefined

/** Optional credentials: the owner (even taken down) or an admin may read an unavailable repo. */
export function syncAuth(ctx: PdsContext): AuthVerifier<SyncAuth> {
  return ctx.auth.optional({
    scopes: [AuthScope.Access, AuthScope.AppPass, AuthScope.AppPassPrivileged, AuthScope.Takendown],
  })
}

export function repoReader(ctx: PdsContext): RepoReader {
  const repo = ctx.repo as Partial<RepoReader> | undefined
  if (!repo?.getRoot || !repo.blockStore)
    throw new XRPCError(501, 'MethodNotImplemented', 'Repositories are not available')
  return repo as RepoReader
}

export function blobReader(ctx: PdsContext): BlobReader {
  for (const slot of [ctx.repo, ctx.blobs] as Array<Partial<BlobReader> | undefined>) {
    if (slot?.getBlob && slot.listBlobs) return slot as BlobReader
  }
  throw new XRPCError(501, 'MethodNotImplemented', 'Blobs are not available')
}

/** The account if its repository may be served to `auth`; the spec's errors otherwise. */
export function assertRepoAvailable(ctx: PdsContext, did: string, auth: SyncAuth): AccountRow {
  const account = getAccountByDid(ctx.db, did)
  if (!account) throw new InvalidRequestError(`Could not find repo for DID: ${did}`, 'RepoNotFound')
  const privileged = auth?.type === 'admin' || (auth?.type === 'access' && auth.did === did)
  if (privileged) return account
  if (account.takedown_ref) throw new InvalidRequestError(`Repo has been takendown: ${did}`, 'RepoTakendown')
  if (account.deactivated_at) throw new InvalidRequestError(`Repo has been deactivated: ${did}`, 'RepoDeactivated')
  return account
}

/** The head of an available repository (RepoNotFound when the account has none). */
export function repoRoot(ctx: PdsContext, did: string): { cid: CID; rev: string } {
  const root = repoReader(ctx).getRoot(did)
  if (!root) throw new InvalidRequestError(`Could not find root for DID: ${did}`, 'RepoNotFound')
  return root
}
