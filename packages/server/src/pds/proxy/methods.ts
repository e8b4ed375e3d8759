/**
 * Which methods the proxy may forward, and with which credentials (NSIDs compared case-blind, as the
 * official PDS does).
 *
 * PROTECTED: account management — never proxied, and no service-auth token is ever minted for them
 * (getServiceAuth refuses). Everything under com.atproto.server.* and com.atproto.admin.* is protected, plus
 * the identity methods that change or sign the DID. One exception for tokens: createAccount, because
 * moving an account to another PDS means proving the DID to it (`lxm` = createAccount, privileged).
 * PRIVILEGED: methods an ordinary app password may not reach through the proxy (direct messages); a full
 * session or a privileged app password may.
 */

const PROTECTED_PREFIXES = ['com.atproto.server.', 'com.atproto.admin.']
const PROTECTED = new Set(
  [
    'com.atproto.identity.requestPlcOperationSignature',
    'com.atproto.identity.signPlcOperation',
    'com.atproto.identity.submitPlcOperation',
    'com.atproto.identity.updateHandle',
    'com.atproto.repo.importRepo',
  ].map((m) => m.toLowerCase()),
)

export function isProtectedMethod(nsid: string): boolean {
  const m = nsid.toLowerCase()
  return PROTECTED.has(m) || PROTECTED_PREFIXES.some((p) => m.startsWith(p))
}

export function isPrivilegedMethod(nsid: string): boolean {
  const m = nsid.toLowerCase()
  return m.startsWith('chat.bsky.') || m === 'com.atproto.server.createaccount'
}

/** The service that handles `nsid` when the request names none: a moderation service or the AppView. */
export function defaultServiceKind(nsid: string): 'moderation' | 'appview' {
  const m = nsid.toLowerCase()
  if (m === 'com.atproto.moderation.createreport' || m.startsWith('tools.ozone.')) return 'moderation'
  return 'appview'
}

/** May getServiceAuth mint a token bound to `lxm`? */
export function mayMintServiceAuth(lxm: string): boolean {
  return !isProtectedMethod(lxm) || lxm.toLowerCase() === 'com.atproto.server.createaccount'
}
