import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type PdsDatabase, openPdsDatabase } from './index.ts'

describe('PdsDatabase.read', () => {
  const dirs: string[] = []
  const open = async (): Promise<PdsDatabase> => {
    const dir = mkdtempSync(join(tmpdir(), 'stratus-pds-read-'))
    dirs.push(dir)
    return openPdsDatabase({ url: `sqlite:${join(dir, 'pds.sqlite')}` })
  }
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  it('runs the reads in one transaction and releases it, also when they throw', async () => {
    const db = await open()
    db.sqlite.exec('CREATE TABLE t (x INTEGER)')
    db.transact(() => db.stmt('INSERT INTO t VALUES (1)').run())
    const seen = db.read(() => ({ inTx: db.sqlite.inTransaction, n: db.stmt('SELECT count(*) AS n FROM t').get() }))
    expect(seen).toEqual({ inTx: true, n: { n: 1 } })
    expect(db.sqlite.inTransaction).toBe(false)
    expect(() =>
      db.read(() => {
        throw new Error('boom')
      }),
    ).toThrow('boom')
    expect(db.sqlite.inTransaction).toBe(false)
    // A write transaction right after works (nothing was left holding the snapshot).
    db.transact(() => db.stmt('INSERT INTO t VALUES (2)').run())
    expect(db.read(() => db.stmt('SELECT count(*) AS n FROM t').get())).toEqual({ n: 2 })
    await db.close()
  })

  it('sees one snapshot: a commit by another connection in between is not visible until the next read', async () => {
    const db = await open()
    db.sqlite.exec('CREATE TABLE t (x INTEGER)')
    const Other = db.sqlite.constructor as new (path: string) => typeof db.sqlite
    const other = new Other(db.sqlite.name)
    const count = () => (db.stmt('SELECT count(*) AS n FROM t').get() as { n: number }).n
    const [before, after] = db.read(() => {
      const a = count()
      other.exec('INSERT INTO t VALUES (1)')
      return [a, count()]
    })
    expect([before, after]).toEqual([0, 0])
    expect(count()).toBe(1)
    other.close()
    await db.close()
  })

  it('inside a write transaction just runs the function', async () => {
    const db = await open()
    db.sqlite.exec('CREATE TABLE t (x INTEGER)')
    db.transact(() => {
      db.stmt('INSERT INTO t VALUES (1)').run()
      expect(db.read(() => db.stmt('SELECT count(*) AS n FROM t').get())).toEqual({ n: 1 })
      expect(db.sqlite.inTransaction).toBe(true)
    })
    expect(db.stmt('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 })
    await db.close()
  })
})
