/**
 * The signed-in session as kept in localStorage: the PDS's access and refresh tokens plus who they belong
 * to, so a reload (or another tab) stays signed in. Tokens are legacy password-session JWTs
 * (com.atproto.server.createSession); OAuth replaces this later. Does NOT check the tokens: the PDS
 * does, and the agent refreshes or drops the session when it answers ExpiredToken/InvalidToken.
 */

export interface StoredSession {
  did: string
  handle: string
  email?: string
  accessJwt: string
  refreshJwt: string
  /** The PDS these tokens were issued by. */
  service: string
  /** The account's PDS according to its DID document, when the server sent one. */
  pdsFromDidDoc?: string
}

const KEY = 'stratus.session.v1'

export function loadSession(): StoredSession | null {
  try {
    const raw = localStorage.getItem(KEY)
    if (!raw) return null
    const s = JSON.parse(raw) as Partial<StoredSession>
    if (typeof s.did !== 'string' || typeof s.accessJwt !== 'string' || typeof s.refreshJwt !== 'string') return null
    if (typeof s.handle !== 'string' || typeof s.service !== 'string') return null
    return s as StoredSession
  } catch {
    return null // storage disabled or corrupt: behave as signed out
  }
}

export function saveSession(s: StoredSession | null): void {
  try {
    if (s) localStorage.setItem(KEY, JSON.stringify(s))
    else localStorage.removeItem(KEY)
  } catch {
    // private mode without storage: the session lasts until the tab closes
  }
}

/** Calls `fn` when another tab signs in or out. Returns the unsubscribe function. */
export function onStoredSessionChange(fn: (s: StoredSession | null) => void): () => void {
  const listener = (e: StorageEvent) => {
    if (e.key === KEY) fn(loadSession())
  }
  window.addEventListener('storage', listener)
  return () => window.removeEventListener('storage', listener)
}

/** The `#atproto_pds` service endpoint of a DID document, if it has one. */
export function pdsEndpoint(didDoc: unknown): string | undefined {
  const services = (didDoc as { service?: unknown })?.service
  if (!Array.isArray(services)) return undefined
  for (const s of services) {
    const id = (s as { id?: unknown })?.id
    const endpoint = (s as { serviceEndpoint?: unknown })?.serviceEndpoint
    if (
      (id === '#atproto_pds' || (typeof id === 'string' && id.endsWith('#atproto_pds'))) &&
      typeof endpoint === 'string'
    ) {
      return endpoint
    }
  }
  return undefined
}
