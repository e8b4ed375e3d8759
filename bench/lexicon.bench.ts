/**
 * Lexicon validation of a typical app.bsky.feed.post (reply, image embed with alt texts and aspect
 * ratios, facets with a mention, a link and a tag, langs): ours vs @atproto/lexicon, same values.
 */
import { Lexicons as OfficialLexicons, jsonToLex as officialJsonToLex } from '@atproto/lexicon'
import { jsonToLex } from '../packages/core/src/data/index.ts'
import { loadBundledLexicons, readLexiconDocs } from '../packages/server/src/lexicons/index.ts'
import { measure, printComparison } from './lib.ts'

const CID = 'bafyreiclp443lavogvhj3d2ob2cxbfuscni2k5jk7bebjzg7khl3esabwq'
const BLOB_CID = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
const URI = 'at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3k2aa3fobsy2c'
const TEXT = 'Hey @alice.bsky.social, look at https://example.com/photos — the sunset from the pier 🌅 #photography'

const image = (alt: string, width: number, height: number) => ({
  alt,
  image: { $type: 'blob', ref: { $link: BLOB_CID }, mimeType: 'image/jpeg', size: 734_512 },
  aspectRatio: { width, height },
})

const facet = (byteStart: number, byteEnd: number, feature: Record<string, unknown>) => ({
  index: { byteStart, byteEnd },
  features: [feature],
})

export const TYPICAL_POST = {
  $type: 'app.bsky.feed.post',
  text: TEXT,
  createdAt: '2024-05-14T09:21:33.512Z',
  langs: ['en', 'pt-BR'],
  reply: { root: { uri: URI, cid: CID }, parent: { uri: URI, cid: CID } },
  facets: [
    facet(4, 22, { $type: 'app.bsky.richtext.facet#mention', did: 'did:plc:ewvi7nxzyoun6zhxrhs64oiz' }),
    facet(32, 58, { $type: 'app.bsky.richtext.facet#link', uri: 'https://example.com/photos' }),
    facet(91, 103, { $type: 'app.bsky.richtext.facet#tag', tag: 'photography' }),
  ],
  embed: {
    $type: 'app.bsky.embed.images',
    images: [
      image('The sun setting over the sea, seen from the end of a wooden pier', 4032, 3024),
      image('', 1080, 1920),
    ],
  },
}

export default async function () {
  const ours = loadBundledLexicons()
  const official = new OfficialLexicons(structuredClone(readLexiconDocs()) as never)
  const oursValue = jsonToLex(TYPICAL_POST)
  const theirValue = officialJsonToLex(TYPICAL_POST)
  // Both must accept it, or the comparison is meaningless.
  ours.assertValidRecord('app.bsky.feed.post', oursValue)
  official.assertValidRecord('app.bsky.feed.post', theirValue)

  printComparison('validate app.bsky.feed.post (reply, 2 images, 3 facets, langs)', [
    await measure('stratus', () => ours.assertValidRecord('app.bsky.feed.post', oursValue)),
    await measure('@atproto/lexicon', () => official.assertValidRecord('app.bsky.feed.post', theirValue)),
  ])
}
