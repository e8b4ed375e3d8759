/**
 * The PDS configuration: one typed object built from environment variables and command-line flags
 * (flags win). Environment names follow the official PDS (`PDS_HOSTNAME`, `PDS_PORT`, …) so an operator's
 * existing env file keeps working; every field is listed in FLAGS below with its flag, env name and meaning.
 *
 * Checks types and shapes (numbers, URLs, handle domains starting with '.'); does NOT check that the PLC
 * directory, AppView or relays are reachable. Secrets that are not given (JWT secret, PLC rotation key) are
 * generated into the data directory on first start and kept (see keys.ts), so restarts keep sessions and
 * the ability to update DIDs.
 */
import { resolve } from 'node:path'
import { ConfigError, type Field, fieldHelp, parseFields } from '../config/index.ts'

export { ConfigError }

export interface PdsConfig {
  /** Public DNS name of the PDS (no scheme, no port). Handles default to `*.<hostname>`. */
  hostname: string
  /** Port to listen on; 0 picks a free port (the public URL is then fixed when the server starts). */
  port: number
  /** Interface to bind. Default 127.0.0.1 in dev mode, 0.0.0.0 otherwise. */
  bindHost: string
  /** URL clients and DID documents use to reach this PDS: `https://<hostname>` (dev: `http://<hostname>:<port>`). */
  publicUrl: string
  /** The PDS's own DID (JWT audience, describeServer). Default `did:web:<hostname>`. */
  serviceDid: string
  /** Where the database, keys and blobs live. */
  dataDir: string
  /** SQLite durability. NORMAL survives kill -9 (the requirement); FULL also survives power loss. */
  sqliteSynchronous: 'NORMAL' | 'FULL'
  plcUrl: string
  appviewUrl?: string
  appviewDid?: string
  /** Relays asked to crawl us on start (com.atproto.sync.requestCrawl). */
  crawlers: string[]
  /** How long firehose events stay replayable by cursor (default 72 h). */
  firehoseRetentionMs: number
  /** Basic-auth password for admin methods; undefined disables admin auth entirely. */
  adminPassword?: string
  /** HS256 secret for session JWTs; undefined = generated into <dataDir>/keys/jwt-secret. */
  jwtSecret?: string
  /** PLC rotation key (k256, hex); undefined = generated into <dataDir>/keys/plc-rotation-key.hex. */
  rotationKeyHex?: string
  /** An extra rotation key (did:key) placed above the PDS's own in new DIDs, for operator recovery. */
  recoveryDidKey?: string
  /** Handle suffixes offered to new accounts, each starting with '.', e.g. ['.test']. */
  handleDomains: string[]
  /** Largest blob upload in bytes (advertised by describeServer). */
  blobUploadLimit: number
  /** Dev mode: http and loopback addresses allowed (identity, crawlers, AppView). Default: on for localhost. */
  devMode: boolean
  /** Access token lifetime (official PDS: 2 h). */
  accessTokenTtlMs: number
  /** Refresh token lifetime (official PDS: 90 days). */
  refreshTokenTtlMs: number
  /** How long a refresh token still works after it was used once (official PDS: 2 h). */
  refreshGraceMs: number
  rateLimits: boolean
  contactEmail?: string
  /** New accounts need an invite code (com.atproto.server.createInviteCode, `stratus account invite`). */
  inviteRequired: boolean
  /** Mail relay, `smtp[s]://user:pass@host:port`; unset = mail is written to <dataDir>/mail. */
  emailSmtpUrl?: string
  /** Sender address of the PDS's mail (default noreply@<hostname>). */
  emailFromAddress: string
  /** Moderation service for com.atproto.moderation.createReport and tools.ozone.* (URL and DID). */
  reportServiceUrl?: string
  reportServiceDid?: string
  /** Image URLs in read-after-write views: three %s = preset, DID, CID (default: this PDS's getBlob). */
  appviewCdnUrlPattern?: string
  privacyPolicyUrl?: string
  termsOfServiceUrl?: string
  logLevel: string
}

