/**
 * Durable relay state: hosts, accounts and the log head, on SQLite or PostgreSQL. The hot path is
 * `commitBatch`: one write transaction per sequencer batch holding every changed account, the hosts'
 * cursors and counters, and the new log head — so after a crash the database, the host cursors and the
 * event log (truncated back to `log_seq` on start) agree, and replaying upstream from the cursors
 * neither loses nor duplicates events.
 *
 * On SQLite the hot statements are prepared once and run synchronously on the shared handle (the batch
 * commit, the account lookup); everything else, and PostgreSQL, goes through Kysely.
 *
 * Does not cache (state/ does) and does not validate values (callers do).
 */
import type BetterSqlite3 from 'better-sqlite3'
import type { Kysely } from 'kysely'
import { type Database, migrate, writeTransaction } from '../../db/index.ts'
import { RELAY_MIGRATIONS } from './migrations.ts'

export interface HostRow {
  id: number
  hostname: string
  status: string
  cursor: number | null
  trusted: boolean
  accountLimit: number | null
  rateLimit: number | null
  accountCount: number
  accepted: number
  rejected: number
  createdAt: string
  lastEventAt: string | null
}

export interface AccountRow {
  did: string
  hostId: number
  head: string | null
  rev: string | null
  data: string | null
  upstreamStatus: string
  relayStatus: string | null
  desync: boolean
}

export interface BatchWrite {
  accounts: AccountRow[]
  hosts: HostRow[]
  logSeq: number
}

const CHUNK = 400
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))

function hostFromDb(r: Record<string, unknown>): HostRow {
  return {
    id: Number(r.id),
    hostname: String(r.hostname),
    status: String(r.status),
    cursor: num(r.cursor),
    trusted: Number(r.trusted) === 1,
    accountLimit: num(r.account_limit),
    rateLimit: num(r.rate_limit),
    accountCount: Number(r.account_count),
    accepted: Number(r.accepted),
    rejected: Number(r.rejected),
    createdAt: String(r.created_at),
    lastEventAt: r.last_event_at == null ? null : String(r.last_event_at),
  }
}

function hostToDb(h: HostRow): Record<string, unknown> {
  return {
    id: h.id,
    hostname: h.hostname,
    status: h.status,
    cursor: h.cursor,
    trusted: h.trusted ? 1 : 0,
    account_limit: h.accountLimit,
    rate_limit: h.rateLimit,
    account_count: h.accountCount,
    accepted: h.accepted,
    rejected: h.rejected,
    created_at: h.createdAt,
    last_event_at: h.lastEventAt,
  }
}

function accountFromDb(r: Record<string, unknown>): AccountRow {
  return {
    did: String(r.did),
    hostId: Number(r.host_id),
    head: (r.head as string | null) ?? null,
    rev: (r.rev as string | null) ?? null,
    data: (r.data as string | null) ?? null,
    upstreamStatus: String(r.upstream_status),
    relayStatus: (r.relay_status as string | null) ?? null,
    desync: Number(r.desync) === 1,
  }
}

function accountToDb(a: AccountRow, now: string): Record<string, unknown> {
  return {
    did: a.did,
    host_id: a.hostId,
    head: a.head,
    rev: a.rev,
    data: a.data,
    upstream_status: a.upstreamStatus,
    relay_status: a.relayStatus,
    desync: a.desync ? 1 : 0,
    updated_at: now,
  }
}

const ACCOUNT_COLUMNS = ['host_id', 'head', 'rev', 'data', 'upstream_status', 'relay_status', 'desync', 'updated_at']
const HOST_COLUMNS = [
  'status',
  'cursor',
  'trusted',
  'account_limit',
  'rate_limit',
  'account_count',
  'accepted',
  'rejected',
  'last_event_at',
]

