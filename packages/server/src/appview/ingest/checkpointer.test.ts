import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openSqliteHandle } from '../../db/sqlite.ts'
import { Checkpointer } from './checkpointer.ts'

describe('Checkpointer', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  it('copies committed WAL pages into the database file from its own thread, then hands back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'))
    dirs.push(dir)
    const file = join(dir, 'a.db')
    const db = openSqliteHandle(file)
    db.exec('create table t (k integer primary key, v blob)')
    db.pragma('wal_checkpoint(TRUNCATE)')
    const ckpt = new Checkpointer(db)
    ckpt.start()
    expect(ckpt.running).toBe(true)
    // The writer's own automatic checkpoint is now only a distant backstop.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(16_384)
    const before = statSync(file).size
    const insert = db.prepare('insert into t (v) values (?)')
    db.transaction(() => {
      for (let i = 0; i < 500; i++) insert.run(Buffer.alloc(4000, i))
    })()
    // ~2 MB committed to the WAL, far below the backstop: only the worker can move it to the file.
    const deadline = Date.now() + 5000
    while (statSync(file).size < before + 1_000_000 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20))
    expect(statSync(file).size).toBeGreaterThan(before + 1_000_000)
    await ckpt.close()
    expect(ckpt.running).toBe(false)
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000)
    ckpt.start() // closed: stays off
    expect(ckpt.running).toBe(false)
    expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 500 })
    db.close()
  })

  it('does nothing for an in-memory database', async () => {
    const db = openSqliteHandle(':memory:')
    const ckpt = new Checkpointer(db)
    ckpt.start()
    expect(ckpt.running).toBe(false)
    await ckpt.close()
    db.close()
  })
})
