/**
 * Turns errors into sentences a person can act on. XRPC errors carry a spec name ('InvalidPassword',
 * 'HandleNotAvailable', …): the well-known ones get our own wording, others fall back to the server's
 * message (servers write those for humans) and only then to the bare name. Network failures say which
 * server could not be reached.
 */
import { XRPCError } from '@stratus/core/xrpc'

const MESSAGES: Record<string, string> = {
  AuthenticationRequired: 'Wrong handle or password. Check both and try again.',
  InvalidPassword: 'Wrong handle or password. Check both and try again.',
  AccountTakedown: 'This account has been taken down by the server’s moderators.',
  AccountDeactivated: 'This account is deactivated. Reactivate it before signing in.',
  ExpiredToken: 'Your session has expired. Please sign in again.',
  InvalidToken: 'Your session is no longer valid. Please sign in again.',
  HandleNotAvailable: 'That handle is already taken. Try another one.',
  UnsupportedDomain: 'This server does not offer handles under that domain.',
  InvalidHandle: 'That handle is not valid. Use letters, numbers and hyphens, e.g. alice.test.',
  InvalidEmail: 'That email address does not look right.',
  InvalidInviteCode: 'That invite code is not valid or has been used up.',
  InvitesRequired: 'This server needs an invite code to sign up.',
  IncompatibleDidDoc: 'The server could not set up your identity. Try again in a moment.',
  RateLimitExceeded: 'Too many requests. Wait a minute and try again.',
  BlobTooLarge: 'That image is too large for the server.',
  PayloadTooLarge: 'That upload is too large for the server.',
  InvalidMimeType: 'That file type is not accepted. Use a JPEG, PNG, GIF or WebP image.',
  RecordNotFound: 'That post or record no longer exists.',
  NotFound: 'Not found: it may have been deleted.',
  ProfileNotFound: 'There is no profile with that handle.',
  ActorNotFound: 'There is no account with that handle.',
  BlockedActor: 'You cannot see this account because of a block.',
  BlockedByActor: 'This account has blocked you.',
  UnknownFeed: 'That feed does not exist, or its feed generator is not reachable.',
  MethodNotImplemented: 'The server does not support this feature yet.',
  UpstreamFailure: 'A server behind the PDS did not answer. Try again in a moment.',
  UpstreamTimeout: 'A server behind the PDS took too long to answer. Try again in a moment.',
  InternalServerError: 'The server ran into a problem. Try again in a moment.',
  NotEnoughResources: 'The server is busy. Try again in a moment.',
}

export function describeError(err: unknown): string {
  if (err instanceof XRPCError) {
    if (err.error === 'UpstreamFailure' && /request to .* failed/.test(err.message)) {
      const origin = err.message.match(/request to (\S+) failed/)?.[1] ?? 'the server'
      return `Could not reach ${origin}. Check that it is running and try again.`
    }
    if (err.error === 'InvalidRequest' && err.message) return sentence(err.message)
    const known = MESSAGES[err.error]
    if (known) return known
    if (err.message && err.message !== err.error) return sentence(err.message)
    return `Something went wrong (${err.error}, HTTP ${err.status}).`
  }
  if (err instanceof Error) {
    if (err.name === 'AbortError') return 'The request was cancelled.'
    return sentence(err.message || 'Something went wrong.')
  }
  return 'Something went wrong.'
}

/** Whether the error means the session is gone (the app then returns to the sign-in screen). */
export function isSessionError(err: unknown): boolean {
  return err instanceof XRPCError && ['ExpiredToken', 'InvalidToken', 'AuthMissing'].includes(err.error)
}

function sentence(s: string): string {
  const t = s.trim()
  if (!t) return 'Something went wrong.'
  const first = t[0].toUpperCase() + t.slice(1)
  return /[.!?]$/.test(first) ? first : `${first}.`
}
