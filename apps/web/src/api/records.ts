/**
 * Writes to the signed-in user's repository: posts (text + facets, reply refs, quote and image embeds),
 * likes, reposts, follows, and deleting any of them by AT-URI. Each is one com.atproto.repo.createRecord
 * or deleteRecord call; the PDS validates the record against its lexicon.
 * Does NOT enforce the 300-grapheme limit (the composer does, and the PDS checks again).
 */
import type { AppBskyFeedDefs } from '@stratus/core/lexicon/generated'
import { isValidLanguage } from '@stratus/core/syntax'
import { AtUri } from '@stratus/core/syntax'
import type { Agent } from './agent.ts'
import { detectFacets } from './facets.ts'
import { type PreparedImage, uploadImage } from './images.ts'

export type PostView = AppBskyFeedDefs.PostView
export interface StrongRef {
  uri: string
  cid: string
}

export interface ComposeInput {
  text: string
  images: { prepared: PreparedImage; alt: string }[]
  replyTo?: PostView
  quote?: PostView
}

export async function createPost(agent: Agent, input: ComposeInput): Promise<StrongRef> {
  const text = input.text.trim()
  const facets = await detectFacets(text, (handle) => resolveHandle(agent, handle))
  const record: Record<string, unknown> = {
    $type: 'app.bsky.feed.post',
    text,
    createdAt: new Date().toISOString(),
  }
  if (facets.length) record.facets = facets
  const lang = navigator.language
  if (lang && isValidLanguage(lang)) record.langs = [lang]
  if (input.replyTo) record.reply = replyRef(input.replyTo)
  const embed = await buildEmbed(agent, input)
  if (embed) record.embed = embed
  return createRecord(agent, 'app.bsky.feed.post', record)
}

async function resolveHandle(agent: Agent, handle: string): Promise<string | undefined> {
  const out = await agent.query('com.atproto.identity.resolveHandle', { handle })
  return out.did
}

/** The reply's root is the parent's root when the parent is itself a reply. */
export function replyRef(parent: PostView): { root: StrongRef; parent: StrongRef } {
  const parentRef = { uri: parent.uri, cid: parent.cid }
  const root = (parent.record as { reply?: { root?: StrongRef } }).reply?.root
  return { root: root?.uri && root.cid ? { uri: root.uri, cid: root.cid } : parentRef, parent: parentRef }
}

async function buildEmbed(agent: Agent, input: ComposeInput): Promise<Record<string, unknown> | undefined> {
  let media: Record<string, unknown> | undefined
  if (input.images.length) {
    const uploaded = await Promise.all(input.images.map((img) => uploadImage(agent, img.prepared)))
    media = {
      $type: 'app.bsky.embed.images',
      images: uploaded.map((u, i) => ({ image: u.image, alt: input.images[i].alt.trim(), aspectRatio: u.aspectRatio })),
    }
  }
  const quote = input.quote
    ? { $type: 'app.bsky.embed.record', record: { uri: input.quote.uri, cid: input.quote.cid } }
    : undefined
  if (media && quote) return { $type: 'app.bsky.embed.recordWithMedia', record: quote, media }
  return media ?? quote
}

async function createRecord(agent: Agent, collection: string, record: Record<string, unknown>): Promise<StrongRef> {
  const out = await agent.procedure('com.atproto.repo.createRecord', { repo: agent.did, collection, record } as never)
  return { uri: out.uri, cid: out.cid }
}

export async function like(agent: Agent, subject: StrongRef): Promise<string> {
  const rec = { $type: 'app.bsky.feed.like', subject: { uri: subject.uri, cid: subject.cid }, createdAt: now() }
  return (await createRecord(agent, 'app.bsky.feed.like', rec)).uri
}

export async function repost(agent: Agent, subject: StrongRef): Promise<string> {
  const rec = { $type: 'app.bsky.feed.repost', subject: { uri: subject.uri, cid: subject.cid }, createdAt: now() }
  return (await createRecord(agent, 'app.bsky.feed.repost', rec)).uri
}

export async function follow(agent: Agent, did: string): Promise<string> {
  const rec = { $type: 'app.bsky.graph.follow', subject: did, createdAt: now() }
  return (await createRecord(agent, 'app.bsky.graph.follow', rec)).uri
}

/** Deletes a record of the signed-in user by its AT-URI (a like, repost, follow or post). */
export async function deleteRecord(agent: Agent, uri: string): Promise<void> {
  const at = AtUri.parse(uri)
  if (!at.collection || !at.rkey) throw new Error(`not a record URI: ${uri}`)
  await agent.procedure('com.atproto.repo.deleteRecord', { repo: agent.did, collection: at.collection, rkey: at.rkey })
}

function now(): string {
  return new Date().toISOString()
}
