/**
 * The Personal Data Server: accounts, sessions, repositories, blobs, sync and the firehose.
 *
 * Layout (follow it when you add to the PDS):
 *   config.ts         PdsConfig from env + flags (every option listed in FLAGS, with its env name)
 *   keys.ts           the PDS's own secrets (PLC rotation key, JWT secret), generated into <dataDir>/keys
 *   db/               the ONE shared SQLite database (why shared: see db/index.ts)
 *     migrations/     NNN-what.ts files + migrations/index.ts, the ordered registry
 *     schema.ts       row types, one interface per table
 *   context.ts        PdsContext: what every handler gets (cfg, db, lexicons, keys, plc, idResolver,
 *                     logger, auth, limits, hooks, signingKey(did)) plus slots for repo, blobs, sequencer
 *   app.ts            createPds(cfg) → { url, router, ctx, handle, start(), close() }
 *   api/<nsid>.ts     one file per XRPC method; default export `register(router, ctx)`; listed in api/index.ts
 *   accounts/         account rows and statuses, handle/email rules, password and app-password login, sessions
 *                     (refresh rotation), creation, lifecycle (deactivate, activate, delete), email tokens,
 *                     invite codes, preferences
 *   auth/             password hashing (scrypt), session JWTs, auth verifiers for routes, scopes
 *   sequencer/        the firehose: event log (ctx.sequencer), live fan-out, cursor replay, pruning, requestCrawl;
 *                     what com.atproto.sync.* reads (repo-access.ts)
 *   repo/             repositories (ctx.repo): per-account blocks (only what the head reaches), head commit,
 *                     record index, backlinks, the one-transaction write path, importRepo, write preparation
 *   blobs/            blob storage (ctx.blobs): uploads on disk by raw CID, sniffing, temporary → linked →
 *                     deleted, the grace-period sweeper
 *   identity/         handle changes, PLC operations for moving accounts, did:web documents, incoming service auth
 *   proxy/            the router fallback: unimplemented methods to the AppView / `atproto-proxy` service with
 *                     service-auth JWTs; read-after-write; which methods are never proxied
 *   mailer/           the mail outbox (SMTP or files in <dataDir>/mail) and the mail texts
 *   admin/            takedowns of accounts, records and blobs; admin views; `stratus account` operator commands
 *   limits.ts         rate limiters (per IP, per identifier, repo write points per account)
 *   pages.ts, well-known.ts   `/`, `/robots.txt`, `/.well-known/atproto-did`
 *   cli.ts            `stratus pds`, `stratus account create|list|…` (operator commands: admin/cli.ts)
 *   test-util.ts      startTestPds / startTestPlc for tests (never imported by the service)
 *
 * How to extend:
 *   - A handler: create api/<nsid>.ts exporting `default function register(router: XrpcRouter, ctx: PdsContext)`
 *     that calls router.query/procedure/subscription (auth: `{ auth: ctx.auth.access({ checkTakedown: true }) }`,
 *     rate limits: `enforce(ctx.limits.x, key)` or the route's `rateLimit` option), then append it to HANDLERS
 *     in api/index.ts.
 *   - A migration: create db/migrations/NNN-what.ts exporting `up(db: Kysely<any>)` (one statement per
 *     sql`` call), add its line to `pdsMigrations` in db/migrations/index.ts, add its row types to db/schema.ts.
 *   - A context slot: give the field in `PdsSlots` (context.ts) its real type, and set it at the end of
 *     `createContext` (so the CLI, which builds a context without HTTP, gets it too). Work that must commit
 *     with a new account goes in `ctx.hooks.accountCreated` (synchronous, inside the account transaction);
 *     background work in `ctx.hooks.started` / `ctx.hooks.closing`.
 *   - Writes: synchronous `ctx.db.transact(() => …)` with `ctx.db.stmt(sql)`; never an async transaction.
 */
export { type Pds, createPds, PDS_VERSION } from './app.ts'
export {
  type PdsConfig,
  type PdsConfigInput,
  ConfigError,
  FLAGS,
  configHelp,
  readConfigSources,
  resolveConfig,
} from './config.ts'
export {
  type ContextOptions,
  type CreatedAccount,
  type PdsContext,
  type PdsHooks,
  type PdsSlots,
  createContext,
} from './context.ts'
export { type PdsDatabase, openPdsDatabase, pdsMigrations } from './db/index.ts'
export { type PdsKeys, loadKeys } from './keys.ts'
export {
  type LimitName,
  type LimitSpec,
  type PdsLimiters,
  DEFAULT_LIMITS,
  createLimiters,
  enforce,
  enforceWritePoints,
} from './limits.ts'
export { ACCOUNT_USAGE, PDS_USAGE, accountCommand, pdsCommand } from './cli.ts'
export type { AccessCredentials, AdminCredentials, AuthVerifiers, RefreshCredentials } from './auth/verifier.ts'
export { AuthScope } from './auth/scopes.ts'
export { createAccount, type CreateAccountInput } from './accounts/create.ts'
export {
  type AccountRow,
  type AccountStatus,
  type OperatorStatus,
  OPERATOR_STATUSES,
  accountStatus,
  getAccount,
  getAccountByDid,
  isAccountActive,
  repoUnavailableError,
} from './accounts/store.ts'
export { createProxyHandler } from './proxy/index.ts'
export { type Outbox, mailDir } from './mailer/index.ts'
export { PdsRepo, installRepo, prepareRecordWrite, prepareDelete } from './repo/index.ts'
export { PdsBlobs, sniffMimeType } from './blobs/index.ts'
