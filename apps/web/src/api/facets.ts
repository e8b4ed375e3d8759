/**
 * Rich-text facets for posts we write: finds mentions (@alice.test), links (https://… and bare domains
 * under common TLDs) and hashtags (#atproto) in plain text and turns them into app.bsky.richtext.facet
 * objects whose indexes are UTF-8 byte offsets (what the lexicon specifies), not JavaScript string
 * indexes. Mentions become facets only when the handle resolves to a DID; the rest need no network.
 *
 * Does NOT check that links lead anywhere, and does not detect bare domains under rare TLDs (so that
 * file names like notes.txt stay plain text) or tags longer than 64 graphemes (the lexicon's limit).
 */
import { graphemeLength, utf8Length } from '@stratus/core/bytes'
import { isValidHandle } from '@stratus/core/syntax'

export type FacetFeature =
  | { $type: 'app.bsky.richtext.facet#mention'; did: string }
  | { $type: 'app.bsky.richtext.facet#link'; uri: string }
  | { $type: 'app.bsky.richtext.facet#tag'; tag: string }

export interface Facet {
  $type?: 'app.bsky.richtext.facet'
  index: { byteStart: number; byteEnd: number }
  features: FacetFeature[]
}

/** A detected span in UTF-16 string indexes, before mentions are resolved. */
export interface Span {
  start: number
  end: number
  kind: 'mention' | 'link' | 'tag'
  /** handle (no @), absolute URL, or tag (no #). */
  value: string
}

const MAX_TAG_GRAPHEMES = 64
// Bare domains become links only under these TLDs; anything with http(s):// always does.
const BARE_TLDS = new Set(
  (
    'com net org edu gov mil int io dev app social xyz info me co ai tv fm gg ly sh so to cc blog news art page site ' +
    'online tech cloud link space design club shop store uk de fr jp ca au eu us nl ru br in it es ch se no fi dk pl ' +
    'be at nz ie kr cn tw hk sg mx ar cl pt cz gr hu il za tr ua'
  ).split(' '),
)

const MENTION_RE = /(^|[\s(])@([a-zA-Z0-9][a-zA-Z0-9.-]*)/g
const LINK_RE = /(^|[\s(])(https?:\/\/\S+|[a-zA-Z0-9][a-zA-Z0-9-]*(?:\.[a-zA-Z0-9-]+)+(?:[/?#:]\S*)?)/g
const TAG_RE = /(^|\s)[#＃](\S+)/gu
const TRAILING_PUNCT = '.,;:!?\'"’”>'
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' }
const TAG_TRAILING_PUNCT = /\p{P}+$/u

export function detectSpans(text: string): Span[] {
  const spans = [...mentions(text), ...links(text), ...tags(text)].sort((a, b) => a.start - b.start)
  // Keep the first of any overlapping spans (the patterns are built not to overlap; this is a guard).
  const out: Span[] = []
  for (const s of spans) if (!out.length || s.start >= out[out.length - 1].end) out.push(s)
  return out
}

function* mentions(text: string): Generator<Span> {
  for (const m of text.matchAll(MENTION_RE)) {
    const handle = m[2].replace(/[.-]+$/, '')
    if (!isValidHandle(handle)) continue
    const start = m.index + m[1].length
    yield { start, end: start + 1 + handle.length, kind: 'mention', value: handle.toLowerCase() }
  }
}

function* links(text: string): Generator<Span> {
  for (const m of text.matchAll(LINK_RE)) {
    const raw = trimLink(m[2])
    const start = m.index + m[1].length
    const uri = absoluteLink(raw)
    if (uri) yield { start, end: start + raw.length, kind: 'link', value: uri }
  }
}

/** Drops sentence punctuation after a link, and closing brackets the link did not open ("(see x.org/a_(b))"). */
function trimLink(s: string): string {
  let out = s
  while (out.length) {
    const last = out[out.length - 1]
    const opener = CLOSERS[last]
    if (TRAILING_PUNCT.includes(last)) out = out.slice(0, -1)
    else if (opener && countOf(out, last) > countOf(out, opener)) out = out.slice(0, -1)
    else return out
  }
  return out
}

function countOf(s: string, ch: string): number {
  return s.split(ch).length - 1
}

function absoluteLink(raw: string): string | null {
  if (/^https?:\/\//i.test(raw)) {
    try {
      const url = new URL(raw)
      return url.hostname ? raw : null
    } catch {
      return null
    }
  }
  const host = raw.split(/[/?#:]/, 1)[0]
  const tld = host.split('.').pop()?.toLowerCase() ?? ''
  if (!BARE_TLDS.has(tld) || host.split('.').some((label) => !label)) return null
  return `https://${raw}`
}

function* tags(text: string): Generator<Span> {
  for (const m of text.matchAll(TAG_RE)) {
    const tag = m[2].replace(TAG_TRAILING_PUNCT, '')
    if (!tag || /^\d+$/.test(tag) || graphemeLength(tag) > MAX_TAG_GRAPHEMES) continue
    const start = (m.index ?? 0) + m[1].length
    yield { start, end: start + 1 + tag.length, kind: 'tag', value: tag }
  }
}

/**
 * Facets for `text`: spans converted to UTF-8 byte ranges; each mention's handle is looked up with
 * `resolveHandle` (to a DID, or undefined when it does not resolve: that mention stays plain text).
 */
export async function detectFacets(
  text: string,
  resolveHandle: (handle: string) => Promise<string | undefined>,
): Promise<Facet[]> {
  const spans = detectSpans(text)
  const handles = [...new Set(spans.filter((s) => s.kind === 'mention').map((s) => s.value))]
  const dids = new Map<string, string | undefined>()
  await Promise.all(handles.map(async (h) => dids.set(h, await resolveHandle(h).catch(() => undefined))))
  const facets: Facet[] = []
  for (const s of spans) {
    const feature = featureOf(s, dids)
    if (!feature) continue
    const byteStart = utf8Length(text.slice(0, s.start))
    const byteEnd = byteStart + utf8Length(text.slice(s.start, s.end))
    facets.push({ $type: 'app.bsky.richtext.facet', index: { byteStart, byteEnd }, features: [feature] })
  }
  return facets
}

function featureOf(s: Span, dids: Map<string, string | undefined>): FacetFeature | null {
  if (s.kind === 'link') return { $type: 'app.bsky.richtext.facet#link', uri: s.value }
  if (s.kind === 'tag') return { $type: 'app.bsky.richtext.facet#tag', tag: s.value }
  const did = dids.get(s.value)
  return did ? { $type: 'app.bsky.richtext.facet#mention', did } : null
}
