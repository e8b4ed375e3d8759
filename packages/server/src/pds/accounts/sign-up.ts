/**
 * The part-2 rules of com.atproto.server.createAccount, kept apart from accounts/create.ts:
 *   invite codes   required when `inviteRequired` is on (InvalidInviteCode), spent in the account transaction
 *   bring-your-own DID (`did`)   an account moving in from another PDS: the request must carry a service-auth
 *                  token issued by that DID for this method (identity/service-auth.ts), no DID is registered,
 *                  and the account starts deactivated — no events until com.atproto.server.activateAccount,
 *                  after importRepo and the DID update have pointed the identity here.
 */
import { isValidDid } from '@stratus/core/syntax'
import { AuthRequiredError, InvalidRequestError } from '@stratus/core/xrpc'
import type { PdsContext } from '../context.ts'
import { ensureInviteAvailable, useInvite } from './invites.ts'
import { getAccountByDid } from './store.ts'

export interface SignUpExtras {
  /** The DID the account brings (it starts deactivated). */
  did?: string
  inviteCode?: string
}

export function checkSignUpExtras(
  ctx: PdsContext,
  input: { did?: unknown; inviteCode?: unknown },
  requester: string | undefined,
): SignUpExtras {
  const out: SignUpExtras = {}
  if (ctx.cfg.inviteRequired) {
    if (typeof input.inviteCode !== 'string' || input.inviteCode === '') {
      throw new InvalidRequestError('No invite code provided', 'InvalidInviteCode')
    }
    ensureInviteAvailable(ctx.db, input.inviteCode)
    out.inviteCode = input.inviteCode
  }
  if (input.did !== undefined) {
    if (typeof input.did !== 'string' || !isValidDid(input.did)) throw new InvalidRequestError('did must be a DID')
    if (!input.did.startsWith('did:plc:') && !input.did.startsWith('did:web:')) {
      throw new InvalidRequestError('Only did:plc and did:web are supported', 'UnresolvableDid')
    }
    if (input.did !== requester) throw new AuthRequiredError(`Missing auth to create account with did: ${input.did}`)
    if (getAccountByDid(ctx.db, input.did)) throw new InvalidRequestError('Account already exists for this DID')
    out.did = input.did
  }
  return out
}

/** Inside the account transaction, after the row is inserted. */
export function applySignUpExtras(ctx: PdsContext, extras: SignUpExtras, did: string, createdAt: string): void {
  if (extras.inviteCode) useInvite(ctx.db, extras.inviteCode, did)
  if (extras.did) ctx.db.stmt('UPDATE account SET deactivated_at = ? WHERE did = ?').run(createdAt, did)
}