function excluded(cols: string[]) {
  return (eb: any) => Object.fromEntries(cols.map((c) => [c, eb.ref(`excluded.${c}`)]))
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ')

function upsertSql(table: string, key: string, cols: string[], rows = 1): string {
  const all = [key, ...cols]
  const set = cols.map((c) => `${c} = excluded.${c}`).join(', ')
  const values = Array.from({ length: rows }, () => `(${placeholders(all.length)})`).join(', ')
  return `INSERT INTO ${table} (${all.join(', ')}) VALUES ${values} ON CONFLICT (${key}) DO UPDATE SET ${set}`
}

/** Accounts per multi-row upsert: a batch touches about one account per event, so statement calls add up. */
const ACCOUNT_ROWS = 32
const ACCOUNT_ARGS = 1 + ACCOUNT_COLUMNS.length

/** An account's values at args[at..], in the statement's column order (did, then ACCOUNT_COLUMNS). */
function accountArgs(args: unknown[], at: number, a: AccountRow, now: string): void {
  args[at] = a.did
  args[at + 1] = a.hostId
  args[at + 2] = a.head
  args[at + 3] = a.rev
  args[at + 4] = a.data
  args[at + 5] = a.upstreamStatus
  args[at + 6] = a.relayStatus
  args[at + 7] = a.desync ? 1 : 0
  args[at + 8] = now
}

/** Prepared statements for SQLite's hot path (the batch commit runs synchronously, without query building). */
class SqliteStatements {
  readonly account: BetterSqlite3.Statement
  readonly accounts: BetterSqlite3.Statement
  readonly host: BetterSqlite3.Statement
  readonly meta: BetterSqlite3.Statement
  readonly getAccount: BetterSqlite3.Statement
  readonly commit: (batch: BatchWrite, now: string) => void

  constructor(readonly h: BetterSqlite3.Database) {
    this.account = h.prepare(upsertSql('relay_account', 'did', ACCOUNT_COLUMNS))
    this.accounts = h.prepare(upsertSql('relay_account', 'did', ACCOUNT_COLUMNS, ACCOUNT_ROWS))
    this.host = h.prepare(upsertSql('relay_host', 'id', ['hostname', 'created_at', ...HOST_COLUMNS]))
    this.meta = h.prepare(upsertSql('relay_meta', 'key', ['value']))
    this.getAccount = h.prepare('SELECT * FROM relay_account WHERE did = ?')
    this.commit = h
      .transaction((batch: BatchWrite, now: string) => {
        const accounts = batch.accounts
        let i = 0
        if (accounts.length >= ACCOUNT_ROWS) {
          const args = new Array<unknown>(ACCOUNT_ROWS * ACCOUNT_ARGS)
          for (; i + ACCOUNT_ROWS <= accounts.length; i += ACCOUNT_ROWS) {
            for (let j = 0; j < ACCOUNT_ROWS; j++) accountArgs(args, j * ACCOUNT_ARGS, accounts[i + j], now)
            this.accounts.run(args)
          }
        }
        const one = new Array<unknown>(ACCOUNT_ARGS)
        for (; i < accounts.length; i++) {
          accountArgs(one, 0, accounts[i], now)
          this.account.run(one)
        }
        for (const host of batch.hosts) {
          const r = hostToDb(host)
          this.host.run(r.id, r.hostname, r.created_at, ...HOST_COLUMNS.map((c) => r[c]))
        }
        this.meta.run('log_seq', String(batch.logSeq))
      })
      .immediate.bind(null) as (batch: BatchWrite, now: string) => void
  }
}

export class RelayStore {
  private sqlite: SqliteStatements | undefined

  constructor(readonly db: Database) {}

  get kysely(): Kysely<any> {
    return this.db.kysely
  }

  async migrate(): Promise<void> {
    await migrate(this.db, RELAY_MIGRATIONS, { table: 'relay_migration' })
    if (this.db.sqlite) this.sqlite = new SqliteStatements(this.db.sqlite)
  }

  async loadHosts(): Promise<HostRow[]> {
    const rows = await this.kysely.selectFrom('relay_host').selectAll().orderBy('id').execute()
    return rows.map(hostFromDb)
  }

  async upsertHosts(hosts: HostRow[]): Promise<void> {
    if (hosts.length === 0) return
    await this.kysely
      .insertInto('relay_host')
      .values(hosts.map(hostToDb))
      .onConflict((oc) => oc.column('id').doUpdateSet(excluded(HOST_COLUMNS)))
      .execute()
  }

  async getAccount(did: string): Promise<AccountRow | undefined> {
    if (this.sqlite) {
      const row = this.sqlite.getAccount.get(did) as Record<string, unknown> | undefined
      return row ? accountFromDb(row) : undefined
    }
    const r = await this.kysely.selectFrom('relay_account').selectAll().where('did', '=', did).executeTakeFirst()
    return r ? accountFromDb(r) : undefined
  }

  /** Accounts in DID order after `after` (listRepos). */
  async listAccounts(after: string | undefined, limit: number): Promise<AccountRow[]> {
    let q = this.kysely.selectFrom('relay_account').selectAll().orderBy('did').limit(limit)
    if (after !== undefined) q = q.where('did', '>', after)
    return (await q.execute()).map(accountFromDb)
  }

  async countAccounts(hostId: number): Promise<number> {
    const r = await this.kysely
      .selectFrom('relay_account')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('host_id', '=', hostId)
      .executeTakeFirst()
    return Number(r?.n ?? 0)
  }

  async getMeta(key: string): Promise<string | undefined> {
    const r = await this.kysely.selectFrom('relay_meta').select('value').where('key', '=', key).executeTakeFirst()
    return r ? String(r.value) : undefined
  }

  async commitBatch(batch: BatchWrite): Promise<void> {
    const now = new Date().toISOString()
    if (this.sqlite) return this.sqlite.commit(batch, now)
    await writeTransaction(this.db, async (trx) => {
      for (let i = 0; i < batch.accounts.length; i += CHUNK) {
        const rows = batch.accounts.slice(i, i + CHUNK).map((a) => accountToDb(a, now))
        await trx
          .insertInto('relay_account')
          .values(rows)
          .onConflict((oc) => oc.column('did').doUpdateSet(excluded(ACCOUNT_COLUMNS)))
          .execute()
      }
      if (batch.hosts.length > 0) {
        await trx
          .insertInto('relay_host')
          .values(batch.hosts.map(hostToDb))
          .onConflict((oc) => oc.column('id').doUpdateSet(excluded(HOST_COLUMNS)))
          .execute()
      }
      await trx
        .insertInto('relay_meta')
        .values({ key: 'log_seq', value: String(batch.logSeq) })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(batch.logSeq) }))
        .execute()
    })
  }
}
