/**
 * The context every PDS handler receives: configuration, the shared database, lexicons, keys, PLC and
 * identity clients, logger, auth verifiers, rate limiters, account lifecycle hooks, and slots that the
 * repository, blob and sequencer modules fill. Built once per process by {@link createContext}; the CLI
 * builds one too (without serving HTTP) to operate on the same data directory.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Secp256k1Keypair } from '@stratus/core/crypto'
import { IdResolver } from '@stratus/core/identity'
import type { Lexicons } from '@stratus/core/lexicon'
import { PlcClient } from '@stratus/core/plc'
import pino, { type Logger } from 'pino'
import { loadBundledLexicons } from '../lexicons/index.ts'
import { createSigningKeyCache } from './accounts/signing-key.ts'
import type { TokenKeys } from './auth/tokens.ts'
import { type AuthVerifiers, createAuthVerifiers } from './auth/verifier.ts'
import type { PdsConfig } from './config.ts'
import { type PdsDatabase, openPdsDatabase } from './db/index.ts'
import { type PdsKeys, loadKeys } from './keys.ts'
import { type LimitName, type LimitSpec, type PdsLimiters, createLimiters } from './limits.ts'
import { type Sequencer, installSequencer } from './sequencer/index.ts'
import type { PdsBlobs } from './blobs/index.ts'
import { type PdsRepo, installRepo } from './repo/index.ts'
import { type Outbox, installMailer } from './mailer/index.ts'
import { installAdmin } from './admin/index.ts'

/** What the account-creation hooks receive. */
export interface CreatedAccount {
  did: string
  handle: string
  email: string | null
  signingKey: Secp256k1Keypair
  createdAt: string
  /**
   * False for accounts that start deactivated (bring-your-own DID, moving in): their hooks run with the
   * sequencer muted — no #identity/#account/#commit until com.atproto.server.activateAccount.
   */
  active: boolean
}

/** Lifecycle hooks, each list run in registration order. */
export interface PdsHooks {
  /**
   * Synchronous, INSIDE the transaction that writes the account row, so whatever a hook writes (the empty
   * repo, the #identity/#account/#commit events) commits atomically with the account. Throwing aborts
   * the whole creation.
   */
  accountCreated: Array<(account: CreatedAccount) => void>
  /** After the HTTP server listens (public URL final): background work, requestCrawl to relays, … */
  started: Array<() => void | Promise<void>>
  /** Before the database closes, in reverse registration order: stop background work, close streams. */
  closing: Array<() => void | Promise<void>>
}

/**
 * Slots owned by other modules: each owner gives its field a real type here and sets it in
 * {@link createContext} (or in its own `install(ctx)` called from there). Handlers must cope with a slot
 * that is still undefined only until its module lands.
 */
export interface PdsSlots {
  /** Repository storage and writes (repo/). */
  repo?: PdsRepo
  /** Blob storage (temporary uploads, permanent blobs) (blobs/). */
  blobs?: PdsBlobs
  /** Event log and firehose fan-out (sequencer/). */
  sequencer?: Sequencer
  /** Outgoing mail: the outbox and its transport (mailer/). */
  mailer?: Outbox
}

export interface PdsContext extends PdsSlots {
  cfg: PdsConfig
  db: PdsDatabase
  lexicons: Lexicons
  keys: PdsKeys
  /** Secret and audience for session JWTs. */
  tokenKeys: TokenKeys
  plc: PlcClient
  idResolver: IdResolver
  logger: Logger
  auth: AuthVerifiers
  limits: PdsLimiters
  hooks: PdsHooks
  /** The account's repo signing key (cached); throws if the account does not exist. */
  signingKey(did: string): Secp256k1Keypair
  /** Drops a cached signing key (the account was deleted, or its key replaced). */
  forgetSigningKey(did: string): void
  close(): Promise<void>
}

export interface ContextOptions {
  /** Replace individual rate limits (tests). */
  limits?: Partial<Record<LimitName, LimitSpec>>
  /** Use this logger instead of a new pino instance. */
  logger?: Logger
}

/** Opens the data directory (database + keys) and builds the context. */
export async function createContext(cfg: PdsConfig, opts: ContextOptions = {}): Promise<PdsContext> {
  mkdirSync(cfg.dataDir, { recursive: true })
  const logger = opts.logger ?? pino({ name: 'pds', level: cfg.logLevel })
  const db = await openPdsDatabase({
    url: `sqlite:${join(cfg.dataDir, 'pds.sqlite')}`,
    synchronous: cfg.sqliteSynchronous,
  })
  let keys: PdsKeys
  try {
    keys = loadKeys(cfg)
  } catch (err) {
    await db.close()
    throw err
  }
  const tokenKeys: TokenKeys = { secret: keys.jwtSecret, serviceDid: cfg.serviceDid }
  const signingKeys = createSigningKeyCache(db)
  const ctx: PdsContext = {
    cfg,
    db,
    lexicons: loadBundledLexicons(),
    keys,
    tokenKeys,
    plc: new PlcClient(cfg.plcUrl),
    idResolver: new IdResolver({ plcUrl: cfg.plcUrl, allowPrivateNetwork: cfg.devMode }),
    logger,
    auth: createAuthVerifiers({ db, tokenKeys, adminPassword: cfg.adminPassword }),
    limits: createLimiters(cfg.rateLimits, opts.limits),
    hooks: { accountCreated: [], started: [], closing: [] },
    signingKey: signingKeys.get,
    forgetSigningKey: signingKeys.forget,
    close: () => db.close(),
  }
  installSequencer(ctx)
  installRepo(ctx)
  installMailer(ctx)
  installAdmin(ctx)
  return ctx
}
