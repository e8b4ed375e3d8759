/**
 * Account status changes and the `#account` (and `#identity`, `#sync`) events that announce them, each
 * change and its events in one transaction:
 *   deactivate (the user)              → #account {active: false, status: 'deactivated'}
 *   activate (the user; the DID document must point here) → #account, #identity, #sync
 *   takedown / reversal (admin)        → #account with the resulting status
 *   operator status (suspended, desynchronized, throttled, or none) → #account
 * The status reported is always {@link accountStatus} of the row after the change, so overlapping states
 * (a deactivated account taken down, then restored) announce what is true now.
 *
 * Accounts that start inactive (bring-your-own DID) are created with {@link withEventsMuted}.
 */
import { getPdsEndpoint, getSigningKey } from '@stratus/core/identity'
import { INVALID_HANDLE, datetimeNow } from '@stratus/core/syntax'
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { PdsContext } from '../context.ts'
import { type OperatorStatus, accountStatus, getAccountByDid } from './store.ts'

/** Runs `fn` (synchronous) with ctx.sequencer absent, so hooks that sequence events emit nothing. */
export function withEventsMuted<T>(ctx: PdsContext, fn: () => T): T {
  const sequencer = ctx.sequencer
  ctx.sequencer = undefined
  try {
    return fn()
  } finally {
    ctx.sequencer = sequencer
  }
}

/** Sequences `#account` with the account's current status (inside the caller's transaction). */
export function sequenceAccountStatus(ctx: PdsContext, did: string): void {
  const { active, status } = accountStatus(getAccountByDid(ctx.db, did))
  ctx.sequencer?.sequenceAccount(did, active, status)
}

function requireAccount(ctx: PdsContext, did: string) {
  const account = getAccountByDid(ctx.db, did)
  if (!account) throw new InvalidRequestError('Account not found', 'AccountNotFound')
  return account
}

export function deactivateAccount(ctx: PdsContext, did: string, deleteAfter?: string): void {
  ctx.db.transact(() => {
    requireAccount(ctx, did)
    ctx.db
      .stmt('UPDATE account SET deactivated_at = coalesce(deactivated_at, ?), delete_after = ? WHERE did = ?')
      .run(datetimeNow(), deleteAfter ?? null, did)
    sequenceAccountStatus(ctx, did)
  })
}

/**
 * Reactivates (or activates a migrated account for the first time): the DID document must name this PDS
 * and the account's signing key. Announces the account, its identity and its current commit (#sync), as
 * the official PDS does, so relays pick the repository up again.
 */
export async function activateAccount(ctx: PdsContext, did: string): Promise<void> {
  requireAccount(ctx, did)
  await assertDidDocForService(ctx, did)
  ctx.db.transact(() => {
    const account = requireAccount(ctx, did)
    ctx.db.stmt('UPDATE account SET deactivated_at = NULL, delete_after = NULL WHERE did = ?').run(did)
    sequenceAccountStatus(ctx, did)
    ctx.sequencer?.sequenceIdentity(did, account.handle ?? INVALID_HANDLE)
    const root = ctx.repo?.getRoot(did)
    // Still inactive for another reason (taken down, suspended, …): no repository event.
    if (root && accountStatus(getAccountByDid(ctx.db, did)).active) ctx.sequencer?.sequenceSync(did, root.cid, root.rev)
  })
}

/** Takes the account down (`ref` = the reason/ticket) or restores it (`ref` null). */
export function setAccountTakedown(ctx: PdsContext, did: string, ref: string | null): void {
  ctx.db.transact(() => {
    requireAccount(ctx, did)
    ctx.db.stmt('UPDATE account SET takedown_ref = ? WHERE did = ?').run(ref, did)
    sequenceAccountStatus(ctx, did)
  })
}

export function setOperatorStatus(ctx: PdsContext, did: string, status: OperatorStatus | null): void {
  ctx.db.transact(() => {
    requireAccount(ctx, did)
    ctx.db.stmt('UPDATE account SET status = ? WHERE did = ?').run(status, did)
    sequenceAccountStatus(ctx, did)
  })
}

/**
 * Throws InvalidRequest unless the DID document names this PDS (`#atproto_pds`) and the account's signing
 * key (`#atproto`), and — for did:plc — lists our rotation key (the directory is asked, not the cache).
 */
export async function assertDidDocForService(ctx: PdsContext, did: string): Promise<void> {
  let pds: string | undefined
  let signingKey: string | undefined
  if (did.startsWith('did:plc:')) {
    const data = await ctx.plc.getDocumentData(did).catch((err) => {
      throw new InvalidRequestError(`Could not resolve DID: ${(err as Error).message}`)
    })
    if (!data.rotationKeys.includes(ctx.keys.rotationKey.did())) {
      throw new InvalidRequestError('Server rotation key not included in PLC DID data')
    }
    pds =
      data.services.atproto_pds?.type === 'AtprotoPersonalDataServer' ? data.services.atproto_pds.endpoint : undefined
    signingKey = data.verificationMethods.atproto
  } else {
    const doc = await ctx.idResolver.did.resolve(did, { forceRefresh: true }).catch(() => null)
    if (!doc) throw new InvalidRequestError('Could not resolve DID')
    pds = getPdsEndpoint(doc)
    signingKey = getSigningKey(doc)
  }
  if (pds?.replace(/\/+$/, '') !== ctx.cfg.publicUrl) {
    throw new InvalidRequestError('DID document atproto_pds service endpoint does not match PDS public url')
  }
  if (signingKey !== ctx.signingKey(did).did()) {
    throw new InvalidRequestError('DID document verification method does not match expected signing key')
  }
}

export async function isDidDocValidForService(ctx: PdsContext, did: string): Promise<boolean> {
  try {
    await assertDidDocForService(ctx, did)
    return true
  } catch {
    return false
  }
}

/** Admin: deactivate or reactivate without the DID-document check (the operator knows best). */
export function setDeactivatedByAdmin(ctx: PdsContext, did: string, deactivated: boolean): void {
  ctx.db.transact(() => {
    requireAccount(ctx, did)
    if (deactivated) {
      ctx.db
        .stmt('UPDATE account SET deactivated_at = coalesce(deactivated_at, ?) WHERE did = ?')
        .run(datetimeNow(), did)
    } else {
      ctx.db.stmt('UPDATE account SET deactivated_at = NULL, delete_after = NULL WHERE did = ?').run(did)
    }
    sequenceAccountStatus(ctx, did)
  })
}
