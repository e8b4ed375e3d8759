/** The account lookups shared by the per-repo sync queries, with the spec's error names. */
import { XRPCError } from '@stratus/core/xrpc'
import type { RelayContext } from '../context.ts'
import type { AccountState } from '../state/accounts.ts'

export async function knownAccount(ctx: RelayContext, did: string): Promise<AccountState> {
  const s = await ctx.accounts.get(did)
  if (!s) throw new XRPCError(400, 'RepoNotFound', `Could not find repo for DID: ${did}`)
  return s
}

/** Throws RepoTakendown / RepoSuspended / RepoDeactivated (or RepoNotFound) unless the account is active. */
export function assertActive(s: AccountState): void {
  const status = s.relayStatus ?? (s.upstreamStatus === 'active' ? null : s.upstreamStatus)
  if (status === null) return
  if (status === 'takendown') throw new XRPCError(400, 'RepoTakendown', `Repo has been takendown: ${s.did}`)
  if (status === 'suspended') throw new XRPCError(400, 'RepoSuspended', `Repo has been suspended: ${s.did}`)
  if (status === 'deleted') throw new XRPCError(400, 'RepoNotFound', `Repo has been deleted: ${s.did}`)
  throw new XRPCError(400, 'RepoDeactivated', `Repo has been deactivated: ${s.did}`)
}
