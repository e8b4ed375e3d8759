import { afterEach, describe, expect, it } from 'vitest'
import { type Keypair, Secp256k1Keypair } from '@stratus/core/crypto'
import { type CommitMessage, type CommitProof, claimedPrevData, proveCommit } from '@stratus/core/sync'
import { FakeNetwork, post } from '../../../../core/src/sync/test-util.ts'
import { VerifyPool } from './verify-pool.ts'
import { packJobs, packResults, unpackJobs, unpackResults } from './verify-wire.ts'

/** A genesis commit and `n` more, each creating one post. */
function commits(n: number): { key: Keypair; msgs: CommitMessage[] } {
  const net = new FakeNetwork()
  const { acct, msg } = net.genesis('alice', [post('3kaaaaaaaa000', 'post 0')])
  const msgs = [msg]
  for (let i = 1; i <= n; i++)
    msgs.push(net.commit(acct, [post(`3kaaaaaaaa${String(i).padStart(3, '0')}`, `post ${i}`)]))
  return { key: acct.key, msgs }
}

const plain = (p: CommitProof | undefined) =>
  p && { ...p, records: p.ok ? [...p.records].map(([k, v]) => [k, Buffer.from(v).toString('hex')]) : undefined }

describe('verify wire', () => {
  it('carries creates, updates and deletes (CIDs as bytes) and their proofs across unchanged', () => {
    const net = new FakeNetwork()
    const { acct, msg } = net.genesis('alice', [post('3kaaaaaaaa000', 'first'), post('3kaaaaaaaa001', 'second')])
    const edited = post('3kaaaaaaaa000', 'edited') as { collection: string; rkey: string; record: unknown }
    const update = {
      action: 'update' as const,
      collection: edited.collection,
      rkey: edited.rkey,
      record: edited.record,
    }
    const del = { action: 'delete' as const, collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaa001' }
    const msgs = [msg, net.commit(acct, [update, del])]
    const jobs = msgs.map((m) => ({ msg: m, signingKey: acct.key.did(), prevData: claimedPrevData(m) as never }))
    const back = unpackJobs(structuredClone(packJobs(7, jobs)))
    for (let i = 0; i < jobs.length; i++) {
      const [a, b] = [jobs[i].msg, back[i].msg]
      expect([b.repo, b.rev, b.since, b.commit.toString(), String(b.prevData)]).toEqual([
        a.repo,
        a.rev,
        a.since,
        a.commit.toString(),
        String(jobs[i].prevData),
      ])
      expect(b.ops.map((o) => [o.action, o.path, String(o.cid), String(o.prev)])).toEqual(
        a.ops.map((o) => [o.action, o.path, String(o.cid), String(o.prev)]),
      )
      expect(Buffer.from(b.blocks).equals(Buffer.from(a.blocks))).toBe(true)
    }
    expect(msgs[1].ops.map((o) => o.action).sort()).toEqual(['delete', 'update'])
    const proofs = back.map((j, i) => (i === 0 ? proveCommit(j.msg, j.signingKey, j.prevData) : null))
    proofs.push({ ok: false, signingKey: 'k', prevData: 'p', code: 'bad-signature', message: 'nope' })
    const answered = unpackResults(structuredClone(packResults(7, [...back, back[0]], proofs)), [...jobs, jobs[0]])
    expect(plain(answered[0])).toEqual(plain(proveCommit(jobs[0].msg, jobs[0].signingKey, jobs[0].prevData)))
    expect(answered[1]).toBeUndefined()
    expect(answered[2]).toMatchObject({ ok: false, code: 'bad-signature', message: 'nope' })
  })
})

describe('VerifyPool', () => {
  let pool: VerifyPool | undefined
  afterEach(async () => {
    await pool?.close()
  })

  it('proves on a worker exactly what proveCommit proves inline, failures included', async () => {
    pool = new VerifyPool({ workers: 1 })
    const { key, msgs } = commits(5)
    const wrongKey = Secp256k1Keypair.create().did()
    const jobs = msgs.map((m, i) => ({ msg: m, key: i === 3 ? wrongKey : key.did() }))
    const proofs = await Promise.all(
      jobs.map((j) => (pool as VerifyPool).prove(j.msg, j.key, claimedPrevData(j.msg) as never)),
    )
    expect(pool.workers).toBe(1)
    for (let i = 0; i < jobs.length; i++) {
      const inline = proveCommit(jobs[i].msg, jobs[i].key, claimedPrevData(jobs[i].msg) as never)
      expect(plain(proofs[i])).toEqual(plain(inline))
    }
    expect(proofs.filter((p) => p?.ok)).toHaveLength(5)
    expect(proofs[3]).toMatchObject({ ok: false, code: 'bad-signature' })
  })

  it('starts its workers at once: ready() resolves before any job', async () => {
    pool = new VerifyPool({ workers: 1 })
    await pool.ready()
    expect(pool.workers).toBe(1)
    const { key, msgs } = commits(1)
    const proof = await pool.prove(msgs[0], key.did(), claimedPrevData(msgs[0]) as never)
    expect(proof?.ok).toBe(true) // proved on the worker (undefined = left to the caller)
  })

  it('lets a job that has not been posted be withdrawn (resolves undefined)', async () => {
    const { key, msgs } = commits(3)
    pool = new VerifyPool({ workers: 1 })
    const pending = msgs.slice(1).map((m) => (pool as VerifyPool).prove(m, key.did(), claimedPrevData(m) as never))
    pool.withdraw(msgs[1]) // same turn: nothing posted yet
    const [a, b, c] = await Promise.all(pending)
    expect(a).toBeUndefined()
    expect(b?.ok && c?.ok).toBe(true)
    expect(pool.withdrawn).toBe(1)
  })

  it('takes a job that comes after a newer commit (its key came late) in stream order: proved, or withdrawn', async () => {
    const { key, msgs } = commits(4)
    pool = new VerifyPool({ workers: 1 })
    const prove = (m: CommitMessage) => (pool as VerifyPool).prove(m, key.did(), claimedPrevData(m) as never)
    const pending = [prove(msgs[3]), prove(msgs[1]), prove(msgs[4]), prove(msgs[2])]
    pool.withdraw(msgs[2]) // late, not posted yet
    const [a, b, c, d] = await Promise.all(pending)
    expect(a?.ok && b?.ok && c?.ok).toBe(true)
    expect(d).toBeUndefined()
    expect(pool.withdrawn).toBe(1)
  })
  it('reserve posts at once the newest half of the waiting jobs, which can then no longer be withdrawn', async () => {
    const { key, msgs } = commits(40)
    pool = new VerifyPool({ workers: 1 })
    const prove = (m: CommitMessage) => (pool as VerifyPool).prove(m, key.did(), claimedPrevData(m) as never)
    expect((await prove(msgs[0]))?.ok).toBe(true) // the worker is loaded and ready
    const pending = msgs.slice(1).map(prove)
    pool.reserve(60_000) // same turn: nothing posted otherwise
    for (const m of msgs.slice(1)) pool.withdraw(m)
    const proofs = await Promise.all(pending)
    expect(pool.withdrawn).toBe(20)
    expect(proofs.slice(0, 20).every((p) => p === undefined)).toBe(true)
    expect(proofs.slice(20).every((p) => p?.ok)).toBe(true)
  })
})
