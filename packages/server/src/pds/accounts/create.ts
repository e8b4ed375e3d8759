/**
 * Creating an account (used by com.atproto.server.createAccount and `stratus account create`):
 * validate handle/email/password, refuse taken handles and emails, make a k256 repo signing key, register
 * a did:plc at the PLC directory (signed by the PDS rotation key; rotation keys = [user recovery key?,
 * operator recovery key?, PDS key]; the PDS's public URL as `atproto_pds`; the handle as `at://` alias),
 * then write the account, its first session and whatever the `accountCreated` hooks add (repo, events) in
 * ONE transaction.
 *
 * Invite codes and bring-your-own DID (an account moving in, created deactivated, no DID registered) are
 * accounts/sign-up.ts. Not done: `plcOp` (entryway setups), email confirmation at sign-up.
 * A DID registered at the directory whose transaction then fails (a lost race for the handle) stays
 * orphaned there, as with the official PDS; an in-process reservation makes that rare.
 */
import { Secp256k1Keypair, parseDidKey } from '@stratus/core/crypto'
import { PlcClientError } from '@stratus/core/plc'
import { datetimeNow } from '@stratus/core/syntax'
import { InvalidRequestError, UpstreamFailureError } from '@stratus/core/xrpc'
import { MAX_PASSWORD_LENGTH, hashPassword } from '../auth/password.ts'
import type { PdsContext } from '../context.ts'
import { checkHandleFor } from '../identity/handle.ts'
import { validateEmail } from './email.ts'
import { withEventsMuted } from './lifecycle.ts'
import { applySignUpExtras, checkSignUpExtras } from './sign-up.ts'
import { validateServiceHandle } from './handle.ts'
import { issueTokens, type SessionTokens, storeRefreshToken } from './sessions.ts'
import { sessionSettings } from './settings.ts'
import { getAccountByEmail, getAccountByHandle, insertAccount, isUniqueViolation } from './store.ts'

export interface CreateAccountInput {
  handle?: unknown
  email?: unknown
  password?: unknown
  /** did:key placed first in the DID's rotation keys, so the user can recover without this PDS. */
  recoveryKey?: unknown
  did?: unknown
  plcOp?: unknown
  inviteCode?: unknown
}

export interface CreateAccountOptions {
  /** The DID a service-auth token on the request proved control of (bring-your-own DID). */
  requester?: string
}

export interface CreatedAccountResult extends SessionTokens {
  did: string
  handle: string
}

/** Handles being registered right now in this process (between the availability check and the insert). */
const pending = new WeakMap<object, Set<string>>()

export async function createAccount(
  ctx: PdsContext,
  input: CreateAccountInput,
  opts: CreateAccountOptions = {},
): Promise<CreatedAccountResult> {
  const extras = checkSignUpExtras(ctx, input, opts.requester)
  const { email, password, recoveryKey } = validateInput(ctx, input)
  const handle = extras.did
    ? await checkHandleFor(ctx, input.handle, extras.did)
    : validateServiceHandle(input.handle, ctx.cfg.handleDomains)
  const inFlight = pending.get(ctx.db) ?? new Set<string>()
  pending.set(ctx.db, inFlight)
  if (inFlight.has(handle)) throw new InvalidRequestError(`Handle already taken: ${handle}`, 'HandleNotAvailable')
  ensureAvailable(ctx, handle, email)
  inFlight.add(handle)
  try {
    const signingKey = Secp256k1Keypair.create({ exportable: true })
    const passwordHash = await hashPassword(password)
    const did = extras.did ?? (await registerDid(ctx, handle, signingKey, recoveryKey))
    const { tokens, row } = await issueTokens(sessionSettings(ctx), did)
    const createdAt = datetimeNow()
    try {
      ctx.db.transact(() => {
        insertAccount(ctx.db, {
          did,
          handle,
          email,
          passwordHash,
          signingKey: signingKey.exportPrivateKeyHex(),
          createdAt,
        })
        applySignUpExtras(ctx, extras, did, createdAt)
        storeRefreshToken(ctx.db, row)
        const account = { did, handle, email, signingKey, createdAt, active: !extras.did }
        const runHooks = () => {
          for (const hook of ctx.hooks.accountCreated) hook(account)
        }
        if (account.active) runHooks()
        else withEventsMuted(ctx, runHooks)
      })
    } catch (err) {
      if (isUniqueViolation(err)) ensureAvailable(ctx, handle, email)
      throw err
    }
    ctx.logger.info({ did, handle }, 'account created')
    return { did, handle, ...tokens }
  } finally {
    inFlight.delete(handle)
  }
}

function validateInput(_ctx: PdsContext, input: CreateAccountInput) {
  if (input.plcOp !== undefined) throw new InvalidRequestError('Unsupported input: "plcOp"')
  const email = validateEmail(input.email)
  const { password } = input
  if (typeof password !== 'string' || password === '')
    throw new InvalidRequestError('Password is required', 'InvalidPassword')
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new InvalidRequestError(
      `Password too long. Maximum length is ${MAX_PASSWORD_LENGTH} characters.`,
      'InvalidPassword',
    )
  }
  let recoveryKey: string | undefined
  if (input.recoveryKey !== undefined) {
    if (typeof input.recoveryKey !== 'string') throw new InvalidRequestError('recoveryKey must be a did:key')
    try {
      parseDidKey(input.recoveryKey)
    } catch {
      throw new InvalidRequestError('recoveryKey must be a did:key')
    }
    recoveryKey = input.recoveryKey
  }
  return { email, password, recoveryKey }
}

function ensureAvailable(ctx: PdsContext, handle: string, email: string): void {
  if (getAccountByHandle(ctx.db, handle))
    throw new InvalidRequestError(`Handle already taken: ${handle}`, 'HandleNotAvailable')
  if (getAccountByEmail(ctx.db, email)) throw new InvalidRequestError(`Email already taken: ${email}`)
}

async function registerDid(
  ctx: PdsContext,
  handle: string,
  signingKey: Secp256k1Keypair,
  recoveryKey?: string,
): Promise<string> {
  const rotationKeys = [recoveryKey, ctx.cfg.recoveryDidKey, ctx.keys.rotationKey.did()].filter((k): k is string => !!k)
  try {
    return await ctx.plc.createDid({
      signingKey: signingKey.did(),
      handle,
      pds: ctx.cfg.publicUrl,
      rotationKeys: [...new Set(rotationKeys)],
      signer: ctx.keys.rotationKey,
    })
  } catch (err) {
    ctx.logger.error({ err, handle }, 'PLC directory did not accept the new DID')
    const detail = err instanceof PlcClientError ? `: ${err.message}` : ''
    throw new UpstreamFailureError(`Could not register the DID with the PLC directory${detail}`)
  }
}
