import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createXrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { type AppViewDb, openAppViewDb } from '../db/index.ts'
import { Hydrator } from '../hydration/hydrator.ts'
import { withRepoRev } from './repo-rev.ts'
import { json } from './util.ts'

describe('atproto-repo-rev', () => {
  let appDb: AppViewDb
  beforeAll(async () => {
    appDb = await openAppViewDb('sqlite::memory:')
    await appDb.db
      .insertInto('sync_repo')
      .values({ did: 'did:plc:alice', rev: '3kaaaaaaaaa22', data: null, status: 'active' })
      .execute()
  })
  afterAll(() => appDb.close())

  it("is the signed-in viewer's indexed revision, absent without a viewer or a known repository", async () => {
    const app = { appDb, db: appDb.db, hydrator: new Hydrator(appDb) } as unknown as AppViewContext
    const router = createXrpcRouter({})
    withRepoRev(router, app).query('com.example.echo', () => json({ ok: true }), {
      auth: ({ req }) => ({ did: req.headers.get('x-viewer') ?? undefined }),
    })
    const call = async (viewer?: string) => {
      const res = await router.handle(
        new Request('http://x/xrpc/com.example.echo', { headers: viewer ? { 'x-viewer': viewer } : {} }),
      )
      return { rev: res.headers.get('atproto-repo-rev'), body: await res.json() }
    }
    expect(await call('did:plc:alice')).toEqual({ rev: '3kaaaaaaaaa22', body: { ok: true } })
    expect(await call('did:plc:bob')).toEqual({ rev: null, body: { ok: true } })
    expect(await call()).toEqual({ rev: null, body: { ok: true } })
  })
})
