import { describe, expect, it } from 'vitest'
import { type Database, openDatabase } from '../../db/index.ts'
import { openTestPostgres, pgTestUrl } from '../../db/test-util.ts'
import { type AccountRow, type HostRow, RelayStore } from './store.ts'

const host = (id: number, over: Partial<HostRow> = {}): HostRow => ({
  id,
  hostname: `pds${id}.example.com`,
  status: 'active',
  cursor: null,
  trusted: false,
  accountLimit: null,
  rateLimit: null,
  accountCount: 0,
  accepted: 0,
  rejected: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  lastEventAt: null,
  ...over,
})

const account = (n: number, over: Partial<AccountRow> = {}): AccountRow => ({
  did: `did:plc:${String(n).padStart(24, 'a')}`,
  hostId: 1,
  head: `bafyhead${n}`,
  rev: `3lrev${n}`,
  data: `bafydata${n}`,
  upstreamStatus: 'active',
  relayStatus: null,
  desync: false,
  ...over,
})

async function exercise(db: Database): Promise<void> {
  const store = new RelayStore(db)
  await store.migrate()
  await store.migrate() // idempotent
  await store.upsertHosts([host(1), host(2, { trusted: true })])
  const accounts = Array.from({ length: 450 }, (_, i) => account(i))
  await store.commitBatch({
    accounts,
    hosts: [host(1, { cursor: 2 ** 40, accountCount: 450, accepted: 9 })],
    logSeq: 77,
  })
  expect(await store.getMeta('log_seq')).toBe('77')
  // Rows written by the multi-row upsert and by the single-row one for the remainder.
  for (const n of [0, 31, 32, 200, 447, 449]) expect(await store.getAccount(account(n).did)).toEqual(account(n))
  const hosts = await store.loadHosts()
  expect(hosts.map((h) => [h.id, h.cursor, h.trusted, h.accountCount, h.accepted])).toEqual([
    [1, 2 ** 40, false, 450, 9],
    [2, null, true, 0, 0],
  ])
  await store.commitBatch({
    accounts: [account(3, { rev: '3lnewer', desync: true, relayStatus: 'takendown', upstreamStatus: 'deleted' })],
    hosts: [],
    logSeq: 78,
  })
  expect(await store.getAccount(account(3).did)).toEqual(
    account(3, { rev: '3lnewer', desync: true, relayStatus: 'takendown', upstreamStatus: 'deleted' }),
  )
  expect(await store.getAccount('did:plc:nothere')).toBeUndefined()
  const page1 = await store.listAccounts(undefined, 200)
  const page2 = await store.listAccounts(page1[199].did, 300)
  expect([...page1, ...page2].map((a) => a.did)).toEqual(accounts.map((a) => a.did).sort())
  expect(await store.countAccounts(1)).toBe(450)
  expect(await store.getMeta('log_seq')).toBe('78')
}

const pg = await pgTestUrl()

describe('RelayStore', () => {
  it('persists hosts, accounts and the log head on SQLite', async () => {
    const db = openDatabase('sqlite::memory:')
    try {
      await exercise(db)
    } finally {
      await db.close()
    }
  })

  it.skipIf(!pg)('persists hosts, accounts and the log head on PostgreSQL', async () => {
    const db = (await openTestPostgres('relaystore')) as Database
    try {
      await exercise(db)
    } finally {
      await db.close()
    }
  })
})
