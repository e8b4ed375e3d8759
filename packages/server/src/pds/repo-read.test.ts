/**
 * com.atproto.repo.getRecord over HTTP, the answer checked byte for byte: `{uri, cid, value}` in that order
 * and the value's keys in DAG-CBOR order (as the official PDS sends it), the repo named by DID or by handle (any case), the `cid` parameter, and
 * the not-found cases. Takedowns and inactive accounts: admin.test.ts and lifecycle.test.ts.
 */
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newAccount } from './repo/test-helpers.ts'
import { type TestPds, startTestPds } from './test-util.ts'

let t: TestPds
let alice: Awaited<ReturnType<typeof newAccount>>
let uri: string
let cid: string
const value = { $type: 'com.example.note', text: 'héllo ✓', n: 3, tags: ['a', 'b'] }

beforeAll(async () => {
  t = await startTestPds({ rateLimits: false })
  alice = await newAccount(t, 'alice')
  const res = await alice.agent.com.atproto.repo.createRecord({
    repo: alice.did,
    collection: 'com.example.note',
    rkey: 'k1',
    record: value,
  })
  uri = res.data.uri
  cid = res.data.cid
})
afterAll(async () => {
  await t?.close()
})

async function get(query: Record<string, string>): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(`${t.url}/xrpc/com.atproto.repo.getRecord?${new URLSearchParams(query)}`)
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') }
}

describe('getRecord', () => {
  it('answers {uri, cid, value} exactly, by DID or by handle in any case', async () => {
    // The value's keys in DAG-CBOR order (shorter first), as decoding the stored record gives them.
    const stored = { n: value.n, tags: value.tags, text: value.text, $type: value.$type }
    const expected = JSON.stringify({ uri, cid, value: stored })
    const q = { collection: 'com.example.note', rkey: 'k1' }
    for (const repo of [alice.did, alice.handle, alice.handle.toUpperCase()]) {
      const res = await get({ repo, ...q })
      expect(res).toEqual({ status: 200, text: expected, type: 'application/json; charset=utf-8' })
    }
    expect((await get({ repo: alice.did, ...q, cid })).text).toBe(expected)
  })

  it('RecordNotFound for another version, another key or collection; Could not find repo for an unknown one', async () => {
    const other = 'bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz454'
    const missing: Record<string, string>[] = [
      { repo: alice.did, collection: 'com.example.note', rkey: 'k1', cid: other },
      { repo: alice.did, collection: 'com.example.note', rkey: 'k2' },
      { repo: alice.handle, collection: 'com.example.other', rkey: 'k1' },
    ]
    for (const query of missing) {
      const res = await get(query)
      expect(res.status).toBe(400)
      expect(JSON.parse(res.text)).toMatchObject({ error: 'RecordNotFound' })
    }
    for (const repo of ['did:plc:aaaaaaaaaaaaaaaaaaaaaaaa', 'nobody.test']) {
      const res = await get({ repo, collection: 'com.example.note', rkey: 'k1' })
      expect(res.status).toBe(400)
      expect(JSON.parse(res.text)).toEqual({ error: 'InvalidRequest', message: `Could not find repo: ${repo}` })
    }
  })

  it('answers what the database holds now, after writes here and commits by another connection', async () => {
    const q = { repo: alice.did, collection: 'com.example.note', rkey: 'k3' }
    const record = (text: string) => ({ $type: 'com.example.note', text })
    const put = (text: string) => alice.agent.com.atproto.repo.putRecord({ ...q, record: record(text) })
    const text = async () => {
      const res = await get(q)
      return res.status === 200 ? JSON.parse(res.text).value.text : JSON.parse(res.text).error
    }
    await put('one')
    expect(await text()).toBe('one')
    expect(await text()).toBe('one')
    await put('two')
    expect(await text()).toBe('two')
    // Another connection to the same file (an operator's tool, say) deactivates the account, then undoes it.
    const other = new BetterSqlite3(join(t.dataDir, 'pds.sqlite'))
    const deactivated = other.prepare('UPDATE account SET deactivated_at = ? WHERE did = ?')
    try {
      deactivated.run(new Date().toISOString(), q.repo)
      expect(await text()).toBe('RecordNotFound')
      deactivated.run(null, q.repo)
      expect(await text()).toBe('two')
    } finally {
      other.close()
    }
    await put('three')
    expect(await text()).toBe('three')
    await alice.agent.com.atproto.repo.deleteRecord(q)
    expect(await text()).toBe('RecordNotFound')
  })
})
