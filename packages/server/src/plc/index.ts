/**
 * The did:plc directory service: storage (SQLite or PostgreSQL through PlcStore), acceptance logic
 * (PlcDirectory), the HTTP API as a fetch handler, a server starter and the `stratus plc` command.
 */
export { PlcDirectory, DirectoryError, DEFAULT_RATE_LIMITS } from './directory.ts'
export type { PlcDirectoryOptions, OpRateLimits } from './directory.ts'
export { rawToIndexed } from './store.ts'
export type { PlcStore, RawOp } from './store.ts'
export { SqlitePlcStore } from './store-sqlite.ts'
export { KyselyPlcStore } from './store-kysely.ts'
export { openPlcStore } from './open-store.ts'
export { plcMigrations } from './migrations.ts'
export { createPlcHandler } from './handler.ts'
export type { FetchHandler, PlcHandlerOptions } from './handler.ts'
export { startPlcServer, openPlcDirectory } from './server.ts'
export type { PlcServerOptions, RunningPlcServer } from './server.ts'
export { plcCommand, parsePlcArgs, PLC_USAGE, CliUsageError } from './cli.ts'
export type { PlcCliConfig } from './cli.ts'
