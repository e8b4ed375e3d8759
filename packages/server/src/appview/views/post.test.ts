import { jsonToLex } from '@stratus/core/data'
import { describe, expect, it } from 'vitest'
import { loadBundledLexicons } from '../../lexicons/index.ts'
import { Hydrator } from '../hydration/hydrator.ts'
import type { PostInfo } from '../hydration/state.ts'
import { blobUrls, feedViewPost, postView } from './index.ts'

const A = 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa'
const B = 'did:plc:bbbbbbbbbbbbbbbbbbbbbbbb'
const T = '2024-01-01T00:00:00.000Z'
const CID = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'
const BLOB = 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy'
const blob = { $type: 'blob', ref: { $link: BLOB }, mimeType: 'image/jpeg', size: 1000 }

function state(viewer?: string) {
  const s = new Hydrator(undefined as never).state(viewer)
  for (const did of [A, B])
    s.actors.set(did, { did, handle: `${did.slice(8, 9)}.test`, status: 'active', indexedAt: T })
  return s
}

function post(uri: string, creator: string, record: Record<string, unknown>): PostInfo {
  return {
    uri,
    cid: CID,
    creator,
    record: { $type: 'app.bsky.feed.post', text: 'x', createdAt: T, ...record },
    indexedAt: T,
    sortAt: T,
    replyRoot: null,
    replyParent: null,
    embedUri: null,
    counts: { like: 0, repost: 0, reply: 0, quote: 0 },
  }
}

const lexicons = loadBundledLexicons()
const valid = (posts: unknown[]) => lexicons.assertValidXrpcOutput('app.bsky.feed.getPosts', jsonToLex({ posts }))

describe('post and embed views', () => {
  const quoted = `at://${B}/app.bsky.feed.post/3kaaaaaaaaaa2`
  const urls = blobUrls('https://cdn.example/img')

  it('renders video, external and recordWithMedia embeds in their lexicon shapes', () => {
    const s = state(A)
    s.posts.set(
      quoted,
      post(quoted, B, {
        embed: { $type: 'app.bsky.embed.video', video: { ...blob, mimeType: 'video/mp4' }, alt: 'v' },
      }),
    )
    const ext = `at://${A}/app.bsky.feed.post/3kaaaaaaaaaa3`
    s.posts.set(
      ext,
      post(ext, A, {
        embed: {
          $type: 'app.bsky.embed.external',
          external: { uri: 'https://x.example', title: 't', description: 'd', thumb: blob },
        },
      }),
    )
    const rwm = `at://${A}/app.bsky.feed.post/3kaaaaaaaaaa4`
    s.posts.set(
      rwm,
      post(rwm, A, {
        embed: {
          $type: 'app.bsky.embed.recordWithMedia',
          record: { $type: 'app.bsky.embed.record', record: { uri: quoted, cid: CID } },
          media: { $type: 'app.bsky.embed.images', images: [{ image: blob, alt: '' }] },
        },
      }),
    )
    const ctx = { state: s, urls }
    const views = [quoted, ext, rwm].map((u) => postView(ctx, u))
    valid(views)
    const [video, external, withMedia] = views as { embed: Record<string, any> }[]
    expect(video.embed).toMatchObject({ $type: 'app.bsky.embed.video#view', cid: BLOB, alt: 'v' })
    expect(external.embed.external.thumb).toBe(`https://cdn.example/img/feed_thumbnail/plain/${A}/${BLOB}@jpeg`)
    expect(withMedia.embed.$type).toBe('app.bsky.embed.recordWithMedia#view')
    expect(withMedia.embed.record.record.$type).toBe('app.bsky.embed.record#viewRecord')
    expect(withMedia.embed.record.record.embeds[0].$type).toBe('app.bsky.embed.video#view')
    expect(withMedia.embed.media.images[0].fullsize).toBe(
      `https://cdn.example/img/feed_fullsize/plain/${A}/${BLOB}@jpeg`,
    )
  })

  it('quotes of blocked, detached, missing or inactive posts render as such', () => {
    const s = state(A)
    const q = (rkey: string, target: string) => {
      const uri = `at://${A}/app.bsky.feed.post/${rkey}`
      s.posts.set(uri, post(uri, A, { embed: { $type: 'app.bsky.embed.record', record: { uri: target, cid: CID } } }))
      return uri
    }
    s.posts.set(quoted, post(quoted, B, {}))
    const missing = q('3kaaaaaaaaab2', `at://${B}/app.bsky.feed.post/3kzzzzzzzzzz2`)
    const detached = q('3kaaaaaaaaab3', quoted)
    s.postgates.set(quoted, { uri: 'at://x/y/z', cid: CID, record: { detachedEmbeddingUris: [detached] } })
    const ctx = { state: s, urls }
    expect((postView(ctx, missing) as any).embed.record.$type).toBe('app.bsky.embed.record#viewNotFound')
    expect((postView(ctx, detached) as any).embed.record.$type).toBe('app.bsky.embed.record#viewDetached')
    s.rels.set(B, { blockedBy: 'at://did:plc:bbbbbbbbbbbbbbbbbbbbbbbb/app.bsky.graph.block/3k' })
    const blocked = q('3kaaaaaaaaab4', quoted)
    const view = postView(ctx, blocked) as any
    expect(view.embed.record).toMatchObject({
      $type: 'app.bsky.embed.record#viewBlocked',
      blocked: true,
      author: { did: B, viewer: { blockedBy: true } },
    })
    valid([postView(ctx, missing), postView(ctx, detached), view])
    s.rels.delete(B)
    ;(s.actors.get(B) as { status: string }).status = 'takendown'
    expect((postView(ctx, q('3kaaaaaaaaab5', quoted)) as any).embed.record.$type).toBe(
      'app.bsky.embed.record#viewNotFound',
    )
    expect(postView(ctx, quoted)).toBeUndefined()
  })

  it('feed items: reply refs fall back to notFound/blocked; reposts by hidden accounts are dropped', () => {
    const s = state(A)
    const root = `at://${B}/app.bsky.feed.post/3kaaaaaaaaac2`
    const reply = `at://${A}/app.bsky.feed.post/3kaaaaaaaaac3`
    s.posts.set(reply, {
      ...post(reply, A, { reply: { root: { uri: root, cid: CID }, parent: { uri: root, cid: CID } } }),
      replyRoot: root,
      replyParent: root,
    })
    const ctx = { state: s, urls }
    const item = feedViewPost(ctx, { postUri: reply }) as any
    expect(item.reply.parent).toEqual({ $type: 'app.bsky.feed.defs#notFoundPost', uri: root, notFound: true })
    lexicons.assertValidXrpcOutput('app.bsky.feed.getTimeline', jsonToLex({ feed: [item] }))
    ;(s.actors.get(B) as { status: string }).status = 'deactivated'
    expect(
      feedViewPost(ctx, { postUri: reply, repost: { uri: 'at://x/y/z', cid: CID, by: B, indexedAt: T } }),
    ).toBeUndefined()
  })
})
