import { afterEach, describe, expect, it } from 'vitest'
import { type Keypair, Secp256k1Keypair } from '@stratus/core/crypto'
import { type CommitMessage, type CommitProof, claimedPrevData, proveCommit } from '@stratus/core/sync'
import { FakeNetwork, post } from '../../../../core/src/sync/test-util.ts'
import { VerifyPool } from './verify-pool.ts'

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

describe('VerifyPool', () => {
  let pool: VerifyPool | undefined
  afterEach(async () => {
    await pool?.close()
  })

  it('proves on a worker exactly what proveCommit proves inline, failures included', async () => {
    pool = new VerifyPool({ workers: 1, startAfter: 1 })
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

  it('lets a job that has not been posted be withdrawn (resolves undefined), and declines before starting', async () => {
    const { key, msgs } = commits(3)
    pool = new VerifyPool({ workers: 1, startAfter: 2 })
    const first = await pool.prove(msgs[0], key.did(), claimedPrevData(msgs[0]) as never)
    expect(first).toBeUndefined() // below startAfter: the caller proves inline
    const pending = msgs.slice(1).map((m) => (pool as VerifyPool).prove(m, key.did(), claimedPrevData(m) as never))
    pool.withdraw(msgs[1]) // same turn: nothing posted yet
    const [a, b, c] = await Promise.all(pending)
    expect(a).toBeUndefined()
    expect(b?.ok && c?.ok).toBe(true)
    expect(pool.withdrawn).toBe(1)
  })

  it('takes a job that comes after a newer commit (its key came late) in stream order: proved, or withdrawn', async () => {
    const { key, msgs } = commits(4)
    pool = new VerifyPool({ workers: 1, startAfter: 1 })
    const prove = (m: CommitMessage) => (pool as VerifyPool).prove(m, key.did(), claimedPrevData(m) as never)
    const pending = [prove(msgs[3]), prove(msgs[1]), prove(msgs[4]), prove(msgs[2])]
    pool.withdraw(msgs[2]) // late, not posted yet
    const [a, b, c, d] = await Promise.all(pending)
    expect(a?.ok && b?.ok && c?.ok).toBe(true)
    expect(d).toBeUndefined()
    expect(pool.withdrawn).toBe(1)
  })
})
