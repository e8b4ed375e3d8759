import { describe, expect, it } from 'vitest'
import { Secp256k1Keypair } from '../crypto/index.ts'
import type { RecordWrite } from '../repo/index.ts'
import type { CommitMessage, RepoMessage } from './messages.ts'
import { type CommitProof, type CommitVerifier, proveCommit } from './repo-check.ts'
import { MemorySyncStore } from './store.ts'
import { type BatchAck, createSync, type SyncOptions } from './sync.ts'
import { FakeNetwork, fromArray, post } from './test-util.ts'
import type { RecordEvent, SyncEvent } from './types.ts'

/** Runs a Sync over the messages until idle; returns the delivered events. */
async function run(net: FakeNetwork, messages: RepoMessage[], opts: Partial<SyncOptions> = {}) {
  const events: SyncEvent[] = []
  const errors: unknown[] = []
  const store = (opts.store as MemorySyncStore | undefined) ?? new MemorySyncStore()
  const sync = createSync({
    messages: fromArray(messages),
    store,
    identity: net.identity(),
    fetch: net.fetch,
    onEvents: async (batch) => {
      events.push(...batch)
    },
    onError: (err) => errors.push(err),
    cursorIntervalMs: 0,
    ...opts,
  } as SyncOptions)
  await sync.start()
  await waitFor(() => sync.stats.messages >= messages.length)
  await sync.idle()
  await sync.stop()
  return { events, errors, store, sync }
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 5))
  }
}

const records = (events: SyncEvent[]) =>
  events.filter((e): e is RecordEvent => e.type === 'create' || e.type === 'update' || e.type === 'delete')
const summary = (events: SyncEvent[]) => records(events).map((e) => `${e.type} ${e.collection}/${e.rkey}`)

/** What the repository holds (path → cid) for the filtered collections. */
function contents(net: FakeNetwork, did: string): Map<string, string> {
  const acct = net.accounts.get(did)
  if (!acct) throw new Error('no account')
  const out = new Map<string, string>()
  for (const e of acct.repo.data.list()) out.set(e.key, e.cid.toString())
  return out
}

