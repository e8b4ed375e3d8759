/**
 * Views of the author's own just-written records, shaped like the AppView's (app.bsky.feed.defs#postView,
 * app.bsky.actor.defs#profileView*), for read-after-write. Counts are zero (nothing could have been liked
 * yet); images point at `appviewCdnUrlPattern` (preset, DID, CID) when configured, else at this PDS's
 * com.atproto.sync.getBlob. A quoted post, feed or list is fetched from the AppView (service auth as the
 * author); when that fails the embed says the record was not found, rather than failing the whole view.
 */
import { CID } from '@stratus/core/data'
import { INVALID_HANDLE } from '@stratus/core/syntax'
import { getAccountByDid } from '../accounts/store.ts'
import type { PdsContext } from '../context.ts'
import { type LocalRecord, PROFILE } from './local-records.ts'

type Json = Record<string, unknown>

/** Fetches one AppView query as the author (see read-after-write.ts). */
export type AppviewCall = (nsid: string, params: Record<string, string | string[]>) => Promise<Json>

/** A blob reference's CID in either form: JSON (`ref.$link`), data model (`ref` a CID), or legacy (`cid`). */
function blobCid(blob: unknown): string | undefined {
  if (typeof blob !== 'object' || blob === null) return undefined
  const { ref, cid } = blob as { ref?: unknown; cid?: unknown }
  const link = (ref as { $link?: unknown } | undefined)?.$link
  if (typeof link === 'string') return link
  return CID.asCID(ref)?.toString() ?? (typeof cid === 'string' ? cid : undefined)
}

export class LocalViewer {
  constructor(
    private readonly ctx: PdsContext,
    readonly did: string,
    readonly appview: AppviewCall,
  ) {}

  imageUrl(preset: string, blob: unknown): string | undefined {
    const cid = blobCid(blob)
    if (!cid) return undefined
    const pattern = this.ctx.cfg.appviewCdnUrlPattern
    if (pattern)
      return [preset, this.did, cid].reduce((s: string, part) => s.replace('%s', encodeURIComponent(part)), pattern)
    const q = new URLSearchParams({ did: this.did, cid })
    return `${this.ctx.cfg.publicUrl}/xrpc/com.atproto.sync.getBlob?${q}`
  }

  /** app.bsky.actor.defs#profileViewBasic of the author from the stored profile record. */
  profileBasic(): Json | null {
    const account = getAccountByDid(this.ctx.db, this.did)
    if (!account) return null
    const profile = this.ctx.repo?.getRecord(this.did, PROFILE, 'self')?.value as Json | undefined
    const view: Json = { did: this.did, handle: account.handle ?? INVALID_HANDLE }
    if (typeof profile?.displayName === 'string') view.displayName = profile.displayName
    const avatar = this.imageUrl('avatar', profile?.avatar)
    if (avatar) view.avatar = avatar
    return view
  }

  async postView(post: LocalRecord): Promise<Json | null> {
    const author = this.profileBasic()
    if (!author) return null
    const view: Json = {
      $type: 'app.bsky.feed.defs#postView',
      uri: post.uri,
      cid: post.cid,
      author,
      record: post.record,
      replyCount: 0,
      repostCount: 0,
      likeCount: 0,
      quoteCount: 0,
      indexedAt: post.indexedAt,
    }
    const embed = await this.embedView(post.record.embed as Json | undefined)
    if (embed) view.embed = embed
    return view
  }

  private async embedView(embed: Json | undefined): Promise<Json | undefined> {
    switch (embed?.$type) {
      case 'app.bsky.embed.images':
        return this.imagesView(embed)
      case 'app.bsky.embed.external':
        return this.externalView(embed)
      case 'app.bsky.embed.record':
        return this.recordView(embed)
      case 'app.bsky.embed.recordWithMedia': {
        const media = embed.media as Json | undefined
        const mediaView =
          media?.$type === 'app.bsky.embed.images'
            ? this.imagesView(media)
            : media?.$type === 'app.bsky.embed.external'
              ? this.externalView(media)
              : undefined
        if (!mediaView) return undefined
        return {
          $type: 'app.bsky.embed.recordWithMedia#view',
          record: await this.recordView(embed.record as Json),
          media: mediaView,
        }
      }
      default:
        return undefined
    }
  }

