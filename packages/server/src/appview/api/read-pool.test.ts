import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { startAppView } from '../index.ts'

async function until(check: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('reader threads', () => {
  it('answer read-only queries with what the main thread committed, errors included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'appview-readers-'))
    const av = await startAppView({ port: 0, dbUrl: `sqlite:${join(dir, 'av.db')}`, logLevel: 'silent', readers: 1 })
    const pool = av.readers
    try {
      expect(pool?.size).toBe(1)
      const did = 'did:plc:readerthreadtest0000000'
      const uri = `at://${did}/app.bsky.feed.post/3kabc`
      const get = async () => {
        const res = await fetch(
          `${av.url}/xrpc/com.atproto.repo.getRecord?repo=${did}&collection=app.bsky.feed.post&rkey=3kabc`,
        )
        return { status: res.status, type: res.headers.get('content-type'), body: await res.json() }
      }
      // Answered on the main thread while the reader starts, or by the reader: the same either way.
      const early = await get()
      expect(early).toMatchObject({ status: 400, body: { error: 'RecordNotFound' } })
      await until(() => pool?.ready === 1)
      const served = pool?.served ?? 0
      const inline = pool?.inline ?? 0
      expect(await get()).toEqual(early)
      const now = new Date().toISOString()
      await av.ctx.db
        .insertInto('actor')
        .values({ did, handle: 'reader.test', status: 'active', indexed_at: now })
        .execute()
      const value = { $type: 'app.bsky.feed.post', text: 'hello from the writer', createdAt: now }
      await av.ctx.db
        .insertInto('record')
        .values({
          uri,
          cid: 'bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf5ofkd5i6x5ftoyy',
          did,
          collection: 'app.bsky.feed.post',
          rkey: '3kabc',
          json: JSON.stringify(value),
          indexed_at: now,
        })
        .execute()
      expect(await get()).toEqual({
        status: 200,
        type: 'application/json; charset=utf-8',
        body: { uri, cid: 'bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf5ofkd5i6x5ftoyy', value },
      })
      // one request at a time: answered on this thread (no hop to a reader and back)
      expect(pool?.inline).toBe(inline + 2)
      expect(pool?.served).toBe(served)
      // requests arriving together: the first here, the rest by the reader, all with the same answer
      const req = {
        nsid: 'com.atproto.repo.getRecord',
        params: { repo: did, collection: 'app.bsky.feed.post', rkey: '3kabc' },
        viewer: undefined,
      }
      const outs = await Promise.all(Array.from({ length: 4 }, () => pool?.run(req)))
      expect(pool?.inline).toBe(inline + 3)
      expect(pool?.served).toBe(served + 3)
      // answers are text, here and from the reader (no ArrayBuffer on this thread: see http/reply.ts)
      expect(outs.map((o) => typeof o?.body)).toEqual(['string', 'string', 'string', 'string'])
      const texts = outs.map((o) => o?.body as string)
      expect(texts.map((t) => JSON.parse(t))).toEqual(Array(4).fill({ uri, cid: expect.any(String), value }))
      // a burst: the reader holds two at a time (SQLite), the rest wait in the pool's queue, oldest first,
      // until it has room — none is parked behind a reader that is busy
      const burst = Array.from({ length: 8 }, () => pool?.run(req))
      expect(pool?.queued).toBe(5) // 8 - 1 answered here - 2 in the reader's hands
      const answers = await Promise.all(burst)
      expect(pool?.queued).toBe(0)
      expect(pool?.served).toBe(served + 3 + 7)
      for (const a of answers) expect(JSON.parse(a?.body as string)).toMatchObject({ uri })
      // a signed-in viewer's indexed revision is read where the answer is made, here or on the reader
      await av.ctx.db
        .insertInto('sync_repo')
        .values({ did: 'did:plc:viewer', rev: '3kaaaaaaaaa22', data: null, status: 'active' })
        .execute()
      const viewed = await Promise.all(Array.from({ length: 3 }, () => pool?.run({ ...req, viewer: 'did:plc:viewer' })))
      expect(pool?.served).toBe(served + 3 + 7 + 2)
      expect(viewed.map((o) => o?.headers?.['atproto-repo-rev'])).toEqual(Array(3).fill('3kaaaaaaaaa22'))
      expect((await pool?.run(req))?.headers?.['atproto-repo-rev']).toBeUndefined()
    } finally {
      await av.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
