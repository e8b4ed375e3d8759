import { CID } from '@stratus/core/data'
import { describe, expect, it } from 'vitest'
import { TestAccount, accountFrame, commitFrame, identityFrame, syncFrame } from '../test-util.ts'
import { FilterError, jetstreamMessages, parseJetstreamFilter } from './jetstream.ts'

const alice = new TestAccount('did:plc:jetjetjetjetjetjetjetjet')
const entry = (frame: Uint8Array) => ({ seq: 9, timeUs: 1_700_000_000_000_001, frame })

describe('jetstreamMessages', () => {
  it('turns each op of a commit into one Jetstream commit message with the record as JSON', () => {
    const linked = alice.repo.cid
    const created = alice.commit([
      {
        action: 'create',
        collection: 'app.bsky.feed.post',
        rkey: '3kpost',
        record: {
          $type: 'app.bsky.feed.post',
          text: 'hi',
          link: CID.parse(linked.toString()),
          raw: new Uint8Array([1, 2]),
        },
      },
      { action: 'create', collection: 'app.bsky.feed.like', rkey: '3klike', record: { $type: 'app.bsky.feed.like' } },
    ])
    const msgs = jetstreamMessages(entry(commitFrame(created, { seq: 1 })))
    expect(msgs.map((m) => m.collection)).toEqual(['app.bsky.feed.post', 'app.bsky.feed.like'])
    const post = JSON.parse(msgs[0].text)
    expect(post).toEqual({
      did: alice.did,
      time_us: 1_700_000_000_000_001,
      kind: 'commit',
      commit: {
        rev: created.rev,
        operation: 'create',
        collection: 'app.bsky.feed.post',
        rkey: '3kpost',
        record: { $type: 'app.bsky.feed.post', text: 'hi', link: { $link: linked.toString() }, raw: { $bytes: 'AQI' } },
        cid: created.ops.find((o) => o.path.endsWith('3kpost'))?.cid?.toString(),
      },
    })
    const changed = alice.commit([
      {
        action: 'update',
        collection: 'app.bsky.feed.like',
        rkey: '3klike',
        record: { $type: 'app.bsky.feed.like', n: 2 },
      },
      { action: 'delete', collection: 'app.bsky.feed.post', rkey: '3kpost' },
    ])
    const [update, del] = jetstreamMessages(entry(commitFrame(changed, { seq: 2 }))).map((m) => JSON.parse(m.text))
    expect(update.commit).toMatchObject({ operation: 'update', record: { n: 2 } })
    expect(del.commit).toEqual({
      rev: changed.rev,
      operation: 'delete',
      collection: 'app.bsky.feed.post',
      rkey: '3kpost',
    })
  })

  it('maps #identity and #account, and skips #sync', () => {
    const [id] = jetstreamMessages(entry(identityFrame(alice.did, 4, 'alice.test')))
    expect(JSON.parse(id.text)).toMatchObject({
      kind: 'identity',
      identity: { did: alice.did, handle: 'alice.test', seq: 4 },
    })
    const [acct] = jetstreamMessages(entry(accountFrame(alice.did, 5, false, 'deactivated')))
    expect(JSON.parse(acct.text)).toMatchObject({ kind: 'account', account: { active: false, status: 'deactivated' } })
    expect(jetstreamMessages(entry(syncFrame(alice, 6)))).toEqual([])
    expect(jetstreamMessages(entry(new Uint8Array([1, 2, 3])))).toEqual([])
  })
})

describe('parseJetstreamFilter', () => {
  it('accepts NSIDs, prefixes and DIDs, repeated or comma-separated', () => {
    const f = parseJetstreamFilter(
      new URLSearchParams(
        'wantedCollections=app.bsky.feed.post,app.bsky.graph.*&wantedDids=did:plc:abc&wantedDids=did:web:x.com',
      ),
    )
    expect([...f.collections]).toEqual(['app.bsky.feed.post'])
    expect(f.prefixes).toEqual(['app.bsky.graph.'])
    expect([...f.dids]).toEqual(['did:plc:abc', 'did:web:x.com'])
  })

  it('refuses invalid values and oversized lists', () => {
    expect(() => parseJetstreamFilter(new URLSearchParams('wantedCollections=not an nsid'))).toThrow(FilterError)
    expect(() => parseJetstreamFilter(new URLSearchParams('wantedDids=alice'))).toThrow(FilterError)
    const many = Array.from({ length: 101 }, (_, i) => `com.example.c${i}`).join(',')
    expect(() => parseJetstreamFilter(new URLSearchParams(`wantedCollections=${many}`))).toThrow(FilterError)
  })
})
