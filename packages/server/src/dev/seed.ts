/**
 * `stratus dev --seed`: a few demo accounts with profiles, posts (one with an image), follows and likes,
 * written through the PDS's public XRPC API like any client would. Idempotent: accounts that already
 * exist are left alone, so seeding twice does not duplicate anything.
 */
import { XRPCError, XrpcClient } from '@stratus/core/xrpc'
import { datetimeNow } from '@stratus/core/syntax'
import { makePng } from './png.ts'

export const DEMO_PASSWORD = 'stratus-demo'

const PEOPLE = [
  { name: 'alice', displayName: 'Alice', description: 'Takes photos of skies.' },
  { name: 'bob', displayName: 'Bob', description: 'Runs a PDS in his closet.' },
  { name: 'carol', displayName: 'Carol', description: 'Writes lexicons for fun.' },
]

interface Session {
  did: string
  handle: string
  client: XrpcClient
}

async function signUp(pdsUrl: string, name: string, domain: string): Promise<Session | null> {
  const handle = `${name}${domain}`
  const anon = new XrpcClient({ service: pdsUrl })
  try {
    const { data } = await anon.procedure('com.atproto.server.createAccount', {
      handle,
      email: `${name}@example.com`,
      password: DEMO_PASSWORD,
    })
    const auth = { authorization: `Bearer ${data.accessJwt}` }
    return { did: data.did, handle, client: new XrpcClient({ service: pdsUrl, headers: () => auth }) }
  } catch (err) {
    if (err instanceof XRPCError && err.error === 'HandleNotAvailable') return null // seeded before
    throw err
  }
}

async function put(s: Session, collection: string, record: Record<string, unknown>) {
  const { data } = await s.client.procedure('com.atproto.repo.createRecord', {
    repo: s.did,
    collection,
    record: { $type: collection, ...record },
  })
  return data as { uri: string; cid: { toString(): string } | string }
}

/** Creates the demo accounts and their content; returns the handles created (empty if already seeded). */
export async function seedDemo(pdsUrl: string, domain = '.test'): Promise<string[]> {
  const sessions: Session[] = []
  for (const p of PEOPLE) {
    const s = await signUp(pdsUrl, p.name, domain)
    if (!s) continue
    sessions.push(s)
    await s.client.procedure('com.atproto.repo.putRecord', {
      repo: s.did,
      collection: 'app.bsky.actor.profile',
      rkey: 'self',
      record: { $type: 'app.bsky.actor.profile', displayName: p.displayName, description: p.description },
    })
  }
  if (sessions.length < PEOPLE.length) return sessions.map((s) => s.handle)
  const [alice, bob, carol] = sessions
  for (const [a, b] of [[alice, bob], [bob, alice], [carol, alice], [carol, bob], [alice, carol]] as const) {
    await put(a, 'app.bsky.graph.follow', { subject: b.did, createdAt: datetimeNow() })
  }
  const sky = makePng(96, 64, (x, y) => [40 + y * 2, 90 + y, 200 - x])
  const { data: upload } = await alice.client.procedure('com.atproto.repo.uploadBlob', sky, { encoding: 'image/png' })
  const photo = await put(alice, 'app.bsky.feed.post', {
    text: 'Evening sky from the balcony.',
    createdAt: datetimeNow(),
    embed: {
      $type: 'app.bsky.embed.images',
      images: [{ image: upload.blob, alt: 'A gradient of blue and orange', aspectRatio: { width: 96, height: 64 } }],
    },
  })
  const hello = await put(bob, 'app.bsky.feed.post', { text: 'Hello, Atmosphere! My data lives on my own PDS.', createdAt: datetimeNow() })
  await put(carol, 'app.bsky.feed.post', { text: 'Anyone can publish a new lexicon. Anyone.', createdAt: datetimeNow() })
  const ref = (r: { uri: string; cid: { toString(): string } | string }) => ({ uri: r.uri, cid: r.cid.toString() })
  await put(carol, 'app.bsky.feed.like', { subject: ref(photo), createdAt: datetimeNow() })
  await put(bob, 'app.bsky.feed.like', { subject: ref(photo), createdAt: datetimeNow() })
  await put(alice, 'app.bsky.feed.post', {
    text: 'Welcome, Bob!',
    createdAt: datetimeNow(),
    reply: { root: ref(hello), parent: ref(hello) },
  })
  return sessions.map((s) => s.handle)
}
