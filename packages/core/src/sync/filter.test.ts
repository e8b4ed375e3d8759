import { describe, expect, it } from 'vitest'
import { CID, cidForCbor, encodeCbor } from '../data/index.ts'
import { compileFilter } from './filter.ts'
import { MessageError, parseRepoMessage } from './messages.ts'

describe('compileFilter', () => {
  it('matches exact NSIDs and dot-star prefixes only', () => {
    const f = compileFilter({ collections: ['app.bsky.feed.post', 'app.bsky.graph.*'] })
    expect(f.wantsCollection('app.bsky.feed.post')).toBe(true)
    expect(f.wantsCollection('app.bsky.feed.like')).toBe(false)
    expect(f.wantsCollection('app.bsky.graph.follow')).toBe(true)
    expect(f.wantsCollection('app.bsky.graphx.follow')).toBe(false)
    expect(f.wantsPath('app.bsky.graph.block/3kabc')).toBe(true)
    expect(f.wantsPath('com.example.thing/3kabc')).toBe(false)
    expect(f.wantsDid('did:plc:anything')).toBe(true)
  })

  it('empty means everything; dids restrict accounts', () => {
    const f = compileFilter({ dids: ['did:plc:a'] })
    expect(f.wantsCollection('anything.at.all')).toBe(true)
    expect(f.wantsDid('did:plc:a')).toBe(true)
    expect(f.wantsDid('did:plc:b')).toBe(false)
    expect(compileFilter({ collections: ['*'] }).wantsCollection('x.y.z')).toBe(true)
  })
})

describe('parseRepoMessage', () => {
  const cid = cidForCbor(encodeCbor({ a: 1 }))
  const commit = {
    seq: 5,
    repo: 'did:plc:ewvi7nxzyoun6zhxrhs64oiz',
    commit: cid,
    rev: '3kaaaaaaaaaa2',
    since: null,
    blocks: new Uint8Array([1]),
    ops: [{ action: 'create', path: 'app.bsky.feed.post/3kaaaaaaaaaa2', cid }],
    prevData: cid,
    tooBig: false,
    time: '2024-01-01T00:00:00.000Z',
  }

  it('types commits, identity, account, info and unknown messages', () => {
    const m = parseRepoMessage('#commit', commit)
    expect(m).toMatchObject({ type: 'commit', seq: 5, since: null, tooBig: false })
    expect(m.type === 'commit' && m.prevData instanceof CID).toBe(true)
    expect(parseRepoMessage('#identity', { seq: 6, did: commit.repo, handle: 'a.test' })).toMatchObject({
      type: 'identity',
      handle: 'a.test',
    })
    expect(
      parseRepoMessage('#account', { seq: 7, did: commit.repo, active: false, status: 'takendown' }),
    ).toMatchObject({
      type: 'account',
      active: false,
      status: 'takendown',
    })
    expect(parseRepoMessage('#info', { name: 'OutdatedCursor' })).toEqual({
      type: 'info',
      name: 'OutdatedCursor',
      message: undefined,
    })
    expect(parseRepoMessage('#future', { seq: 9 })).toEqual({ type: 'unknown', t: '#future', seq: 9 })
  })

  it('rejects malformed bodies with MessageError', () => {
    const bad: [string, Record<string, unknown>][] = [
      ['#commit', { ...commit, seq: -1 }],
      ['#commit', { ...commit, seq: 1.5 }],
      ['#commit', { ...commit, repo: 'not a did' }],
      ['#commit', { ...commit, commit: 'bafy' }],
      ['#commit', { ...commit, blocks: 'x' }],
      ['#commit', { ...commit, ops: 'x' }],
      ['#commit', { ...commit, ops: [null] }],
      ['#commit', { ...commit, ops: [{ action: 'upsert', path: 'a/b' }] }],
      ['#commit', { ...commit, ops: [{ action: 'create', path: 5 }] }],
      ['#commit', { ...commit, since: 5 }],
      ['#sync', { seq: 1, did: commit.repo, rev: 5, blocks: new Uint8Array() }],
      ['#account', { seq: 1, did: commit.repo, active: 'yes' }],
      ['#identity', { seq: 'x', did: commit.repo }],
    ]
    for (const [t, body] of bad)
      expect(() => parseRepoMessage(t, body as never), `${t} ${JSON.stringify(Object.keys(body))}`).toThrow(
        MessageError,
      )
  })
})
