/**
 * Handle changes (com.atproto.identity.updateHandle, admin updateAccountHandle, bring-your-own-DID sign-up):
 * a handle under one of the PDS's domains follows the sign-up rules (accounts/handle.ts; admins may skip
 * the length and reserved-name rules); any other domain must already resolve to the account's DID (DNS TXT
 * or https well-known), which is how people use their own domain.
 *
 * `updateHandle` then writes the new handle into the DID (did:plc: an operation signed with the PDS
 * rotation key; did:web: the document must already claim it), stores it — the old handle is free from
 * that moment, /.well-known/atproto-did stops answering it — and sequences `#identity`, in one
 * transaction. Setting the handle the account already has re-announces it (clients use that to refresh).
 */
import { PlcClientError } from '@stratus/core/plc'
import { InvalidSyntaxError, isValidTld, normalizeAndEnsureValidHandle } from '@stratus/core/syntax'
import { InvalidRequestError, UpstreamFailureError } from '@stratus/core/xrpc'
import { validateServiceHandle } from '../accounts/handle.ts'
import { getAccountByHandle, isUniqueViolation } from '../accounts/store.ts'
import type { PdsContext } from '../context.ts'

export interface HandleCheckOptions {
  /** Admins: service-domain handles of any length, reserved names allowed. */
  allowAnyValid?: boolean
}

/** The normalized handle `did` may use, or the createAccount lexicon's errors. */
export async function checkHandleFor(
  ctx: PdsContext,
  input: unknown,
  did: string,
  opts: HandleCheckOptions = {},
): Promise<string> {
  if (typeof input !== 'string') throw new InvalidRequestError('handle is required', 'InvalidHandle')
  let handle: string
  try {
    handle = normalizeAndEnsureValidHandle(input)
  } catch (err) {
    if (err instanceof InvalidSyntaxError) throw new InvalidRequestError(err.message, 'InvalidHandle')
    throw err
  }
  if (!isValidTld(handle)) throw new InvalidRequestError('Handle TLD is invalid or disallowed', 'InvalidHandle')
  const domains = ctx.cfg.handleDomains
  if (domains.some((d) => handle.endsWith(d) || handle === d.slice(1))) {
    if (opts.allowAnyValid) return handle
    return validateServiceHandle(handle, domains)
  }
  const resolved = await ctx.idResolver.handle.resolve(handle, { forceRefresh: true }).catch(() => undefined)
  if (resolved !== did) throw new InvalidRequestError('External handle did not resolve to DID', 'InvalidHandle')
  return handle
}

/** Handles being changed right now in this process (between the PLC update and the row update). */
const inFlight = new WeakMap<object, Set<string>>()

export async function updateHandle(
  ctx: PdsContext,
  did: string,
  input: unknown,
  opts: HandleCheckOptions = {},
): Promise<string> {
  const handle = await checkHandleFor(ctx, input, did, opts)
  const owner = getAccountByHandle(ctx.db, handle)
  if (owner && owner.did !== did) throw new InvalidRequestError(`Handle already taken: ${handle}`, 'HandleNotAvailable')
  const pending = inFlight.get(ctx.db) ?? new Set<string>()
  inFlight.set(ctx.db, pending)
  if (pending.has(handle)) throw new InvalidRequestError(`Handle already taken: ${handle}`, 'HandleNotAvailable')
  pending.add(handle)
  try {
    if (!owner) await writeHandleToDid(ctx, did, handle)
    try {
      ctx.db.transact(() => {
        ctx.db.stmt('UPDATE account SET handle = ? WHERE did = ?').run(handle, did)
        ctx.sequencer?.sequenceIdentity(did, handle)
      })
    } catch (err) {
      if (isUniqueViolation(err)) throw new InvalidRequestError(`Handle already taken: ${handle}`, 'HandleNotAvailable')
      throw err
    }
  } finally {
    pending.delete(handle)
  }
  await ctx.idResolver.did.refresh(did).catch(() => undefined)
  ctx.logger.info({ did, handle }, 'handle updated')
  return handle
}

async function writeHandleToDid(ctx: PdsContext, did: string, handle: string): Promise<void> {
  if (did.startsWith('did:plc:')) {
    try {
      await ctx.plc.updateHandle(did, ctx.keys.rotationKey, handle)
    } catch (err) {
      ctx.logger.error({ err, did, handle }, 'PLC directory did not accept the handle update')
      const detail = err instanceof PlcClientError ? `: ${err.message}` : ''
      throw new UpstreamFailureError(`Could not update the DID with the PLC directory${detail}`)
    }
    return
  }
  const data = await ctx.idResolver.did.resolveAtprotoData(did, true).catch(() => undefined)
  if (data?.handle !== handle) throw new InvalidRequestError('DID is not properly configured for handle')
}
