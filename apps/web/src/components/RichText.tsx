/**
 * Post text with its facets as links: mentions to profiles, links to their URL (new tab), tags to a
 * search. Facet indexes are UTF-8 byte offsets; facets that overlap, run past the text or are out of
 * order are ignored rather than trusted. With `detect`, text that came without facets (profile
 * descriptions) gets mentions, links and tags found on the fly.
 */
import { utf8Encode } from '@stratus/core/bytes'
import type { ReactNode } from 'react'
import { detectSpans } from '../api/facets.ts'
import { Link, paths } from '../router.tsx'

interface FacetLike {
  index?: { byteStart?: unknown; byteEnd?: unknown }
  features?: unknown[]
}

const decoder = new TextDecoder() // not fatal: a facet boundary inside a character must not break rendering

export function RichText({ text, facets, detect }: { text: string; facets?: unknown; detect?: boolean }) {
  if (Array.isArray(facets) && facets.length) return <span className="rich-text">{withFacets(text, facets)}</span>
  if (detect) return <span className="rich-text">{withDetected(text)}</span>
  return <span className="rich-text">{text}</span>
}

function withFacets(text: string, facets: FacetLike[]): ReactNode[] {
  const bytes = utf8Encode(text)
  const sorted = facets
    .filter((f) => Number.isInteger(f.index?.byteStart) && Number.isInteger(f.index?.byteEnd))
    .sort((a, b) => (a.index!.byteStart as number) - (b.index!.byteStart as number))
  const out: ReactNode[] = []
  let pos = 0
  for (const f of sorted) {
    const start = f.index!.byteStart as number
    const end = f.index!.byteEnd as number
    if (start < pos || end <= start || end > bytes.length) continue
    if (start > pos) out.push(decoder.decode(bytes.subarray(pos, start)))
    const label = decoder.decode(bytes.subarray(start, end))
    out.push(facetNode(label, f.features?.[0], out.length))
    pos = end
  }
  if (pos < bytes.length) out.push(decoder.decode(bytes.subarray(pos)))
  return out
}

function facetNode(label: string, feature: unknown, key: number): ReactNode {
  const f = feature as { $type?: string; did?: string; uri?: string; tag?: string } | undefined
  if (f?.$type === 'app.bsky.richtext.facet#mention' && f.did) {
    return (
      <Link key={key} to={paths.profile(f.did)}>
        {label}
      </Link>
    )
  }
  if (f?.$type === 'app.bsky.richtext.facet#link' && f.uri && /^https?:\/\//i.test(f.uri)) {
    return (
      <a key={key} href={f.uri} target="_blank" rel="noopener noreferrer nofollow">
        {label}
      </a>
    )
  }
  if (f?.$type === 'app.bsky.richtext.facet#tag' && f.tag) {
    return (
      <Link key={key} to={paths.search(`#${f.tag}`, 'posts')}>
        {label}
      </Link>
    )
  }
  return label
}

function withDetected(text: string): ReactNode[] {
  const out: ReactNode[] = []
  let pos = 0
  for (const s of detectSpans(text)) {
    if (s.start > pos) out.push(text.slice(pos, s.start))
    const label = text.slice(s.start, s.end)
    const key = out.length
    if (s.kind === 'mention')
      out.push(
        <Link key={key} to={paths.profile(s.value)}>
          {label}
        </Link>,
      )
    else if (s.kind === 'tag')
      out.push(
        <Link key={key} to={paths.search(`#${s.value}`, 'posts')}>
          {label}
        </Link>,
      )
    else
      out.push(
        <a key={key} href={s.value} target="_blank" rel="noopener noreferrer nofollow">
          {label}
        </a>,
      )
    pos = s.end
  }
  if (pos < text.length) out.push(text.slice(pos))
  return out
}
