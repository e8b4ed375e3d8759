/**
 * Lexicon resolution (atproto.com/specs/lexicon, "Lexicon Publication and Resolution"): the NSID's
 * authority (all but the name, reversed) → DNS TXT `_lexicon.<authority>` holding `did=<DID>` →
 * the DID's PDS → `com.atproto.repo.getRecord` of `com.atproto.lexicon.schema/<nsid>` → a checked
 * lexicon document. DNS, DID resolution and fetch are injected (core has no DNS; tests use loopback).
 * Not hierarchical: no parent or child domains are tried. Does NOT verify a repo commit proof for
 * the record (it trusts the PDS over HTTPS) and does not cache (the spec asks for short caching;
 * callers decide).
 */
import { concat, utf8Decode } from '../bytes/index.ts'
import { isValidDid, isValidNsid } from '../syntax/index.ts'
import { parseLexiconDoc } from './doc-parse.ts'
import type { LexiconDoc } from './types.ts'

export const LEXICON_SCHEMA_COLLECTION = 'com.atproto.lexicon.schema'

export interface LexiconResolverOptions {
  /** The TXT records at a DNS name, each record's character-strings joined. Rejects or returns [] if none. */
  resolveTxt: (name: string) => Promise<string[]>
  /** The PDS endpoint (https URL) of a DID. */
  resolveDid: (did: string) => Promise<{ pds: string }>
  fetch?: typeof globalThis.fetch
  /** Give up on the PDS request after this long (default 10 s). */
  timeoutMs?: number
  /** Largest getRecord response read (default 1 MiB). */
  maxBytes?: number
}

export interface ResolvedLexicon {
  nsid: string
  did: string
  pds: string
  /** `at://<did>/com.atproto.lexicon.schema/<nsid>` */
  uri: string
  /** The record CID the PDS reported, if any. */
  cid?: string
  doc: LexiconDoc
}

export class LexiconResolutionError extends Error {
  override name = 'LexiconResolutionError'
}

/** `edu.university.dept.lab.blogging.getBlogPost` → `blogging.lab.dept.university.edu`. */
export function lexiconAuthorityDomain(nsid: string): string {
  if (!isValidNsid(nsid) || nsid.includes('#')) throw new LexiconResolutionError(`Not a valid NSID: ${nsid}`)
  return nsid.split('.').slice(0, -1).reverse().join('.').toLowerCase()
}

/** The DID named by the `_lexicon` TXT record of the NSID's authority. */
export async function resolveLexiconAuthority(nsid: string, opts: LexiconResolverOptions): Promise<string> {
  const name = `_lexicon.${lexiconAuthorityDomain(nsid)}`
  let records: string[]
  try {
    records = await opts.resolveTxt(name)
  } catch (err) {
    throw new LexiconResolutionError(`DNS TXT lookup of ${name} failed: ${(err as Error).message}`)
  }
  const dids = new Set(records.filter((r) => r.startsWith('did=')).map((r) => r.slice(4).trim()))
  if (dids.size === 0) throw new LexiconResolutionError(`No did= TXT record at ${name}`)
  if (dids.size > 1) throw new LexiconResolutionError(`Conflicting did= TXT records at ${name}`)
  const [did] = dids
  if (!isValidDid(did)) throw new LexiconResolutionError(`TXT record at ${name} holds an invalid DID: ${did}`)
  return did
}

/** Reads a response body, refusing more than `max` bytes. */
async function readLimited(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'))
  if (declared > max) throw new LexiconResolutionError(`Schema record response too large (${declared} bytes)`)
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > max) {
      await reader.cancel()
      throw new LexiconResolutionError(`Schema record response larger than ${max} bytes`)
    }
    chunks.push(value)
  }
  return utf8Decode(concat(chunks))
}

async function fetchSchemaRecord(pds: string, did: string, nsid: string, opts: LexiconResolverOptions) {
  const url = new URL('/xrpc/com.atproto.repo.getRecord', pds)
  url.searchParams.set('repo', did)
  url.searchParams.set('collection', LEXICON_SCHEMA_COLLECTION)
  url.searchParams.set('rkey', nsid)
  const doFetch = opts.fetch ?? globalThis.fetch
  let res: Response
  let text: string
  try {
    res = await doFetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000), redirect: 'error' })
    text = await readLimited(res, opts.maxBytes ?? 1 << 20)
  } catch (err) {
    if (err instanceof LexiconResolutionError) throw err
    throw new LexiconResolutionError(`Fetching the schema record from ${pds} failed: ${(err as Error).message}`)
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new LexiconResolutionError(`${pds} returned a non-JSON getRecord response (HTTP ${res.status})`)
  }
  if (!res.ok) {
    const error = (body as { error?: unknown })?.error
    throw new LexiconResolutionError(
      `${pds} has no schema record for ${nsid} (HTTP ${res.status} ${error ?? ''})`.trim(),
    )
  }
  return body as { uri?: unknown; cid?: unknown; value?: unknown }
}

/** Resolves and checks the published schema of an NSID. Throws LexiconResolutionError or LexiconDocError. */
export async function resolveLexicon(nsid: string, opts: LexiconResolverOptions): Promise<ResolvedLexicon> {
  const did = await resolveLexiconAuthority(nsid, opts)
  let pds: string
  try {
    pds = (await opts.resolveDid(did)).pds
  } catch (err) {
    throw new LexiconResolutionError(`Resolving ${did} failed: ${(err as Error).message}`)
  }
  const uri = `at://${did}/${LEXICON_SCHEMA_COLLECTION}/${nsid}`
  const body = await fetchSchemaRecord(pds, did, nsid, opts)
  if (body.uri !== undefined && body.uri !== uri) {
    throw new LexiconResolutionError(`${pds} returned ${String(body.uri)} instead of ${uri}`)
  }
  const value = body.value
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LexiconResolutionError(`The schema record of ${nsid} is not an object`)
  }
  const { $type, ...rest } = value as Record<string, unknown>
  if ($type !== LEXICON_SCHEMA_COLLECTION) {
    throw new LexiconResolutionError(`The schema record of ${nsid} has $type ${String($type)}`)
  }
  const doc = parseLexiconDoc(rest)
  if (doc.id !== nsid) throw new LexiconResolutionError(`The schema record for ${nsid} describes ${doc.id}`)
  return { nsid, did, pds, uri, cid: typeof body.cid === 'string' ? body.cid : undefined, doc }
}
