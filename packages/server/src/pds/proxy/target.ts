/**
 * Where a proxied call goes. With an `atproto-proxy: <did>#<service id>` header: the configured AppView or
 * moderation service when the header names it, otherwise the service endpoint of that id in the DID's
 * document (resolved through ctx.idResolver; http, loopback and private addresses only in dev mode). Without the header: the
 * default for the method (proxy/methods.ts) from the configuration. The token's audience is the bare
 * service DID, as the official PDS sends it (every service accepts that form).
 */
import { assertFetchable, getServiceEndpoint, platformDns } from '@stratus/core/identity'
import { isValidDid } from '@stratus/core/syntax'
import { InvalidRequestError, MethodNotImplementedError } from '@stratus/core/xrpc'
import type { PdsConfig } from '../config.ts'
import type { PdsContext } from '../context.ts'
import { defaultServiceKind } from './methods.ts'

export interface ProxyTarget {
  /** Base URL of the service (no trailing slash). */
  url: string
  /** The service DID (the JWT audience). */
  did: string
  /** `did#id` as a client would name it. */
  ref: string
}

interface ConfiguredService {
  did: string
  id: string
  url: string
}

/** did:web for a URL's host (`http://localhost:3000` → `did:web:localhost%3A3000`). */
export function didWebForUrl(url: string): string {
  const u = new URL(url)
  return u.port ? `did:web:${u.hostname}%3A${u.port}` : `did:web:${u.hostname}`
}

/** The AppView from the configuration (its DID defaults to the did:web of its URL). */
export function configuredAppview(cfg: PdsConfig): ConfiguredService | undefined {
  if (!cfg.appviewUrl) return undefined
  return {
    did: cfg.appviewDid ?? didWebForUrl(cfg.appviewUrl),
    id: 'bsky_appview',
    url: cfg.appviewUrl.replace(/\/+$/, ''),
  }
}

export function configuredModeration(cfg: PdsConfig): ConfiguredService | undefined {
  if (!cfg.reportServiceUrl) return undefined
  const did = cfg.reportServiceDid ?? didWebForUrl(cfg.reportServiceUrl)
  return { did, id: 'atproto_labeler', url: cfg.reportServiceUrl.replace(/\/+$/, '') }
}

function fromConfig(s: ConfiguredService): ProxyTarget {
  return { url: s.url, did: s.did, ref: `${s.did}#${s.id}` }
}

/** Splits and checks an `atproto-proxy` value. */
export function parseProxyHeader(value: string): { did: string; id: string } {
  const hash = value.indexOf('#')
  if (hash <= 0)
    throw new InvalidRequestError(
      hash === 0 ? 'no did specified in proxy header' : 'no service id specified in proxy header',
    )
  const did = value.slice(0, hash)
  const id = value.slice(hash + 1)
  if (id === '' || id.includes('#')) throw new InvalidRequestError('invalid proxy header format')
  if (/\s/.test(value)) throw new InvalidRequestError('proxy header cannot contain spaces')
  if (!isValidDid(did)) throw new InvalidRequestError('proxy header names an invalid did')
  return { did, id }
}

/** The default target of each kind, made once per configuration (it is asked for on every proxied call). */
const defaults = new WeakMap<PdsConfig, Record<'moderation' | 'appview', ProxyTarget | null>>()

function defaultTarget(cfg: PdsConfig, kind: 'moderation' | 'appview'): ProxyTarget | null {
  let d = defaults.get(cfg)
  if (!d) {
    const appview = configuredAppview(cfg)
    const moderation = configuredModeration(cfg)
    d = { appview: appview ? fromConfig(appview) : null, moderation: moderation ? fromConfig(moderation) : null }
    defaults.set(cfg, d)
  }
  return d[kind]
}

export async function resolveProxyTarget(ctx: PdsContext, nsid: string, header: string | null): Promise<ProxyTarget> {
  if (header === null) {
    const kind = defaultServiceKind(nsid)
    const target = defaultTarget(ctx.cfg, kind)
    if (!target) throw new MethodNotImplementedError(`Method not implemented: ${nsid} (no ${kind} service configured)`)
    return target
  }
  const known = [configuredAppview(ctx.cfg), configuredModeration(ctx.cfg)].filter((s): s is ConfiguredService => !!s)
  const { did, id } = parseProxyHeader(header)
  const configured = known.find((s) => s.did === did && s.id === id)
  if (configured) return fromConfig(configured)
  const doc = await ctx.idResolver.did.resolve(did).catch(() => null)
  if (!doc) throw new InvalidRequestError('could not resolve proxy did')
  const url = getServiceEndpoint(doc, { id: `#${id}` })
  if (!url) throw new InvalidRequestError('could not resolve proxy did service url')
  // A DID document is anyone's to write: outside dev mode it may not point us at our own network.
  await assertFetchable(new URL(url), {
    allowPrivateNetwork: ctx.cfg.devMode,
    dns: platformDns(3000),
    timeoutMs: 3000,
  }).catch((err) => {
    throw new InvalidRequestError(`proxy service url not allowed: ${(err as Error).message}`)
  })
  return { url: url.replace(/\/+$/, ''), did, ref: `${did}#${id}` }
}
