import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Secp256k1Keypair } from '@stratus/core/crypto'
import { type CID, encodeBlock } from '@stratus/core/data'
import {
  MemoryBlockStore,
  type RecordWrite,
  Repo,
  RepoError,
  exportRepoCarBytes,
  repoBlocks,
  verifyRepoCar,
  verifyRepoTree,
} from '@stratus/core/repo'
import { tidFromTime } from '@stratus/core/syntax'
import { afterAll, describe, expect, it } from 'vitest'
import { SqliteBlockStore } from './index.ts'

const did = 'did:plc:sqlitestoreaaaaaaaaaaaaa'
const COLL = 'com.example.record'
const keypair = Secp256k1Keypair.create()
const dir = mkdtempSync(join(tmpdir(), 'repo-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** mulberry32, seeded so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Random batches of creates/updates/deletes against the current repo state (same for any store). */
function randomBatch(rnd: () => number, repo: Repo, round: number): RecordWrite[] {
  const existing = repo.data.list().map((e) => e.key.split('/')[1])
  const writes: RecordWrite[] = []
  const used = new Set<string>()
  for (let i = 0; i < 1 + Math.floor(rnd() * 12); i++) {
    const r = rnd()
    if (r < 0.5 || existing.length === 0) {
      // Every fifth create reuses a shared record body, so identical record blocks occur.
      const record = i % 5 === 0 ? { $type: COLL, shared: true } : { $type: COLL, round, i }
      writes.push({ action: 'create', collection: COLL, rkey: `k${round}-${i}`, record })
      continue
    }
    const rkey = existing[Math.floor(rnd() * existing.length)]
    if (used.has(rkey)) continue
    used.add(rkey)
    if (r < 0.75) writes.push({ action: 'update', collection: COLL, rkey, record: { $type: COLL, upd: round, i } })
    else writes.push({ action: 'delete', collection: COLL, rkey })
  }
  return writes
}

/** The CIDs reachable from the current commit: what a garbage-collected store must hold exactly. */
function reachable(store: SqliteBlockStore | MemoryBlockStore, root: CID): string[] {
  return [...new Set([...repoBlocks(store, root)].map((b) => b.cid.toString()))].sort()
}

const rev = (n: number) => tidFromTime(1_700_000_000_000_000 + n * 1000, 7)

describe('SqliteBlockStore', () => {
  it('gives the same commits as the memory store and keeps exactly the reachable blocks', () => {
    const rnd = prng(1)
    const sqlite = SqliteBlockStore.open(':memory:')
    const memory = new MemoryBlockStore()
    let a = Repo.create(sqlite, did, keypair, [], { rev: rev(0) })
    let b = Repo.create(memory, did, keypair, [], { rev: rev(0) })
    for (let round = 1; round <= 60; round++) {
      const writes = randomBatch(rnd, a, round)
      a = a.applyWrites(writes, keypair, { rev: rev(round) }).repo
      b = b.applyWrites(writes, keypair, { rev: rev(round) }).repo
      expect(a.cid.toString()).toBe(b.cid.toString())
      if (round % 10 === 0) {
        const want = reachable(sqlite, a.cid)
        expect([...sqlite.cids()].map(String).sort()).toEqual(want)
        expect(sqlite.countBlocks()).toBe(want.length)
        expect(memory.size).toBe(want.length)
      }
    }
    expect(a.data.list().length).toBeGreaterThan(50)
    // The stored repository verifies as a whole.
    expect(verifyRepoTree(sqlite, a.cid, { did, signingKey: keypair.did() }).entries.length).toBe(a.data.list().length)
    expect(sqlite.getRoot()?.cid.toString()).toBe(a.cid.toString())
    sqlite.close()
  })

  it('deleting everything leaves only the commit and the empty root node', () => {
    const store = SqliteBlockStore.open(':memory:')
    const writes: RecordWrite[] = Array.from({ length: 100 }, (_, i) => ({
      action: 'create',
      collection: COLL,
      rkey: `r${i}`,
      record: { $type: COLL, i: i % 7 }, // shared record blocks
    }))
    let repo = Repo.create(store, did, keypair, writes)
    expect(store.countBlocks()).toBe(1 + [...repo.data.nodes()].length + 7)
    repo = repo.applyWrites(
      writes.slice(0, 50).map((w) => ({ action: 'delete', collection: COLL, rkey: w.rkey })),
      keypair,
    ).repo
    expect([...store.cids()].map(String).sort()).toEqual(reachable(store, repo.cid))
    expect(store.has(encodeBlock({ $type: COLL, i: 3 }).cid)).toBe(true)
    repo = repo.applyWrites(
      writes.slice(50).map((w) => ({ action: 'delete', collection: COLL, rkey: w.rkey })),
      keypair,
    ).repo
    expect(store.countBlocks()).toBe(2)
    expect(repo.data.list()).toEqual([])
    store.close()
  })

  it('refuses a commit that does not follow the stored root, changing nothing', () => {
    const store = SqliteBlockStore.open(':memory:')
    const repo = Repo.create(store, did, keypair, [
      { action: 'create', collection: COLL, rkey: 'a', record: { $type: COLL } },
    ])
    const c1 = repo.formatCommit([{ action: 'create', collection: COLL, rkey: 'b', record: { $type: COLL } }], keypair)
    const c2 = repo.formatCommit([{ action: 'create', collection: COLL, rkey: 'c', record: { $type: COLL } }], keypair)
    repo.applyCommit(c1)
    const before = [...store.cids()].map(String).sort()
    expect(() => repo.applyCommit(c2)).toThrow(RepoError)
    expect([...store.cids()].map(String).sort()).toEqual(before)
    expect(store.getRoot()?.cid.toString()).toBe(c1.cid.toString())
    store.close()
  })

  it('imports a verified CAR and exports the same CAR', () => {
    const memory = new MemoryBlockStore()
    const writes: RecordWrite[] = Array.from({ length: 300 }, (_, i) => ({
      action: 'create',
      collection: COLL,
      rkey: `r${i}`,
      record: { $type: COLL, i },
    }))
    const src = Repo.create(memory, did, keypair, writes)
    const car = exportRepoCarBytes(memory, src.cid)
    const verified = verifyRepoCar(car, { did, signingKey: keypair.did() })
    const store = SqliteBlockStore.open(join(dir, 'import.sqlite'))
    store.applyCommit(verified.toImportCommit())
    expect(exportRepoCarBytes(store, src.cid)).toEqual(car)
    const loaded = Repo.load(store)
    const next = loaded.applyWrites([{ action: 'delete', collection: COLL, rkey: 'r1' }], keypair).repo
    expect([...store.cids()].map(String).sort()).toEqual(reachable(store, next.cid))
    store.close()
  })

  it('is durable: a process killed mid-stream keeps every commit it finished', () => {
    const path = join(dir, 'durable.sqlite')
    const child = join(dir, 'child.ts')
    // Absolute paths: the child script lives in a temp folder with no node_modules above it.
    const storeModule = fileURLToPath(new URL('./index.ts', import.meta.url))
    const coreModule = (m: string) => fileURLToPath(new URL(`../../../core/src/${m}/index.ts`, import.meta.url))
    writeFileSync(
      child,
      `
import { writeSync } from 'node:fs'
import { Secp256k1Keypair } from ${JSON.stringify(coreModule('crypto'))}
import { Repo } from ${JSON.stringify(coreModule('repo'))}
import { SqliteBlockStore } from ${JSON.stringify(storeModule)}
const keypair = Secp256k1Keypair.create()
const store = SqliteBlockStore.open(${JSON.stringify(path)})
let repo = Repo.create(store, ${JSON.stringify(did)}, keypair)
for (let i = 0; i < 40; i++) {
  repo = repo.applyWrites([{ action: 'create', collection: 'com.example.record', rkey: 'r' + i, record: { $type: 'com.example.record', i } }], keypair).repo
  writeSync(1, repo.cid.toString() + ' ' + keypair.did() + '\\n')
}
process.kill(process.pid, 'SIGKILL')
`,
    )
    const res = spawnSync(process.execPath, ['--import', 'tsx', child], {
      cwd: fileURLToPath(new URL('../../../..', import.meta.url)),
      encoding: 'utf8',
    })
    expect(res.signal, JSON.stringify(res.stderr.slice(0, 500))).toBe('SIGKILL')
    const lines = res.stdout.trim().split('\n')
    expect(lines.length).toBe(40)
    const [lastCid, key] = lines[lines.length - 1].split(' ')
    const store = SqliteBlockStore.open(path)
    expect(String(store.db.pragma('journal_mode', { simple: true }))).toBe('wal')
    const root = store.getRoot()
    expect(root?.cid.toString()).toBe(lastCid)
    const tree = verifyRepoTree(store, root?.cid as CID, { did, signingKey: key })
    expect(tree.entries.length).toBe(40)
    expect([...store.cids()].map(String).sort()).toEqual(reachable(store, root?.cid as CID))
    store.close()
  })
})
