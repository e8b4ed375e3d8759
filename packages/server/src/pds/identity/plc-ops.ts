/**
 * The PLC side of moving an account (com.atproto.identity.*):
 *   recommendedCredentials  what the DID must say for this PDS to host the account (our rotation key, the
 *                           account's signing key, our URL, the handle) — asked by the NEW PDS
 *   signPlcOperation        signs an update of the DID with the PDS rotation key, authorised by the code
 *                           mailed by requestPlcOperationSignature — asked of the OLD PDS, which still holds
 *                           a rotation key
 *   submitPlcOperation      checks a signed operation points the DID at this PDS (rotation key, endpoint,
 *                           signing key, handle) and sends it to the directory, then `#identity` — asked of
 *                           the NEW PDS
 * The directory checks signatures and history; this module checks only what makes an operation right
 * for this PDS. Field contents the client passes to signPlcOperation are checked for shape only.
 */
import { type Operation, PlcClientError, createUpdateOp, parseIncomingOperation } from '@stratus/core/plc'
import { INVALID_HANDLE } from '@stratus/core/syntax'
import { InvalidRequestError, UpstreamFailureError } from '@stratus/core/xrpc'
import { assertEmailToken, deleteEmailToken } from '../accounts/email-tokens.ts'
import { getAccountByDid } from '../accounts/store.ts'
import type { PdsContext } from '../context.ts'

export interface DidCredentials {
  rotationKeys: string[]
  alsoKnownAs?: string[]
  verificationMethods: Record<string, string>
  services: Record<string, { type: string; endpoint: string }>
}

export function recommendedCredentials(ctx: PdsContext, did: string): DidCredentials {
  const account = getAccountByDid(ctx.db, did)
  const rotationKeys = [ctx.cfg.recoveryDidKey, ctx.keys.rotationKey.did()].filter((k): k is string => !!k)
  const out: DidCredentials = {
    rotationKeys,
    verificationMethods: { atproto: ctx.signingKey(did).did() },
    services: { atproto_pds: { type: 'AtprotoPersonalDataServer', endpoint: ctx.cfg.publicUrl } },
  }
  if (account?.handle) out.alsoKnownAs = [`at://${account.handle}`]
  return out
}

export interface SignPlcInput {
  token?: unknown
  rotationKeys?: unknown
  alsoKnownAs?: unknown
  verificationMethods?: unknown
  services?: unknown
}

export async function signPlcOperation(ctx: PdsContext, did: string, input: SignPlcInput): Promise<Operation> {
  if (typeof input.token !== 'string' || input.token === '') {
    throw new InvalidRequestError('email confirmation token required to sign PLC operations')
  }
  assertEmailToken(ctx.db, did, 'plc_operation', input.token)
  if (!did.startsWith('did:plc:')) throw new InvalidRequestError('Only did:plc identities are signed here')
  const lastOp = await ctx.plc.getLastOp(did).catch(upstream)
  if (lastOp.type === 'plc_tombstone') throw new InvalidRequestError('Did is tombstoned')
  const op = createUpdateOp(lastOp, ctx.keys.rotationKey, (prev) => ({
    ...prev,
    rotationKeys: (input.rotationKeys as string[] | undefined) ?? prev.rotationKeys,
    alsoKnownAs: (input.alsoKnownAs as string[] | undefined) ?? prev.alsoKnownAs,
    verificationMethods: (input.verificationMethods as Record<string, string> | undefined) ?? prev.verificationMethods,
    services: (input.services as DidCredentials['services'] | undefined) ?? prev.services,
  }))
  try {
    parseIncomingOperation(op)
  } catch (err) {
    throw new InvalidRequestError(`Invalid operation: ${(err as Error).message}`)
  }
  deleteEmailToken(ctx.db, did, 'plc_operation')
  return op
}

export async function submitPlcOperation(ctx: PdsContext, did: string, input: unknown): Promise<void> {
  let op: ReturnType<typeof parseIncomingOperation>
  try {
    op = parseIncomingOperation(input)
  } catch {
    throw new InvalidRequestError('Invalid operation')
  }
  if (op.type !== 'plc_operation') throw new InvalidRequestError('Invalid operation')
  if (!op.rotationKeys.includes(ctx.keys.rotationKey.did())) {
    throw new InvalidRequestError("Rotation keys do not include server's rotation key")
  }
  const pds = op.services.atproto_pds
  if (pds?.type !== 'AtprotoPersonalDataServer') throw new InvalidRequestError('Incorrect type on atproto_pds service')
  if (pds.endpoint !== ctx.cfg.publicUrl) throw new InvalidRequestError('Incorrect endpoint on atproto_pds service')
  if (op.verificationMethods.atproto !== ctx.signingKey(did).did())
    throw new InvalidRequestError('Incorrect signing key')
  const account = getAccountByDid(ctx.db, did)
  if (account?.handle && op.alsoKnownAs[0] !== `at://${account.handle}`) {
    throw new InvalidRequestError('Incorrect handle in alsoKnownAs')
  }
  await ctx.plc.sendOperation(did, op).catch(upstream)
  ctx.sequencer?.sequenceIdentity(did, account?.handle ?? INVALID_HANDLE)
  await ctx.idResolver.did.refresh(did).catch(() => undefined)
}

function upstream(err: unknown): never {
  if (err instanceof PlcClientError && err.status >= 400 && err.status < 500) {
    throw new InvalidRequestError(`PLC directory refused the operation: ${err.message}`)
  }
  throw new UpstreamFailureError(`PLC directory unavailable: ${(err as Error).message}`)
}
