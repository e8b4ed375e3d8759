/**
 * Demo content for screenshots: four accounts with names, bios and avatars, posts with pictures (alt
 * text included), a link, a mention, a reply, follows, likes and a repost — written through a PDS's
 * XRPC API exactly as the web app would write them.
 */
import type { LexValue } from '@stratus/core/data'
import { XrpcClient } from '@stratus/core/xrpc'
import { detectFacets } from '../src/api/facets.ts'
import { demoAvatar, demoImages } from './demo-images.ts'

export const DEMO_PASSWORD = 'demo password'

interface Account {
  did: string
  handle: string
  client: XrpcClient
}

const PEOPLE = {
  alice: { name: 'Alice Moreau', bio: 'Photographer. Harbours, hills and the light in between.' },
  bob: { name: 'Bob Tanaka', bio: 'Running my own little Atmosphere. Coffee first.' },
  carol: { name: 'Carol Nguyen', bio: 'Hiking, stargazing, and maps of places I have not been yet. #hiking' },
  dan: { name: 'Dan Okafor', bio: 'Protocols, deserts, long walks. Building on atproto.' },
}
type Name = keyof typeof PEOPLE
const dids = new Map<string, string>() // handle → DID, for mention facets

export async function seedDemo(pdsUrl: string): Promise<Record<Name, Account>> {
  const accounts = {} as Record<Name, Account>
  for (const name of Object.keys(PEOPLE) as Name[]) accounts[name] = await createAccount(pdsUrl, name)
  const { alice, bob, carol, dan } = accounts
  for (const [who, whom] of [
    [bob, alice],
    [bob, carol],
    [bob, dan],
    [alice, bob],
    [alice, carol],
    [carol, alice],
    [dan, carol],
  ] as const) {
    await create(who, 'app.bsky.graph.follow', { subject: whom.did })
  }
  const sunset = await post(alice, 'Golden hour at the harbour tonight. The sea was glass.', [
    [demoImages.sunset(), 'A low orange sun over a calm sea, its reflection a long stripe of light'],
  ])
  const ridge = await post(carol, 'First light on the ridge. Worth the 5am alarm.', [
    [demoImages.mountains(), 'Two layers of mountain ridges in blue and violet under a pink dawn sky'],
  ])
  await post(
    dan,
    'Every post is a signed record in a repository you own. Worth a read: https://atproto.com/specs/repository',
  )
  await post(alice, 'Weekend walk, two ways to see the same woods.', [
    [demoImages.forest(), 'Rows of dark green pine trees against a pale mist'],
    [demoImages.lake(), 'A forested ridge reflected in a still lake'],
  ])
  await post(carol, 'No moon, no clouds, too many stars to count.', [
    [demoImages.stars(), 'A night sky full of stars with a faint band of the Milky Way'],
  ])
  await post(dan, 'The dunes at noon look like a sine wave somebody forgot to stop.', [
    [demoImages.dunes(), 'Layered sand dunes in orange and ochre under a pale blue sky'],
  ])
  await post(bob, 'Set up my own little Atmosphere on a laptop today. Hello @alice.test!')
  await post(carol, 'That light! Where is this?', [], { root: sunset, parent: sunset })
  for (const [who, subject] of [
    [bob, sunset],
    [carol, sunset],
    [dan, sunset],
    [bob, ridge],
    [alice, ridge],
  ] as const) {
    await create(who, 'app.bsky.feed.like', { subject })
  }
  await create(dan, 'app.bsky.feed.repost', { subject: ridge })
  return accounts
}

async function createAccount(pdsUrl: string, name: Name): Promise<Account> {
  const anon = new XrpcClient({ service: pdsUrl })
  const handle = `${name}.test`
  const res = await anon.procedure('com.atproto.server.createAccount', {
    handle,
    email: `${name}@example.com`,
    password: DEMO_PASSWORD,
  })
  const client = new XrpcClient({ service: pdsUrl, headers: () => ({ authorization: `Bearer ${res.data.accessJwt}` }) })
  const account = { did: res.data.did as string, handle, client }
  dids.set(handle, account.did)
  const avatar = (await upload(account, demoAvatar(name))) as LexValue
  await account.client.procedure('com.atproto.repo.putRecord', {
    repo: account.did,
    collection: 'app.bsky.actor.profile',
    rkey: 'self',
    record: { $type: 'app.bsky.actor.profile', displayName: PEOPLE[name].name, description: PEOPLE[name].bio, avatar },
  })
  return account
}

async function upload(account: Account, png: Uint8Array): Promise<unknown> {
  const res = await account.client.procedure('com.atproto.repo.uploadBlob', png, { encoding: 'image/png' })
  return res.data.blob
}

type Ref = { uri: string; cid: string }

async function create(account: Account, collection: string, fields: Record<string, unknown>): Promise<Ref> {
  const record = { $type: collection, ...fields, createdAt: new Date().toISOString() }
  const res = await account.client.procedure('com.atproto.repo.createRecord', { repo: account.did, collection, record })
  return { uri: res.data.uri, cid: res.data.cid }
}

async function post(
  account: Account,
  text: string,
  images: [Uint8Array, string][] = [],
  reply?: { root: Ref; parent: Ref },
): Promise<Ref> {
  const fields: Record<string, unknown> = { text, langs: ['en'] }
  const facets = await detectFacets(text, async (handle) => dids.get(handle))
  if (facets.length) fields.facets = facets
  if (reply) fields.reply = reply
  if (images.length) {
    const uploaded = []
    for (const [png, alt] of images)
      uploaded.push({ image: await upload(account, png), alt, aspectRatio: { width: 640, height: 420 } })
    fields.embed = { $type: 'app.bsky.embed.images', images: uploaded }
  }
  return create(account, 'app.bsky.feed.post', fields)
}