  private imagesView(embed: Json): Json {
    const images = (Array.isArray(embed.images) ? embed.images : []) as Json[]
    return {
      $type: 'app.bsky.embed.images#view',
      images: images.map((img) => {
        const out: Json = {
          thumb: this.imageUrl('feed_thumbnail', img.image),
          fullsize: this.imageUrl('feed_fullsize', img.image),
          alt: typeof img.alt === 'string' ? img.alt : '',
        }
        if (img.aspectRatio) out.aspectRatio = img.aspectRatio
        return out
      }),
    }
  }

  private externalView(embed: Json): Json {
    const ext = (embed.external ?? {}) as Json
    const out: Json = { uri: ext.uri, title: ext.title, description: ext.description }
    const thumb = this.imageUrl('feed_thumbnail', ext.thumb)
    if (thumb) out.thumb = thumb
    return { $type: 'app.bsky.embed.external#view', external: out }
  }

  /** app.bsky.embed.record#view of a quoted post, feed generator or list (from the AppView). */
  private async recordView(embed: Json): Promise<Json> {
    const uri = String((embed.record as Json | undefined)?.uri ?? '')
    const found = await this.quotedRecord(uri).catch(() => undefined)
    return {
      $type: 'app.bsky.embed.record#view',
      record: found ?? { $type: 'app.bsky.embed.record#viewNotFound', uri, notFound: true },
    }
  }

  private async quotedRecord(uri: string): Promise<Json | undefined> {
    const collection = uri.split('/')[3]
    if (collection === 'app.bsky.feed.post') {
      const post = ((await this.appview('app.bsky.feed.getPosts', { uris: [uri] })).posts as Json[] | undefined)?.[0]
      if (!post) return undefined
      const view: Json = {
        $type: 'app.bsky.embed.record#viewRecord',
        uri: post.uri,
        cid: post.cid,
        author: post.author,
        value: post.record,
        indexedAt: post.indexedAt,
      }
      if (post.labels) view.labels = post.labels
      if (post.embed) view.embeds = [post.embed]
      return view
    }
    if (collection === 'app.bsky.feed.generator') {
      const res = await this.appview('app.bsky.feed.getFeedGenerator', { feed: uri })
      return { $type: 'app.bsky.feed.defs#generatorView', ...(res.view as Json) }
    }
    if (collection === 'app.bsky.graph.list') {
      const res = await this.appview('app.bsky.graph.getList', { list: uri })
      return { $type: 'app.bsky.graph.defs#listView', ...(res.list as Json) }
    }
    return undefined
  }

  /** Puts the posts (oldest first) newer than the feed's last item into the feed, newest first by time. */
  async insertPostsInFeed(feed: Json[], posts: LocalRecord[]): Promise<Json[]> {
    if (posts.length === 0) return feed
    const last = (feed[feed.length - 1]?.post as Json | undefined)?.indexedAt
    const lastTime = typeof last === 'string' ? last : new Date(0).toISOString()
    const out = [...feed]
    // the AppView may already have indexed some of them (its revision is read before it answers)
    const shown = new Set(feed.map((item) => (item.post as Json | undefined)?.uri))
    for (const p of [...posts].reverse().filter((p) => p.indexedAt > lastTime && !shown.has(p.uri))) {
      const post = await this.postView(p)
      if (!post) continue
      const i = out.findIndex((item) => String((item.post as Json | undefined)?.indexedAt ?? '') < p.indexedAt)
      if (i >= 0) out.splice(i, 0, { post })
      else out.push({ post })
    }
    return out
  }

  /** profileViewBasic / profileView / profileViewDetailed with the fields of a newer profile record. */
  updateProfile(view: Json, profile: Json, detail: 'basic' | 'view' | 'detailed'): Json {
    const out: Json = { ...view, displayName: profile.displayName, avatar: this.imageUrl('avatar', profile.avatar) }
    if (detail !== 'basic') out.description = profile.description
    if (detail === 'detailed') out.banner = this.imageUrl('banner', profile.banner)
    for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k]
    return out
  }
}
