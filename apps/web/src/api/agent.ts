/**
 * The app's one connection to the PDS: the core XRPC client, typed by the generated lexicon method maps,
 * with the password session layered on top. Every call carries the access token; when the PDS answers
 * ExpiredToken the agent refreshes once (com.atproto.server.refreshSession, shared by concurrent
 * callers) and retries; if the refresh fails the session is dropped and listeners hear `null`.
 * app.bsky.* calls go to the PDS too, which forwards them to its AppView (as the official client does).
 *
 * Does NOT validate responses against lexicons (the types are a promise, not a check) and does not
 * follow an account to another PDS: the app talks to the one PDS it was configured with.
 */
import { fromBase64Url, utf8Decode } from '@stratus/core/bytes'
import type { Procedures, Queries } from '@stratus/core/lexicon/generated'
import { type CallOptions, XRPCError, XrpcClient } from '@stratus/core/xrpc'
import { type StoredSession, loadSession, onStoredSessionChange, pdsEndpoint, saveSession } from './session.ts'

export type QueryName = keyof Queries
export type ProcedureName = keyof Procedures
type Params<T> = T extends { params: infer P } ? Partial<P> & Record<string, unknown> : never
type Input<T> = T extends { input: infer I } ? I | Blob : never
type Output<T> = T extends { output: infer O } ? O : never

interface SessionOutput {
  did: string
  handle: string
  email?: string
  accessJwt: string
  refreshJwt: string
  didDoc?: unknown
}

export interface SignUpInput {
  handle: string
  email: string
  password: string
  inviteCode?: string
}

type Listener = (s: StoredSession | null) => void

export class Agent {
  readonly service: string
  readonly #xrpc: XrpcClient
  readonly #listeners = new Set<Listener>()
  #session: StoredSession | null
  #refreshing: Promise<void> | null = null

  constructor(service: string) {
    this.service = service
    const stored = loadSession()
    this.#session = stored && stored.service === service ? stored : null
    this.#xrpc = new XrpcClient({
      service,
      headers: (): Record<string, string> =>
        this.#session ? { authorization: `Bearer ${this.#session.accessJwt}` } : {},
    })
    onStoredSessionChange((s) => this.#set(s && s.service === service ? s : null, false))
  }

  get session(): StoredSession | null {
    return this.#session
  }

  /** The signed-in DID; throws when signed out (screens behind the sign-in gate only). */
  get did(): string {
    if (!this.#session) throw new XRPCError(401, 'AuthMissing', 'You are not signed in.')
    return this.#session.did
  }

  subscribe(fn: Listener): () => void {
    this.#listeners.add(fn)
    return () => this.#listeners.delete(fn)
  }

  async query<N extends QueryName>(
    nsid: N,
    params?: Params<Queries[N]>,
    opts?: CallOptions,
  ): Promise<Output<Queries[N]>> {
    return this.#authed(async () => (await this.#xrpc.query(nsid, params, opts)).data)
  }

  async procedure<N extends ProcedureName>(
    nsid: N,
    input?: Input<Procedures[N]>,
    opts?: CallOptions & { params?: Record<string, unknown> },
  ): Promise<Output<Procedures[N]>> {
    return this.#authed(async () => (await this.#xrpc.procedure(nsid, input as never, opts)).data)
  }

  async signIn(identifier: string, password: string): Promise<void> {
    const res = await this.#xrpc.procedure<SessionOutput>('com.atproto.server.createSession', { identifier, password })
    this.#set(this.#fromOutput(res.data))
  }

  async signUp(input: SignUpInput): Promise<void> {
    const body: Record<string, string> = { handle: input.handle, email: input.email, password: input.password }
    if (input.inviteCode) body.inviteCode = input.inviteCode
    const res = await this.#xrpc.procedure<SessionOutput>('com.atproto.server.createAccount', body)
    this.#set(this.#fromOutput(res.data))
  }

  async signOut(): Promise<void> {
    const s = this.#session
    this.#set(null)
    if (!s) return
    // Revoking the refresh token is a courtesy; being signed out locally is what matters.
    await this.#xrpc
      .procedure('com.atproto.server.deleteSession', undefined, {
        headers: { authorization: `Bearer ${s.refreshJwt}` },
      })
      .catch(() => {})
  }

  /** Checks a stored session against the PDS on startup (refreshing it if needed) and updates handle/email. */
  async resume(): Promise<void> {
    if (!this.#session) return
    const data = await this.query('com.atproto.server.getSession')
    const s = this.#session
    if (!s) return
    const pds = pdsEndpoint(data.didDoc) ?? s.pdsFromDidDoc
    this.#set({ ...s, handle: data.handle, email: data.email, pdsFromDidDoc: pds })
  }

  async refresh(): Promise<void> {
    this.#refreshing ??= this.#doRefresh().finally(() => {
      this.#refreshing = null
    })
    return this.#refreshing
  }

  async #doRefresh(): Promise<void> {
    const s = this.#session
    if (!s) throw new XRPCError(401, 'AuthMissing', 'You are not signed in.')
    try {
      const res = await this.#xrpc.procedure<SessionOutput>('com.atproto.server.refreshSession', undefined, {
        headers: { authorization: `Bearer ${s.refreshJwt}` },
      })
      this.#set(this.#fromOutput(res.data))
    } catch (err) {
      // Only a definite "no" from the PDS ends the session; a network blip keeps it for the next try.
      if (err instanceof XRPCError && err.status >= 400 && err.status < 500) this.#set(null)
      throw err
    }
  }

  async #authed<T>(call: () => Promise<T>): Promise<T> {
    if (this.#session && expiresSoon(this.#session.accessJwt)) await this.refresh().catch(() => {})
    const tokenUsed = this.#session?.accessJwt
    try {
      return await call()
    } catch (err) {
      if (!(err instanceof XRPCError) || err.error !== 'ExpiredToken' || !this.#session) throw err
      if (this.#session.accessJwt === tokenUsed) await this.refresh()
      return call()
    }
  }

  #fromOutput(o: SessionOutput): StoredSession {
    return {
      did: o.did,
      handle: o.handle,
      email: o.email,
      accessJwt: o.accessJwt,
      refreshJwt: o.refreshJwt,
      service: this.service,
      pdsFromDidDoc: pdsEndpoint(o.didDoc),
    }
  }

  #set(s: StoredSession | null, persist = true): void {
    this.#session = s
    if (persist) saveSession(s)
    for (const fn of this.#listeners) fn(s)
  }
}

/** True when a JWT's `exp` is less than 10 s away (or unreadable: then the PDS decides). */
function expiresSoon(jwt: string): boolean {
  try {
    const payload = JSON.parse(utf8Decode(fromBase64Url(jwt.split('.')[1] ?? ''))) as { exp?: unknown }
    return typeof payload.exp === 'number' && payload.exp * 1000 < Date.now() + 10_000
  } catch {
    return false
  }
}
