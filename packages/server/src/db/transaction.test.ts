import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase, openSqliteHandle, writeTransaction } from './index.ts'
import { openTestPostgres, pgTestUrl } from './test-util.ts'

const dir = mkdtempSync(join(tmpdir(), 'stratus-tx-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('writeTransaction (sqlite)', () => {
  it('holds the write lock from the start, so another connection cannot write in between', async () => {
    const path = join(dir, 'lock.db')
    const db = openDatabase(`sqlite:${path}`)
    await sql`create table t (v integer)`.execute(db.kysely)
    const other = openSqliteHandle(path, { busyTimeoutMs: 0 })
    try {
      await writeTransaction(db, async (trx) => {
        await trx.selectFrom('t').selectAll().execute() // read first: a deferred BEGIN would not lock yet
        expect(() => other.prepare('insert into t values (2)').run()).toThrow(/locked|busy/i)
        await trx.insertInto('t').values({ v: 1 }).execute()
      })
      other.prepare('insert into t values (3)').run()
      expect(other.prepare('select v from t order by v').pluck().all()).toEqual([1, 3])
    } finally {
      other.close()
      await db.close()
    }
  })

  it('commits and returns the result, or rolls back and rethrows', async () => {
    const db = openDatabase('sqlite::memory:')
    await sql`create table t (v integer)`.execute(db.kysely)
    expect(
      await writeTransaction(db, async (trx) => (await trx.insertInto('t').values({ v: 1 }).execute()).length),
    ).toBe(1)
    const boom = new Error('boom')
    await expect(
      writeTransaction(db, async (trx) => {
        await trx.insertInto('t').values({ v: 2 }).execute()
        throw boom
      }),
    ).rejects.toBe(boom)
    expect(db.sqlite!.inTransaction).toBe(false)
    expect(await db.kysely.selectFrom('t').select('v').execute()).toEqual([{ v: 1 }])
    await db.close()
  })
})

const pgUrl = await pgTestUrl()

describe.skipIf(!pgUrl)('writeTransaction (postgres)', () => {
  it('commits and rolls back', async () => {
    const db = (await openTestPostgres('writetx'))!
    try {
      await sql`create table t (v integer)`.execute(db.kysely)
      await writeTransaction(db, (trx) => trx.insertInto('t').values({ v: 1 }).execute())
      await expect(
        writeTransaction(db, async (trx) => {
          await trx.insertInto('t').values({ v: 2 }).execute()
          throw new Error('nope')
        }),
      ).rejects.toThrow('nope')
      expect(await db.kysely.selectFrom('t').select('v').execute()).toEqual([{ v: 1 }])
    } finally {
      await db.close()
    }
  })
})
