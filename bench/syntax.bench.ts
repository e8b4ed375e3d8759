/** Identifier validators and TID generation: ours vs the official @atproto/syntax (and @atproto/common-web TID). */
import { TID } from '@atproto/common-web'
import * as official from '@atproto/syntax'
import * as ours from '../packages/core/src/syntax/index.ts'
import { type Measured, measure, printComparison } from './lib.ts'

const MS = 500

/** Calls per timed op: single validator calls are too short to time against the harness's own clock reads. */
const BATCH = 256

/** Runs `fn` over realistic inputs (mostly valid, a few invalid) so neither side can cache one answer. */
function batch(inputs: string[], fn: (s: string) => unknown): () => unknown {
  const all = Array.from({ length: BATCH }, (_, i) => inputs[i % inputs.length])
  let sink = 0
  return () => {
    for (let i = 0; i < BATCH; i++) if (fn(all[i])) sink++
    return sink
  }
}

/** Measures a batched function and reports per-call figures. */
async function perCall(name: string, fn: () => unknown): Promise<Measured> {
  const m = await measure(name, fn, MS)
  return { name, opsPerSec: m.opsPerSec * BATCH, usPerOp: m.usPerOp / BATCH }
}

const CASES: [string, string[], (s: string) => unknown, (s: string) => unknown][] = [
  [
    'isValidDid',
    ['did:plc:44ybard66vv44zksje25o7dz', 'did:web:example.com', 'did:plc:z72i7hdynmk6r22z27h6tvur', 'did:Plc:x'],
    ours.isValidDid,
    official.isValidDid,
  ],
  [
    'isValidHandle',
    ['alice.bsky.social', 'bob.example.com', 'xn--ls8h.test', 'jo_hn.test'],
    ours.isValidHandle,
    official.isValidHandle,
  ],
  [
    'isValidNsid',
    ['app.bsky.feed.post', 'com.atproto.repo.createRecord', 'app.bsky.actor.profile', 'com.example'],
    ours.isValidNsid,
    official.isValidNsid,
  ],
  [
    'isValidAtUri (strict)',
    [
      'at://did:plc:44ybard66vv44zksje25o7dz/app.bsky.feed.post/3jwdwj2ctlk26',
      'at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.like/3kbhiodpr4m2d',
      'at://alice.bsky.social/app.bsky.actor.profile/self',
      'at://did:plc:abc/app.bsky.feed.post/',
    ],
    ours.isValidAtUri,
    (s) => official.isAtUriString(s),
  ],
  [
    'isValidRecordKey',
    ['3jwdwj2ctlk26', 'self', 'literal:self', '..'],
    ours.isValidRecordKey,
    official.isValidRecordKey,
  ],
  [
    'isValidTid',
    ['3jwdwj2ctlk26', '3kbhiodpr4m2d', '2222222222222', 'kjzfcijpj2z2a'],
    ours.isValidTid,
    official.isValidTid,
  ],
  [
    'isValidDatetime',
    ['2024-11-21T10:02:03.123Z', '1985-04-12T23:20:50.123456Z', '2023-06-01T12:00:00+02:00', '2024-02-30T00:00:00'],
    ours.isValidDatetime,
    official.isValidDatetime,
  ],
  ['isValidLanguage', ['en', 'pt-BR', 'zh-Hant-TW', 'ja-'], ours.isValidLanguage, official.isValidLanguage],
  [
    'AtUri.parse',
    [
      'at://did:plc:44ybard66vv44zksje25o7dz/app.bsky.feed.post/3jwdwj2ctlk26',
      'at://alice.bsky.social/app.bsky.actor.profile/self',
    ],
    (s) => ours.AtUri.parse(s).rkey,
    (s) => new official.AtUri(s).rkey,
  ],
]

export default async function () {
  // Warm the harness itself first, so the first row measured is not also paying for its JIT compilation.
  for (const [, inputs, mine, theirs] of CASES) {
    await measure('warm-up', batch(inputs, mine), 50)
    await measure('warm-up', batch(inputs, theirs), 50)
  }
  for (const [name, inputs, mine, theirs] of CASES) {
    printComparison(name, [
      await perCall('stratus', batch(inputs, mine)),
      await perCall('@atproto/syntax', batch(inputs, theirs)),
    ])
  }
  printComparison('next TID', [
    await perCall(
      'stratus nextTid',
      batch([''], () => ours.nextTid()),
    ),
    await perCall(
      'common-web TID.nextStr',
      batch([''], () => TID.nextStr()),
    ),
  ])
}