/** Every setting: its flag, its environment variable and what it does (printed by `stratus pds --help`). */
export const FLAGS: readonly Field<PdsConfig>[] = [
  {
    key: 'hostname',
    flag: 'hostname',
    env: 'PDS_HOSTNAME',
    kind: 'string',
    help: 'public DNS name (default localhost)',
  },
  {
    key: 'port',
    flag: 'port',
    env: 'PDS_PORT',
    kind: 'int',
    help: 'port to listen on (default 2583; 0 = any free port)',
  },
  {
    key: 'bindHost',
    flag: 'bind',
    env: 'PDS_BIND_HOST',
    kind: 'string',
    help: 'interface to bind (default 0.0.0.0; dev 127.0.0.1)',
  },
  {
    key: 'publicUrl',
    flag: 'public-url',
    env: 'PDS_PUBLIC_URL',
    kind: 'url',
    help: 'public URL (default https://<hostname>)',
  },
  {
    key: 'serviceDid',
    flag: 'service-did',
    env: 'PDS_SERVICE_DID',
    kind: 'string',
    help: 'the PDS DID (default did:web:<hostname>)',
  },
  {
    key: 'dataDir',
    flag: 'data-dir',
    env: 'PDS_DATA_DIRECTORY',
    kind: 'string',
    help: 'data directory (default ./data/pds)',
  },
  {
    key: 'sqliteSynchronous',
    flag: 'sqlite-sync',
    env: 'PDS_SQLITE_SYNCHRONOUS',
    kind: 'enum',
    values: ['NORMAL', 'FULL'],
    help: 'NORMAL (default, survives kill -9) or FULL (survives power loss)',
  },
  {
    key: 'plcUrl',
    flag: 'plc-url',
    env: 'PDS_DID_PLC_URL',
    kind: 'url',
    help: 'PLC directory (default https://plc.directory)',
  },
  { key: 'appviewUrl', flag: 'appview-url', env: 'PDS_BSKY_APP_VIEW_URL', kind: 'url', help: 'AppView URL' },
  { key: 'appviewDid', flag: 'appview-did', env: 'PDS_BSKY_APP_VIEW_DID', kind: 'string', help: 'AppView DID' },
  {
    key: 'crawlers',
    flag: 'crawlers',
    env: 'PDS_CRAWLERS',
    kind: 'list',
    help: 'relay URLs to notify on start (comma-separated)',
  },
  {
    key: 'adminPassword',
    flag: 'admin-password',
    env: 'PDS_ADMIN_PASSWORD',
    kind: 'string',
    help: 'admin password (unset = no admin access)',
  },
  {
    key: 'jwtSecret',
    flag: 'jwt-secret',
    env: 'PDS_JWT_SECRET',
    kind: 'string',
    help: 'session JWT secret (unset = generated in data dir)',
  },
  {
    key: 'rotationKeyHex',
    flag: 'rotation-key',
    env: 'PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX',
    kind: 'string',
    help: 'PLC rotation key, k256 hex (unset = generated in data dir)',
  },
  {
    key: 'recoveryDidKey',
    flag: 'recovery-did-key',
    env: 'PDS_RECOVERY_DID_KEY',
    kind: 'string',
    help: 'extra did:key rotation key for new DIDs',
  },
  {
    key: 'handleDomains',
    flag: 'handle-domains',
    env: 'PDS_SERVICE_HANDLE_DOMAINS',
    kind: 'list',
    help: 'handle suffixes, e.g. .example.com (default .<hostname>; localhost: .test)',
  },
  {
    key: 'blobUploadLimit',
    flag: 'blob-limit',
    env: 'PDS_BLOB_UPLOAD_LIMIT',
    kind: 'int',
    help: 'largest blob in bytes (default 5 MiB)',
  },
  {
    key: 'devMode',
    flag: 'dev',
    env: 'PDS_DEV_MODE',
    kind: 'bool',
    help: 'allow http and loopback services (default on for localhost)',
  },
  {
    key: 'rateLimits',
    flag: 'rate-limits',
    env: 'PDS_RATE_LIMITS_ENABLED',
    kind: 'bool',
    help: 'enforce rate limits (default true)',
  },
  {
    key: 'contactEmail',
    flag: 'contact-email',
    env: 'PDS_CONTACT_EMAIL_ADDRESS',
    kind: 'string',
    help: 'contact email in describeServer',
  },
  {
    key: 'inviteRequired',
    flag: 'invite-required',
    env: 'PDS_INVITE_REQUIRED',
    kind: 'bool',
    help: 'new accounts need an invite code (default false)',
  },
  {
    key: 'emailSmtpUrl',
    flag: 'smtp-url',
    env: 'PDS_EMAIL_SMTP_URL',
    kind: 'string',
    help: 'smtp[s]://user:pass@host:port (unset = mail files in <data-dir>/mail)',
  },
  {
    key: 'emailFromAddress',
    flag: 'email-from',
    env: 'PDS_EMAIL_FROM_ADDRESS',
    kind: 'string',
    help: 'sender of mail (default noreply@<hostname>)',
  },
  {
    key: 'reportServiceUrl',
    flag: 'report-service-url',
    env: 'PDS_REPORT_SERVICE_URL',
    kind: 'url',
    help: 'moderation service receiving createReport (URL)',
  },
  {
    key: 'reportServiceDid',
    flag: 'report-service-did',
    env: 'PDS_REPORT_SERVICE_DID',
    kind: 'string',
    help: 'moderation service DID',
  },
  {
    key: 'appviewCdnUrlPattern',
    flag: 'appview-cdn-url-pattern',
    env: 'PDS_BSKY_APP_VIEW_CDN_URL_PATTERN',
    kind: 'string',
    help: 'image URL pattern for read-after-write (%s preset, did, cid)',
  },
  {
    key: 'privacyPolicyUrl',
    flag: 'privacy-policy',
    env: 'PDS_PRIVACY_POLICY_URL',
    kind: 'string',
    help: 'privacy policy link',
  },
  {
    key: 'termsOfServiceUrl',
    flag: 'terms-of-service',
    env: 'PDS_TERMS_OF_SERVICE_URL',
    kind: 'string',
    help: 'terms of service link',
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    env: 'LOG_LEVEL',
    kind: 'string',
    help: 'pino level: trace … fatal, silent (default info)',
  },
]

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** Fields a caller may set directly (tests, `stratus dev`); everything else gets its default. */
export type PdsConfigInput = Partial<PdsConfig>

