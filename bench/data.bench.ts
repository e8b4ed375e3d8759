/**
 * Data model hot paths: DAG-CBOR encode/decode of a typical post and of a 100-entry MST node, and CID
 * computation (sha-256 + string form). Ours vs @ipld/dag-cbor + multiformats (what the official
 * implementation uses) vs @atcute/cbor + @atcute/cid (the fastest JS alternative).
 */
import * as atcuteCbor from '@atcute/cbor'
import * as atcuteCid from '@atcute/cid'
import * as ipld from '@ipld/dag-cbor'
import { CID as MfCID } from 'multiformats/cid'
import { sha256 as mfSha256 } from 'multiformats/hashes/sha2'
import { CID, cidForCbor, decodeCbor, encodeCbor, type LexValue } from '../packages/core/src/data/index.ts'
import { type Measured, measure, printComparison } from './lib.ts'

/**
 * Measures the rows round-robin, several rounds, keeping each row's best: on a shared, loaded machine this
 * is far steadier than one long run per row, and no row benefits from running first or last.
 */
async function compare(title: string, rows: [string, () => unknown][], rounds = 4, ms = 500): Promise<void> {
  const best: Measured[] = []
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < rows.length; i++) {
      const m = await measure(rows[i][0], rows[i][1], ms)
      if (!best[i] || m.opsPerSec > best[i].opsPerSec) best[i] = m
    }
  }
  printComparison(title, best)
}

function fakeCid(seed: number, code = 0x71): CID {
  const digest = new Uint8Array(32)
  for (let i = 0; i < 32; i++) digest[i] = (seed * 31 + i * 17) & 0xff
  return CID.create(code, digest)
}

function post(): LexValue {
  const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
  return {
    $type: 'app.bsky.feed.post',
    text: 'Hello @alice.bsky.social! Read https://example.com/articles/2024/atproto — a typical post with a mention, a link and an emoji 🎉',
    createdAt: '2024-11-27T10:14:00.123Z',
    langs: ['en'],
    facets: [
      {
        index: { byteStart: 6, byteEnd: 24 },
        features: [{ $type: 'app.bsky.richtext.facet#mention', did: 'did:plc:z72i7hdynmk6r22z27h6tvur' }],
      },
      {
        index: { byteStart: 31, byteEnd: 73 },
        features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://example.com/articles/2024/atproto' }],
      },
    ],
    reply: {
      root: { uri: `at://${did}/app.bsky.feed.post/3lbxyzabc2k2a`, cid: fakeCid(1).toString() },
      parent: { uri: `at://${did}/app.bsky.feed.post/3lbxyzdef3m2b`, cid: fakeCid(2).toString() },
    },
    embed: {
      $type: 'app.bsky.embed.images',
      images: [
        {
          alt: 'A photo of a mountain lake at sunrise',
          image: { $type: 'blob', ref: fakeCid(3, 0x55), mimeType: 'image/jpeg', size: 734_211 },
          aspectRatio: { width: 2000, height: 1333 },
        },
      ],
    },
  }
}

function mstNode(): LexValue {
  const e = []
  for (let i = 0; i < 100; i++) {
    const key = `app.bsky.feed.post/3lbx${(1000 + i * 7).toString(36)}abc${i % 10}`
    const k = new TextEncoder().encode(i === 0 ? key : key.slice(22))
    e.push({ p: i === 0 ? 0 : 22, k, v: fakeCid(100 + i), t: i % 4 === 0 ? fakeCid(500 + i) : null })
  }
  return { e, l: fakeCid(99) }
}

/** The same value in another library's representation of CIDs and bytes. */
function convert(v: unknown, cid: (c: CID) => unknown, bytes: (b: Uint8Array) => unknown): unknown {
  if (v instanceof CID) return cid(v)
  if (v instanceof Uint8Array) return bytes(v)
  if (Array.isArray(v)) return v.map((x) => convert(x, cid, bytes))
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, convert(x, cid, bytes)]))
  }
  return v
}
const toIpld = (v: unknown) =>
  convert(
    v,
    (c) => MfCID.decode(c.bytes),
    (b) => b,
  )
const toAtcute = (v: unknown) =>
  convert(
    v,
    (c) => new atcuteCbor.CidLinkWrapper(c.bytes),
    (b) => atcuteCbor.toBytes(b),
  )

async function codecRows(name: string, value: LexValue): Promise<void> {
  const bytes = encodeCbor(value)
  const ipldValue = toIpld(value)
  const atcuteValue = toAtcute(value)
  const same = (b: Uint8Array) => b.length === bytes.length && b.every((x, i) => x === bytes[i])
  if (!same(ipld.encode(ipldValue)) || !same(atcuteCbor.encode(atcuteValue))) {
    throw new Error(`${name}: encoders disagree`)
  }
  await compare(`DAG-CBOR encode: ${name} (${bytes.length} bytes)`, [
    ['stratus encodeCbor', () => encodeCbor(value)],
    ['@ipld/dag-cbor encode', () => ipld.encode(ipldValue)],
    ['@atcute/cbor encode', () => atcuteCbor.encode(atcuteValue)],
  ])
  await compare(`DAG-CBOR decode: ${name} (${bytes.length} bytes)`, [
    ['stratus decodeCbor', () => decodeCbor(bytes)],
    ['@ipld/dag-cbor decode', () => ipld.decode(bytes)],
    ['@atcute/cbor decode', () => atcuteCbor.decode(bytes)],
  ])
}

async function cidRows(): Promise<void> {
  const block = encodeCbor({
    $type: 'app.bsky.feed.post',
    text: 'A plain text post of a couple of hundred characters, which is what most records on the network look like: no embeds, no facets, just words. Hashing it and printing its CID is the common case.',
    createdAt: '2024-11-27T10:14:00.123Z',
    langs: ['en'],
  })
  const expected = cidForCbor(block).toString()
  const mf = async () => MfCID.create(1, 0x71, await mfSha256.digest(block)).toString()
  const at = async () => atcuteCid.toString(await atcuteCid.create(0x71, block))
  if ((await mf()) !== expected || (await at()) !== expected) throw new Error('CID implementations disagree')
  await compare(`CID of a ${block.length}-byte block (sha-256 + string form)`, [
    ['stratus cidForCbor', () => cidForCbor(block).toString()],
    ['multiformats CID.create', mf],
    ['@atcute/cid create', at],
  ])
}

export default async function () {
  await codecRows('app.bsky.feed.post record', post())
  await codecRows('MST node, 100 entries', mstNode())
  await cidRows()
}
