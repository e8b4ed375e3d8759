/**
 * The `scope` claim values of session JWTs, as the official PDS issues them (clients never parse them, but
 * tokens must stay interchangeable). App-password scopes are issued by part 2; they are listed so the
 * verifier already knows which scopes may call which methods.
 */
export const AuthScope = {
  Access: 'com.atproto.access',
  Refresh: 'com.atproto.refresh',
  AppPass: 'com.atproto.appPass',
  AppPassPrivileged: 'com.atproto.appPassPrivileged',
  SignupQueued: 'com.atproto.signupQueued',
  Takendown: 'com.atproto.takendown',
} as const
export type AuthScope = (typeof AuthScope)[keyof typeof AuthScope]

/** Full account access (account management, security settings). */
export const ACCESS_FULL: readonly AuthScope[] = [AuthScope.Access]
/** Full access or a privileged app password (e.g. DMs). */
export const ACCESS_PRIVILEGED: readonly AuthScope[] = [...ACCESS_FULL, AuthScope.AppPassPrivileged]
/** What ordinary methods (record writes, reads) accept. */
export const ACCESS_STANDARD: readonly AuthScope[] = [...ACCESS_PRIVILEGED, AuthScope.AppPass]

const ALL = new Set<string>(Object.values(AuthScope))
export function isAuthScope(s: unknown): s is AuthScope {
  return typeof s === 'string' && ALL.has(s)
}
