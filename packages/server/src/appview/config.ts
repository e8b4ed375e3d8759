/**
 * The AppView configuration: one typed object from environment variables and command-line flags (flags
 * win), every field listed in FIELDS with its flag, env name and meaning (`stratus appview --help`).
 * Checks shapes (numbers, URLs, DIDs); does NOT check that the relay or PLC directory answer.
 */
import { isValidDid } from '@stratus/core/syntax'
import { ConfigError, type Field, fieldHelp, parseFields } from '../config/index.ts'

export { ConfigError }

export interface AppViewConfig {
  /** Port to listen on (0 = any free port). Default 2584. */
  port: number
  /** Interface to bind. Default 127.0.0.1. */
  host: string
  /** URL clients (and PDSes proxying to us) use. Default http://localhost:<port>. */
  publicUrl?: string
  /** The AppView's DID: the `aud` of service-auth tokens. Default did:web of the public URL's host. */
  did?: string
  /** 'sqlite:<path>' | 'sqlite::memory:' | 'postgres://…'. Default sqlite:./data/appview/appview.db. */
  dbUrl: string
  /** Relay (or PDS) whose firehose to index. Without one, nothing is ingested (API only). */
  relay?: string
  plcUrl: string
  /** Base URL of image links in views (default <publicUrl>/img, which redirects to the owner's PDS). */
  cdnUrl?: string
  /** Allow http and loopback addresses for DID documents, PDSes and feed generators. */
  devMode: boolean
  /** Download repositories from their PDS when first seen or desynchronized (default true). */
  backfill: boolean
  /** Events per indexing transaction. */
  batchSize: number
  /** Reader threads serving read-only queries (0: all on the main thread). Default: one per core, at most 4. */
  readers?: number
  logLevel: string
  /** Programmatic only: handle → DID (test networks whose handles DNS does not know). */
  resolveHandle?: (handle: string) => Promise<string | undefined>
  /** Programmatic only: fetch for PDS and feed generator calls. */
  fetch?: typeof fetch
  /** Programmatic only: firehose cursor to start from when none is stored yet (default: the live tip). */
  initialCursor?: number
}

/** Every option (`stratus appview --help`); defaults in DEFAULTS. */
export const FIELDS: readonly Field<AppViewConfig>[] = [
  { key: 'port', flag: 'port', env: 'APPVIEW_PORT', kind: 'int', help: 'port; 0 = any free port' },
  { key: 'host', flag: 'host', env: 'APPVIEW_HOST', kind: 'string', help: 'interface to bind' },
  {
    key: 'publicUrl',
    flag: 'public-url',
    env: 'APPVIEW_PUBLIC_URL',
    kind: 'url',
    help: 'public URL (default http://localhost:<port>)',
  },
  { key: 'did', flag: 'did', env: 'APPVIEW_DID', kind: 'string', help: 'service DID (default did:web:<public host>)' },
  {
    key: 'dbUrl',
    flag: 'db',
    env: 'APPVIEW_DB_URL',
    kind: 'string',
    help: 'sqlite:<path> or postgres://…',
  },
  { key: 'relay', flag: 'relay', env: 'APPVIEW_RELAY_URL', kind: 'url', help: 'relay or PDS to index (firehose)' },
  {
    key: 'plcUrl',
    flag: 'plc-url',
    env: 'APPVIEW_PLC_URL',
    kind: 'url',
    help: 'PLC directory',
  },
  {
    key: 'cdnUrl',
    flag: 'cdn-url',
    env: 'APPVIEW_CDN_URL',
    kind: 'url',
    help: 'base of image URLs (default <public-url>/img)',
  },
  {
    key: 'devMode',
    flag: 'dev',
    env: 'APPVIEW_DEV_MODE',
    kind: 'bool',
    help: 'allow http/loopback services',
  },
  {
    key: 'backfill',
    flag: 'backfill',
    env: 'APPVIEW_BACKFILL',
    kind: 'bool',
    help: 'backfill accounts from their PDS',
  },
  {
    key: 'batchSize',
    flag: 'batch-size',
    env: 'APPVIEW_BATCH_SIZE',
    kind: 'int',
    help: 'events per indexing transaction',
  },
  {
    key: 'readers',
    flag: 'readers',
    env: 'APPVIEW_READERS',
    kind: 'int',
    help: 'reader threads for read-only queries (0 = main thread only; default one per core, at most 4)',
  },
  { key: 'logLevel', flag: 'log-level', env: 'APPVIEW_LOG_LEVEL', kind: 'string', help: 'pino level' },
]

export const DEFAULTS: AppViewConfig = {
  port: 2584,
  host: '127.0.0.1',
  dbUrl: 'sqlite:./data/appview/appview.db',
  plcUrl: 'https://plc.directory',
  devMode: false,
  backfill: true,
  batchSize: 8000,
  logLevel: 'info',
}

export function configHelp(): string {
  return fieldHelp(FIELDS, DEFAULTS)
}

/** Builds the config from defaults, env and argv (flags win); see parseFields for the flag forms. */
export function readConfig(
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
): AppViewConfig {
  return checkConfig(parseFields(FIELDS, argv, env, DEFAULTS))
}

export function checkConfig(cfg: AppViewConfig): AppViewConfig {
  for (const key of ['publicUrl', 'relay', 'plcUrl', 'cdnUrl'] as const) {
    const v = cfg[key]
    if (v === undefined) continue
    try {
      new URL(v)
    } catch {
      throw new ConfigError(`${key} is not a URL: ${v}`)
    }
  }
  if (cfg.did !== undefined && !isValidDid(cfg.did)) throw new ConfigError(`did is not a DID: ${cfg.did}`)
  if (!cfg.dbUrl.startsWith('sqlite:') && !/^postgres(ql)?:\/\//.test(cfg.dbUrl)) {
    throw new ConfigError(`db must be sqlite:<path> or postgres://…: ${cfg.dbUrl}`)
  }
  return cfg
}

/** did:web for a URL's host (port percent-encoded, as did:web requires). */
export function didWebFor(url: string): string {
  const u = new URL(url)
  return `did:web:${u.hostname}${u.port ? `%3A${u.port}` : ''}`
}
