import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openPdsDatabase } from './index.ts'

describe('PdsDatabase WAL checkpoints', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  // The worker's checkpoint alone never catches up with writes that keep coming (the WAL would only grow);
  // the main thread's tail must let the WAL restart, so it holds only the writes since the last restart.
  it('keeps the WAL restarting while writes keep coming', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stratus-pds-ckpt-'))
    dirs.push(dir)
    const file = join(dir, 'pds.sqlite')
    const db = await openPdsDatabase({ url: `sqlite:${file}` })
    db.sqlite.exec('CREATE TABLE t (x BLOB)')
    const insert = db.stmt('INSERT INTO t VALUES (randomblob(3000))')
    const writes = 3000
    const until = Date.now() + 20_000
    for (let i = 0; i < writes && Date.now() < until; i++) {
      db.transact(() => insert.run())
      // Let the worker's answer and the main thread's tail run between writes, as between requests.
      if (i % 5 === 0) await new Promise((r) => setImmediate(r))
    }
    // A checkpoint reports the frames in the WAL: at least one per write had it never restarted.
    const [{ log }] = db.sqlite.pragma('wal_checkpoint(PASSIVE)') as { log: number }[]
    expect(log).toBeLessThan(writes / 2)
    expect(db.stmt('SELECT count(*) AS n FROM t').get()).toEqual({ n: writes })
    await db.close()
  })
})