/**
 * The full configuration from `input` (already parsed: flags merged over env by {@link readConfigSources}),
 * with defaults filled in and values checked.
 */
export function resolveConfig(input: PdsConfigInput = {}): PdsConfig {
  const hostname = input.hostname ?? 'localhost'
  const devMode = input.devMode ?? hostname === 'localhost'
  const port = input.port ?? 2583
  checkPort(port)
  const publicUrl = stripSlash(input.publicUrl ?? (devMode ? `http://${hostname}:${port}` : `https://${hostname}`))
  checkUrl('publicUrl', publicUrl, devMode)
  const handleDomains = input.handleDomains?.length
    ? input.handleDomains
    : hostname === 'localhost'
      ? ['.test']
      : [`.${hostname}`]
  for (const d of handleDomains) {
    if (!/^\.[a-z0-9.-]+$/i.test(d) || d.length < 2) throw new ConfigError(`handle domain must start with '.': ${d}`)
  }
  const cfg: PdsConfig = {
    ...input,
    hostname,
    port,
    bindHost: input.bindHost ?? (devMode ? '127.0.0.1' : '0.0.0.0'),
    publicUrl,
    serviceDid: input.serviceDid ?? `did:web:${hostname}`,
    dataDir: resolve(input.dataDir ?? './data/pds'),
    sqliteSynchronous: checkSync(input.sqliteSynchronous ?? 'NORMAL'),
    plcUrl: stripSlash(input.plcUrl ?? 'https://plc.directory'),
    crawlers: (input.crawlers ?? []).map(stripSlash),
    firehoseRetentionMs: input.firehoseRetentionMs ?? 72 * HOUR,
    handleDomains: handleDomains.map((d) => d.toLowerCase()),
    blobUploadLimit: input.blobUploadLimit ?? 5 * 1024 * 1024,
    devMode,
    accessTokenTtlMs: input.accessTokenTtlMs ?? 2 * HOUR,
    refreshTokenTtlMs: input.refreshTokenTtlMs ?? 90 * DAY,
    refreshGraceMs: input.refreshGraceMs ?? 2 * HOUR,
    rateLimits: input.rateLimits ?? true,
    inviteRequired: input.inviteRequired ?? false,
    emailFromAddress: input.emailFromAddress ?? `noreply@${hostname}`,
    logLevel: input.logLevel ?? 'info',
  }
  for (const key of ['plcUrl', 'appviewUrl', 'reportServiceUrl'] as const)
    if (cfg[key]) checkUrl(key, cfg[key], devMode)
  for (const c of cfg.crawlers) checkUrl('crawlers', c, devMode)
  if (cfg.blobUploadLimit <= 0) throw new ConfigError('blobUploadLimit must be positive')
  if (cfg.jwtSecret !== undefined && cfg.jwtSecret.length < 16)
    throw new ConfigError('jwtSecret must be at least 16 characters')
  return cfg
}

/** Merges environment and flags (flags win) into config input; see parseFields for the flag forms. */
export function readConfigSources(
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
): PdsConfigInput {
  return parseFields(FLAGS, argv, env)
}

/** `--help` text listing every flag and environment variable. */
export function configHelp(): string {
  return fieldHelp(FLAGS)
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`invalid port: ${port}`)
}

function checkSync(s: string): 'NORMAL' | 'FULL' {
  const up = s.toUpperCase()
  if (up !== 'NORMAL' && up !== 'FULL') throw new ConfigError(`sqliteSynchronous must be NORMAL or FULL: ${s}`)
  return up
}

function checkUrl(name: string, value: string, devMode: boolean): void {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError(`${name} is not a URL: ${value}`)
  }
  if (url.protocol !== 'https:' && !(devMode && url.protocol === 'http:')) {
    throw new ConfigError(`${name} must use https (http only in dev mode): ${value}`)
  }
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '')
}
