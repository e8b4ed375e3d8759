/**
 * Server-side repository storage: `SqliteBlockStore`, the core BlockStore on better-sqlite3 that keeps
 * only the blocks reachable from the current commit. Use it with core's `Repo`:
 * `Repo.create(SqliteBlockStore.open(path), did, keypair)`, `Repo.load(store)`, `repo.applyWrites(…)`.
 */
export { SqliteBlockStore, type SqliteBlockStoreOptions } from './sqlite-block-store.ts'
