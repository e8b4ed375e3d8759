/**
 * Renders a post's embed view as the AppView hydrated it: images (with alt text, opened full size in a
 * dialog), link cards, quoted posts, quoted posts with media, and video posters. Unknown embed types are
 * skipped; a quote of a deleted or blocked post says so.
 */
import { useRef, useState } from 'react'
import { Link, postPath } from '../router.tsx'
import { Avatar } from './Avatar.tsx'
import { RichText } from './RichText.tsx'
import { TimeAgo } from './TimeAgo.tsx'

export interface ImageView {
  thumb: string
  fullsize: string
  alt: string
  aspectRatio?: { width: number; height: number }
}

type AnyEmbed = { $type?: string; [k: string]: unknown }

export function Embed({ embed, nested = false }: { embed: unknown; nested?: boolean }) {
  const e = embed as AnyEmbed | undefined
  switch (e?.$type) {
    case 'app.bsky.embed.images#view':
      return <Images images={e.images as ImageView[]} />
    case 'app.bsky.embed.external#view':
      return <External external={e.external as ExternalView} />
    case 'app.bsky.embed.video#view':
      return <VideoPoster video={e as VideoView} />
    case 'app.bsky.embed.record#view':
      return nested ? null : <Quote record={e.record as AnyEmbed} />
    case 'app.bsky.embed.recordWithMedia#view':
      return (
        <>
          <Embed embed={e.media} nested={nested} />
          {!nested && <Quote record={(e.record as AnyEmbed)?.record as AnyEmbed} />}
        </>
      )
    default:
      return null
  }
}

/** The images of an embed view (used by the photo grid too). */
export function imagesOf(embed: unknown): ImageView[] {
  const e = embed as AnyEmbed | undefined
  if (e?.$type === 'app.bsky.embed.images#view') return (e.images as ImageView[]) ?? []
  if (e?.$type === 'app.bsky.embed.recordWithMedia#view') return imagesOf(e.media)
  return []
}

export function Images({ images }: { images: ImageView[] }) {
  const [open, setOpen] = useState<number | null>(null)
  const dialog = useRef<HTMLDialogElement>(null)
  if (!images?.length) return null
  const show = (i: number) => {
    setOpen(i)
    dialog.current?.showModal()
  }
  const single = images.length === 1 ? images[0].aspectRatio : undefined
  return (
    <div className={`images images-${Math.min(images.length, 4)}`}>
      {images.slice(0, 4).map((img, i) => (
        <button
          key={img.thumb}
          type="button"
          className="image-button"
          onClick={() => show(i)}
          aria-label={img.alt ? `Open image: ${img.alt}` : 'Open image (no description)'}
          style={single ? { aspectRatio: `${single.width} / ${Math.max(single.height, 1)}` } : undefined}
        >
          <img src={img.thumb} alt={img.alt} loading="lazy" />
          {img.alt && (
            <span className="alt-badge" aria-hidden="true">
              ALT
            </span>
          )}
        </button>
      ))}
      <dialog ref={dialog} className="lightbox" aria-label="Image" onClose={() => setOpen(null)}>
        {open !== null && images[open] && (
          <figure>
            <img src={images[open].fullsize} alt={images[open].alt} />
            <figcaption>{images[open].alt || 'No description was given for this image.'}</figcaption>
          </figure>
        )}
        <form method="dialog">
          <button type="submit" className="btn">
            Close
          </button>
        </form>
      </dialog>
    </div>
  )
}

interface ExternalView {
  uri: string
  title: string
  description: string
  thumb?: string
}

function External({ external }: { external: ExternalView }) {
  if (!external?.uri || !/^https?:\/\//i.test(external.uri)) return null
  let host = external.uri
  try {
    host = new URL(external.uri).hostname
  } catch {}
  return (
    <a className="external-card" href={external.uri} target="_blank" rel="noopener noreferrer nofollow">
      {external.thumb && <img src={external.thumb} alt="" loading="lazy" />}
      <span className="external-text">
        <strong>{external.title || host}</strong>
        {external.description && <span>{external.description}</span>}
        <span className="muted">{host}</span>
      </span>
    </a>
  )
}

interface VideoView {
  thumbnail?: string
  alt?: string
}

function VideoPoster({ video }: { video: VideoView }) {
  return (
    <div className="video-poster">
      {video.thumbnail && <img src={video.thumbnail} alt={video.alt ?? ''} loading="lazy" />}
      <span className="muted">Video (playback is not supported here yet)</span>
    </div>
  )
}

function Quote({ record }: { record: AnyEmbed | undefined }) {
  if (!record) return null
  if (record.$type === 'app.bsky.embed.record#viewNotFound')
    return <div className="quote muted">Quoted post not found.</div>
  if (record.$type === 'app.bsky.embed.record#viewBlocked')
    return <div className="quote muted">Quoted post is blocked.</div>
  if (record.$type === 'app.bsky.embed.record#viewDetached')
    return <div className="quote muted">Quoted post was removed by its author.</div>
  if (record.$type !== 'app.bsky.embed.record#viewRecord') return null
  const author = record.author as { did: string; handle: string; displayName?: string; avatar?: string }
  const value = record.value as { text?: string; facets?: unknown; createdAt?: string }
  const embeds = record.embeds as unknown[] | undefined
  return (
    <div className="quote">
      <div className="quote-head">
        <Avatar src={author.avatar} name={author.displayName || author.handle} size={20} />
        <strong>{author.displayName || author.handle}</strong>
        <span className="muted">@{author.handle}</span>
        {value.createdAt && (
          <Link to={postPath(record.uri as string, author.handle)} className="muted">
            <TimeAgo iso={value.createdAt} />
          </Link>
        )}
      </div>
      {value.text && (
        <p className="post-text">
          <RichText text={value.text} facets={value.facets} />
        </p>
      )}
      {embeds?.[0] != null && <Embed embed={embeds[0]} nested />}
    </div>
  )
}
