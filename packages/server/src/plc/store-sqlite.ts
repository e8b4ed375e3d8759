/**
 * PlcStore on SQLite through prepared better-sqlite3 statements (synchronous, microseconds each).
 * commitOp runs in a BEGIN IMMEDIATE transaction, which takes the write lock before reading the
 * head, so even two processes sharing the file cannot both extend the same head.
 */
import type { IndexedOperation } from '@stratus/core/plc'
import type BetterSqlite3 from 'better-sqlite3'
import type { Database } from '../db/index.ts'
import type { OpRow, PlcStore, RawOp } from './store.ts'
import { rawToIndexed, rowToRaw } from './store.ts'

const COLS = 'did, cid, operation, nullified, created_at'

export class SqlitePlcStore implements PlcStore {
  private readonly db: BetterSqlite3.Database
  private readonly allOps: BetterSqlite3.Statement<[string], OpRow>
  private readonly activeOps: BetterSqlite3.Statement<[string], OpRow>
  private readonly lastActive: BetterSqlite3.Statement<[string], OpRow>
  private readonly insert: BetterSqlite3.Statement<[string, string, string, string]>
  private readonly nullify: BetterSqlite3.Statement<[string, string]>
  private readonly exportAll: BetterSqlite3.Statement<[number], OpRow>
  private readonly exportAfter: BetterSqlite3.Statement<[string, number], OpRow>
  private readonly latest: BetterSqlite3.Statement<[], { created_at: string }>
  private readonly commitTx: (entry: IndexedOperation, nullify: readonly string[], head: string | null) => boolean

  constructor(private readonly database: Database) {
    if (!database.sqlite) throw new Error('SqlitePlcStore needs a SQLite database')
    const db = database.sqlite
    this.db = db
    const order = 'order by created_at asc, seq asc'
    this.allOps = db.prepare(`select ${COLS} from plc_operation where did = ? ${order}`)
    this.activeOps = db.prepare(`select ${COLS} from plc_operation where did = ? and nullified = 0 ${order}`)
    this.lastActive = db.prepare(
      `select ${COLS} from plc_operation where did = ? and nullified = 0 order by created_at desc, seq desc limit 1`,
    )
    this.insert = db.prepare(
      'insert into plc_operation (did, cid, operation, nullified, created_at) values (?, ?, ?, 0, ?)',
    )
    this.nullify = db.prepare('update plc_operation set nullified = 1 where did = ? and cid = ?')
    this.exportAll = db.prepare(`select ${COLS} from plc_operation ${order} limit ?`)
    this.exportAfter = db.prepare(`select ${COLS} from plc_operation where created_at > ? ${order} limit ?`)
    this.latest = db.prepare('select created_at from plc_operation order by created_at desc limit 1')
    const tx = db.transaction((entry: IndexedOperation, nullify: readonly string[], head: string | null): boolean => {
      const current = this.lastActive.get(entry.did)
      if ((current?.cid ?? null) !== head) return false
      this.insert.run(entry.did, entry.cid, JSON.stringify(entry.operation), entry.createdAt)
      for (const cid of nullify) this.nullify.run(entry.did, cid)
      return true
    })
    this.commitTx = (entry, nullify, head) => tx.immediate(entry, nullify, head)
  }

  async rawOpsForDid(did: string, includeNullified = false): Promise<RawOp[]> {
    return (includeNullified ? this.allOps : this.activeOps).all(did).map(rowToRaw)
  }

  async opsForDid(did: string, includeNullified = false): Promise<IndexedOperation[]> {
    return (await this.rawOpsForDid(did, includeNullified)).map(rawToIndexed)
  }

  async lastOpForDid(did: string): Promise<RawOp | null> {
    const row = this.lastActive.get(did)
    return row ? rowToRaw(row) : null
  }

  async commitOp(entry: IndexedOperation, nullify: readonly string[], expectedHead: string | null): Promise<boolean> {
    return this.commitTx(entry, nullify, expectedHead)
  }

  async exportOps(count: number, after?: string): Promise<RawOp[]> {
    const rows = after === undefined ? this.exportAll.all(count) : this.exportAfter.all(after, count)
    return rows.map(rowToRaw)
  }

  async latestCreatedAt(): Promise<string | null> {
    return this.latest.get()?.created_at ?? null
  }

  async healthCheck(): Promise<void> {
    this.db.prepare('select 1').get()
  }

  async close(): Promise<void> {
    await this.database.close()
  }
}
