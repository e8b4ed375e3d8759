/**
 * The social scenario the AppView tests share: three accounts on the official PDS follow each other, post
 * (an image post, a link+tag post, a mention), reply, quote, like and repost, all through @atproto/api.
 */
import type { AtpAgent } from '@atproto/api'
import type { Stack } from './appview-setup.ts'

/** What the scenario needs from a test network: agents on a PDS and a way to wait for indexing. */
export type ScenarioStack = Pick<Stack, 'agent' | 'synced'>

const PNG = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='),
  (c) => c.charCodeAt(0),
)

export interface Ref {
  uri: string
  cid: string
}

export interface Scenario {
  alice: AtpAgent
  bob: AtpAgent
  carol: AtpAgent
  did: { alice: string; bob: string; carol: string }
  follows: Record<'aliceBob' | 'aliceCarol' | 'bobAlice' | 'carolAlice' | 'carolBob', Ref>
  posts: Record<'bobImage' | 'carolLink' | 'aliceMention' | 'aliceReply' | 'carolReply' | 'carolQuote', Ref>
  likes: Record<'aliceOnBob' | 'carolOnBob' | 'bobOnAlice', Ref>
  reposts: { carolOfBob: Ref }
}

const utf8Len = (s: string) => new TextEncoder().encode(s).length

async function account(stack: ScenarioStack, name: string): Promise<AtpAgent> {
  const agent = stack.agent()
  await agent.createAccount({ email: `${name}@test.com`, handle: `${name}.test`, password: 'hunter2' })
  await agent.upsertProfile((p) => ({
    ...p,
    displayName: name[0].toUpperCase() + name.slice(1),
    description: `I am ${name}`,
  }))
  return agent
}

export async function runScenario(stack: ScenarioStack): Promise<Scenario> {
  const alice = await account(stack, 'alice')
  const bob = await account(stack, 'bob')
  const carol = await account(stack, 'carol')
  const did = { alice: alice.assertDid, bob: bob.assertDid, carol: carol.assertDid }
  const follows = {
    aliceBob: await alice.follow(did.bob),
    aliceCarol: await alice.follow(did.carol),
    bobAlice: await bob.follow(did.alice),
    carolAlice: await carol.follow(did.alice),
    carolBob: await carol.follow(did.bob),
  }
  const blob = await bob.uploadBlob(PNG, { encoding: 'image/png' })
  const bobImage = await bob.post({
    text: 'bob first post about cats',
    embed: {
      $type: 'app.bsky.embed.images',
      images: [{ image: blob.data.blob, alt: 'a cat', aspectRatio: { width: 1, height: 1 } }],
    },
  })
  const linkText = 'see https://example.com/page #stratus'
  const urlStart = utf8Len('see ')
  const url = 'https://example.com/page'
  const tagStart = linkText.indexOf('#stratus')
  const carolLink = await carol.post({
    text: linkText,
    facets: [
      {
        index: { byteStart: urlStart, byteEnd: urlStart + utf8Len(url) },
        features: [{ $type: 'app.bsky.richtext.facet#link', uri: url }],
      },
      {
        index: { byteStart: tagStart, byteEnd: tagStart + utf8Len('#stratus') },
        features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'stratus' }],
      },
    ],
  })
  const mentionText = 'hello @bob.test'
  const aliceMention = await alice.post({
    text: mentionText,
    facets: [
      {
        index: { byteStart: utf8Len('hello '), byteEnd: utf8Len(mentionText) },
        features: [{ $type: 'app.bsky.richtext.facet#mention', did: did.bob }],
      },
    ],
  })
  const aliceReply = await alice.post({ text: 'nice cats', reply: { root: bobImage, parent: bobImage } })
  const carolReply = await carol.post({ text: 'agreed', reply: { root: bobImage, parent: aliceReply } })
  const carolQuote = await carol.post({
    text: 'look at this',
    embed: { $type: 'app.bsky.embed.record', record: bobImage },
  })
  const likes = {
    aliceOnBob: await alice.like(bobImage.uri, bobImage.cid),
    carolOnBob: await carol.like(bobImage.uri, bobImage.cid),
    bobOnAlice: await bob.like(aliceMention.uri, aliceMention.cid),
  }
  const reposts = { carolOfBob: await carol.repost(bobImage.uri, bobImage.cid) }
  await stack.synced()
  return {
    alice,
    bob,
    carol,
    did,
    follows,
    posts: { bobImage, carolLink, aliceMention, aliceReply, carolReply, carolQuote },
    likes,
    reposts,
  }
}