describe('sync kit: firehose messages', () => {
  it('delivers creates, updates and deletes of new repositories in order, with identity first', async () => {
    const net = new FakeNetwork()
    const a = net.genesis('alice', [post('3kaaaaaaaaaa2', 'hi')])
    const b = net.genesis('bob', [post('3kaaaaaaaaaa2', 'hi')])
    const [alice, bob] = [a.acct, b.acct]
    const msgs: RepoMessage[] = [a.msg, b.msg]
    msgs.push(
      net.commit(alice, [
        {
          action: 'update',
          collection: 'app.bsky.feed.post',
          rkey: '3kaaaaaaaaaa2',
          record: { $type: 'app.bsky.feed.post', text: 'edited', createdAt: '2024-01-01T00:00:00.000Z' },
        },
      ]),
    )
    msgs.push(net.commit(bob, [{ action: 'delete', collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaaaa2' }]))
    const { events, store } = await run(net, msgs)
    expect(events.map((e) => `${e.type} ${e.did === alice.did ? 'alice' : 'bob'}`)).toEqual([
      'identity alice',
      'create alice',
      'identity bob',
      'create bob',
      'update alice',
      'delete bob',
    ])
    expect((events[0] as { handle?: string }).handle).toBe('alice.test')
    const upd = records(events).find((e) => e.type === 'update')
    expect((upd?.record as { text?: string } | undefined)?.text).toBe('edited')
    expect(upd?.cid?.toString()).toBe(alice.repo.getRecordCid('app.bsky.feed.post', '3kaaaaaaaaaa2')?.toString())
    expect(net.getRepoCalls).toEqual([])
    expect(store.cursor).toBe(4)
    expect((await store.getRepo(alice.did))?.data).toBe(alice.repo.commit.data.toString())
  })

  it('backfills a repository seen for the first time mid-history, then follows it', async () => {
    const net = new FakeNetwork()
    const alice = net.account('alice')
    net.commit(alice, [post('3kaaaaaaaaaa2', 'one'), post('3kaaaaaaaaaa3', 'two')]) // before we listen
    const m1 = net.commit(alice, [post('3kaaaaaaaaaa4', 'three')])
    const m2 = net.commit(alice, [post('3kaaaaaaaaaa5', 'four')])
    // The PDS is already past m2 when we download: m1 triggers the backfill, m1 and m2 are then old news.
    const store = new MemorySyncStore()
    const { events, errors } = await run(net, [m1, m2], { store })
    expect(errors).toEqual([])
    expect(net.getRepoCalls).toEqual([alice.did])
    expect(summary(events).sort()).toEqual(
      ['3kaaaaaaaaaa2', '3kaaaaaaaaaa3', '3kaaaaaaaaaa4', '3kaaaaaaaaaa5'].map((r) => `create app.bsky.feed.post/${r}`),
    )
    expect(records(events).every((e) => e.source === 'backfill')).toBe(true)
    const m3 = net.commit(alice, [{ action: 'delete', collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaaaa4' }])
    const after = await run(net, [m3], { store })
    expect(summary(after.events)).toEqual(['delete app.bsky.feed.post/3kaaaaaaaaaa4'])
    expect(records(after.events)[0].source).toBe('firehose')
    expect(net.getRepoCalls).toHaveLength(1)
  })

  it('resyncs a broken chain (a missed commit) into exact creates/updates/deletes', async () => {
    const net = new FakeNetwork()
    const alice = net.account('alice')
    const store = new MemorySyncStore()
    const first = await run(net, [net.commit(alice, [post('3kaaaaaaaaaa2', 'a'), post('3kaaaaaaaaaa3', 'b')])], {
      store,
    })
    expect(summary(first.events).length).toBe(2)
    net.commit(alice, [{ action: 'delete', collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaaaa2' }]) // missed
    net.commit(alice, [
      { action: 'update', collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaaaa3', record: { text: 'B' } },
    ]) // missed
    const next = net.commit(alice, [post('3kaaaaaaaaaa4', 'c')])
    const second = await run(net, [next], { store })
    expect(summary(second.events).sort()).toEqual([
      'create app.bsky.feed.post/3kaaaaaaaaaa4',
      'delete app.bsky.feed.post/3kaaaaaaaaaa2',
      'update app.bsky.feed.post/3kaaaaaaaaaa3',
    ])
    expect(await store.listRecords(alice.did)).toEqual(contents(net, alice.did))
    expect(second.sync.stats.resyncs).toBe(1)
  })

  it('never delivers a commit signed with the wrong key; the resync restores the truth', async () => {
    const net = new FakeNetwork()
    const alice = net.account('alice')
    const store = new MemorySyncStore()
    await run(net, [net.commit(alice, [post('3kaaaaaaaaaa2', 'a')])], { store })
    const forged = net.forge(alice, [post('3kaaaaaaaaaa3', 'forged')], Secp256k1Keypair.create())
    net.commit(alice, [post('3kaaaaaaaaaa4', 'real')])
    const { events } = await run(net, [forged], { store })
    expect(summary(events)).toEqual(['create app.bsky.feed.post/3kaaaaaaaaaa4'])
    expect(await store.listRecords(alice.did)).toEqual(contents(net, alice.did))
  })

  it('follows a key rotation (re-resolves the DID once when a signature fails)', async () => {
    const net = new FakeNetwork()
    const alice = net.account('alice')
    const store = new MemorySyncStore()
    const identity = net.identity()
    await run(net, [net.commit(alice, [post('3kaaaaaaaaaa2', 'a')])], { store, identity })
    alice.key = Secp256k1Keypair.create() // rotated; the cached DID document still has the old key
    const m = net.commit(alice, [post('3kaaaaaaaaaa3', 'b')])
    const { events, sync } = await run(net, [m], { store, identity })
    expect(summary(events)).toEqual(['create app.bsky.feed.post/3kaaaaaaaaaa3'])
    expect(sync.stats.resyncs).toBe(0)
  })

  it('skips replays by revision and filters by collection and DID', async () => {
    const net = new FakeNetwork()
    const alice = net.account('alice')
    const bob = net.account('bob')
    const like: RecordWrite = {
      action: 'create',
      collection: 'app.bsky.feed.like',
      rkey: '3kaaaaaaaaaa9',
      record: { subject: { uri: 'at://x', cid: 'y' }, createdAt: '2024-01-01T00:00:00.000Z' },
    }
    const msgs = [
      net.commit(alice, [post('3kaaaaaaaaaa2', 'a'), like]),
      net.commit(bob, [post('3kaaaaaaaaaa2', 'b')]),
      net.commit(alice, [post('3kaaaaaaaaaa3', 'c')]),
    ]
    const store = new MemorySyncStore()
    const { events } = await run(net, [...msgs, ...msgs], {
      store,
      filter: { collections: ['app.bsky.feed.post'], dids: [alice.did] },
    })
    expect(summary(events)).toEqual([
      'create app.bsky.feed.post/3kaaaaaaaaaa2',
      'create app.bsky.feed.post/3kaaaaaaaaaa3',
    ])
    expect(events.every((e) => e.did === alice.did)).toBe(true)
    const prefix = await run(net, msgs, { filter: { collections: ['app.bsky.feed.*'] } })
    expect(summary(prefix.events)).toHaveLength(4)
  })

  it('redelivers a batch whose handler failed, and acknowledges only after success', async () => {
    const net = new FakeNetwork()
    const alice = net.account('alice')
    const msgs = [net.commit(alice, [post('3kaaaaaaaaaa2', 'a')]), net.commit(alice, [post('3kaaaaaaaaaa3', 'b')])]
    let failures = 0
    const seen: string[] = []
    const store = new MemorySyncStore()
    const cursors: (number | undefined)[] = []
    const { errors } = await run(net, msgs, {
      store,
      onEvents: async (batch) => {
        cursors.push(store.cursor)
        if (failures < 2) {
          failures++
          throw new Error('database is busy')
        }
        seen.push(...summary(batch))
      },
    })
    expect(failures).toBe(2)
    expect(errors.map(String)).toEqual(['Error: database is busy', 'Error: database is busy'])
    expect(cursors.slice(0, 3)).toEqual([undefined, undefined, undefined])
    expect(seen).toEqual(['create app.bsky.feed.post/3kaaaaaaaaaa2', 'create app.bsky.feed.post/3kaaaaaaaaaa3'])
    expect(store.cursor).toBe(msgs[1].seq)
  })

  it('backfillRepo pulls a chosen account on demand; a store without listRecords gets creates only', async () => {
    const net = new FakeNetwork()
    const alice = net.account('alice')
    net.commit(alice, [post('3kaaaaaaaaaa2', 'a'), post('3kaaaaaaaaaa3', 'b')])
    const events: SyncEvent[] = []
    const bare = new MemorySyncStore()
    const store = {
      getCursor: () => bare.getCursor(),
      setCursor: (c: number) => bare.setCursor(c),
      getRepo: (d: string) => bare.getRepo(d),
      setRepo: (d: string, s: Parameters<MemorySyncStore['setRepo']>[1]) => bare.setRepo(d, s),
    }
    const sync = createSync({
      messages: fromArray([]),
      store,
      identity: net.identity(),
      fetch: net.fetch,
      onEvent: async (e) => {
        events.push(e)
      },
    })
    await sync.start()
    await sync.backfillRepo(alice.did)
    await sync.backfillRepo(alice.did)
    await sync.stop()
    expect(summary(events)).toEqual([
      'create app.bsky.feed.post/3kaaaaaaaaaa2',
      'create app.bsky.feed.post/3kaaaaaaaaaa3',
      'create app.bsky.feed.post/3kaaaaaaaaaa2',
      'create app.bsky.feed.post/3kaaaaaaaaaa3',
    ])
    await expect(sync.backfillRepo('did:plc:aaaaaaaaaaaaaaaaaaaaaaaa')).rejects.toThrow()
  })

  it('marks a repository desynchronized when its PDS cannot serve it', async () => {
    const net = new FakeNetwork()
    const alice = net.account('alice')
    net.commit(alice, [post('3kaaaaaaaaaa2', 'a')])
    const m = net.commit(alice, [post('3kaaaaaaaaaa3', 'b')])
    const broken: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input)
      if (url.includes('getRepo')) return Response.json({ error: 'RepoTakendown' }, { status: 400 })
      return net.fetch(input, init)
    }
    const { events, store, errors, sync } = await run(net, [m], { fetch: broken })
    expect(summary(events)).toEqual([])
    expect((await store.getRepo(alice.did))?.status).toBe('desynchronized')
    expect(errors.length).toBe(1)
    expect(sync.stats.failedResyncs).toBe(1)
  })

  it('uses proofs computed ahead by a verifier, proving inline what it declines or withdraws', async () => {
    const net = new FakeNetwork()
    const alice = net.account('alice')
    const store = new MemorySyncStore()
    await run(net, [net.commit(alice, [post('3kaaaaaaaaaa2', 'a')])], { store })
    const msgs: RepoMessage[] = []
    for (let i = 3; i < 9; i++) msgs.push(net.commit(alice, [post(`3kaaaaaaaaaa${i}`, `p${i}`)]))
    const forged = net.forge(alice, [post('3kaaaaaaaaaaz', 'forged')], Secp256k1Keypair.create())
    msgs.splice(3, 0, forged)
    const asked: string[] = []
    const busy = new Set<CommitMessage>()
    const withdrawn = new Set<CommitMessage>()
    const held = new Map<CommitMessage, (p: undefined) => void>()
    let n = 0
    const verifier: CommitVerifier = {
      // in turn: proved ahead, declined, and kept by a "busy worker" until the kit withdraws it
      async prove(msg: CommitMessage, key, prevData): Promise<CommitProof | undefined> {
        asked.push(msg.rev)
        const turn = n++ % 3
        if (turn === 0) return proveCommit(msg, key, prevData)
        if (turn === 1) return undefined
        busy.add(msg)
        if (withdrawn.has(msg)) return undefined
        return new Promise((resolve) => held.set(msg, resolve))
      },
      withdraw: (msg) => {
        withdrawn.add(msg)
        held.get(msg)?.(undefined)
        held.delete(msg)
      },
    }
    const { events } = await run(net, msgs, { store, verifier })
    expect(asked).toHaveLength(msgs.length)
    expect(busy.size).toBe(Math.floor(msgs.length / 3))
    expect([...busy].every((m) => withdrawn.has(m))).toBe(true) // the kit did not wait for the busy worker
    expect(summary(events)).toEqual([3, 4, 5, 6, 7, 8].map((i) => `create app.bsky.feed.post/3kaaaaaaaaaa${i}`))
    expect(await store.listRecords(alice.did)).toEqual(contents(net, alice.did))
  })

  it('with persistInHandler, hands the cursor and repository states to the handler instead of the store', async () => {
    const net = new FakeNetwork()
    const g = net.genesis('alice', [post('3kaaaaaaaaaa2', 'a')])
    const alice = g.acct
    const msgs = [g.msg, net.commit(alice, [post('3kaaaaaaaaaa3', 'b')])]
    const store = new MemorySyncStore()
    const setRepo: string[] = []
    const counting = Object.assign(Object.create(store), {
      setRepo: async (did: string, s: Parameters<MemorySyncStore['setRepo']>[1]) => {
        setRepo.push(did)
        await store.setRepo(did, s)
      },
    }) as MemorySyncStore
    const acks: BatchAck[] = []
    await run(net, msgs, {
      store: counting,
      persistInHandler: true,
      onEvents: async (_events, ack) => {
        acks.push(ack)
        for (const [did, s] of ack.repos) await store.setRepo(did, s) // "in the same transaction"
      },
    })
    expect(acks.at(-1)?.cursor).toBe(msgs[1].seq)
    expect(acks.at(-1)?.repos.get(alice.did)?.data).toBe(alice.repo.commit.data.toString())
    expect(setRepo).toEqual([])
    expect(await counting.getCursor()).toBe(msgs[1].seq) // written on stop
    const again = await run(net, msgs, { store })
    expect(summary(again.events)).toEqual([])
    expect(again.sync.stats.skipped).toBe(2)
  })
})
