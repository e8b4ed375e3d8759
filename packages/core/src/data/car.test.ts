/** CAR v1: round trips (bytes and streams, tiny and large chunks), interop with @atproto/repo, hostile input. */
import * as atprotoRepo from '@atproto/repo'
import { CID as MfCID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { describe, expect, it } from 'vitest'
import { concat, encodeVarint, equals, sha256 } from '../bytes/index.ts'
import {
  type Block,
  CarBlocks,
  CarError,
  CID,
  DAG_CBOR,
  RAW,
  cidForRaw,
  encodeBlock,
  encodeCbor,
  readCar,
  readCarBlocks,
  readCarStream,
  writeCar,
  writeCarBytes,
} from './index.ts'
import { Random, randomValue } from './test-util.ts'

function makeBlocks(seed: number, n: number): Block[] {
  const r = new Random(seed)
  const blocks: Block[] = []
  for (let i = 0; i < n; i++) {
    if (r.next() < 0.2) {
      const bytes = r.bytes(r.int(3000))
      blocks.push({ cid: cidForRaw(bytes), bytes })
    } else blocks.push(encodeBlock({ i, v: randomValue(r, 1) }))
  }
  return blocks
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

/** Re-chunks bytes into pieces of random sizes in [min, max]. */
function* chunked(bytes: Uint8Array, r: Random, min: number, max: number): Generator<Uint8Array> {
  for (let pos = 0; pos < bytes.length; ) {
    const n = min + r.int(max - min + 1)
    yield bytes.subarray(pos, pos + n)
    pos += n
  }
}

async function* slowly<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const x of items) {
    await Promise.resolve()
    yield x
  }
}

const sameBlocks = (got: Block[], want: Block[]) => {
  expect(got.map((b) => b.cid.toString())).toEqual(want.map((b) => b.cid.toString()))
  for (let i = 0; i < want.length; i++) expect(equals(got[i].bytes, want[i].bytes)).toBe(true)
}

/** Every failure must be a CarError: never another error type, a hang or a huge allocation. */
async function expectCarError(bytes: Uint8Array, message?: RegExp): Promise<void> {
  expect(() => readCar(bytes)).toThrow(message ?? CarError)
  expect(() => readCar(bytes)).toThrow(CarError)
  expect(() => readCarBlocks(bytes)).toThrow(message ?? CarError)
  expect(() => readCarBlocks(bytes)).toThrow(CarError)
  const streamed = async () => collect((await readCarStream(chunked(bytes, new Random(1), 1, 5))).blocks)
  await expect(streamed()).rejects.toThrow(CarError)
  if (message) await expect(streamed()).rejects.toThrow(message)
}

describe('CAR round trip', () => {
  const blocks = makeBlocks(1, 300)
  const roots = [blocks[0].cid]
  const car = writeCarBytes(roots, blocks)

  it('writeCar (sync or async block source) streams the same bytes as writeCarBytes, in bounded chunks', async () => {
    for (const source of [blocks, slowly(blocks)]) {
      const chunks = await collect(writeCar(roots, source))
      expect(equals(concat(chunks), car)).toBe(true)
      const biggestBlock = Math.max(...blocks.map((b) => b.bytes.length + 40))
      for (const c of chunks) expect(c.length).toBeLessThanOrEqual(Math.max(64 * 1024, biggestBlock))
    }
  })

  it('readCar returns the roots and every block', () => {
    const got = readCar(car)
    expect(got.roots.map(String)).toEqual(roots.map(String))
    expect(got.blocks.size).toBe(new Set(blocks.map((b) => b.cid.toString())).size)
    for (const b of blocks) expect(equals(got.blocks.get(b.cid.toString())!, b.bytes)).toBe(true)
  })

  it('readCarBlocks finds every block by CID, and nothing else', () => {
    const got = readCarBlocks(car)
    expect(got.roots.map(String)).toEqual(roots.map(String))
    expect(got.blocks.size).toBe(new Set(blocks.map((b) => b.cid.toString())).size)
    for (const b of blocks) expect(equals(got.blocks.get(b.cid)!, b.bytes)).toBe(true)
    expect([...got.blocks].map((b) => b.cid.toString()).sort()).toEqual([...readCar(car).blocks.keys()].sort())
    // Same digest, other codec: a different CID.
    const raw = CID.create(RAW, blocks[1].cid.digest)
    if (!raw.equals(blocks[1].cid)) expect(got.blocks.has(raw)).toBe(false)
    expect(got.blocks.get(cidForRaw(new Uint8Array([9, 9])))).toBeUndefined()
  })

  it('CarBlocks tells apart CIDs whose lookup keys collide', () => {
    // Digests ending in the same four bytes share a key (never the case by chance for a few blocks).
    const digest = (first: number) => Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? first : 7))
    const cids = [1, 2, 3].map((n) => CID.create(DAG_CBOR, digest(n)))
    const store = new CarBlocks()
    for (const [i, cid] of cids.entries()) store.add({ cid, bytes: Uint8Array.of(i) })
    store.add({ cid: cids[0], bytes: Uint8Array.of(42) })
    expect(store.size).toBe(3)
    for (const [i, cid] of cids.entries()) expect(store.get(cid)).toEqual(Uint8Array.of(i))
    expect(store.has(CID.create(DAG_CBOR, digest(4)))).toBe(false)
    expect([...store].length).toBe(3)
  })

  it('readCarStream gives the same blocks for chunks of 1..7 bytes, large chunks and one chunk', async () => {
    const r = new Random(99)
    for (const [min, max] of [
      [1, 7],
      [1, 1],
      [1000, 70000],
      [car.length, car.length],
    ]) {
      const { roots: gotRoots, blocks: stream } = await readCarStream(slowly(chunked(car, r, min, max)))
      expect(gotRoots.map(String)).toEqual(roots.map(String))
      sameBlocks(await collect(stream), blocks)
    }
  })

  it('pipes writeCar into readCarStream for a multi-megabyte repository', async () => {
    let written = 0
    function* many(): Generator<Block> {
      for (let i = 0; i < 2000; i++) {
        const bytes = new Uint8Array(4000).fill(i & 0xff)
        bytes[0] = i >> 8
        written++
        yield { cid: cidForRaw(bytes), bytes }
      }
    }
    const { blocks: stream } = await readCarStream(writeCar([], many()))
    let n = 0
    for await (const b of stream) {
      expect(b.bytes[1]).toBe(n & 0xff)
      n++
      // The writer is pulled lazily: it is never far ahead of the reader.
      expect(written - n).toBeLessThan(40)
    }
    expect(n).toBe(2000)
  })

  it('streamed blocks are copies: keeping one does not pin the chunk it came in', async () => {
    const chunk = Buffer.from(car) // what a Node stream delivers
    const { blocks: stream } = await readCarStream([chunk])
    for await (const b of stream) {
      expect(b.bytes.buffer).not.toBe(chunk.buffer)
      expect(b.cid.bytes.buffer).not.toBe(chunk.buffer)
    }
  })

  it('stopping early closes the source', async () => {
    let closed = false
    async function* source() {
      try {
        yield* chunked(car, new Random(5), 100, 200)
      } finally {
        closed = true
      }
    }
    const { blocks: stream } = await readCarStream(source())
    for await (const _ of stream) break
    expect(closed).toBe(true)
  })
})

describe('CAR interop with @atproto/repo', () => {
  const blocks = makeBlocks(2, 200)
  const toMf = (c: CID) => MfCID.decode(c.bytes)

  it('a CAR written by us reads with theirs', async () => {
    const car = writeCarBytes([blocks[0].cid], blocks)
    const theirs = await atprotoRepo.readCarWithRoot(car)
    expect(theirs.root.toString()).toBe(blocks[0].cid.toString())
    for (const b of blocks) expect(equals(theirs.blocks.get(toMf(b.cid))!, b.bytes)).toBe(true)
    const streamed = concat(await collect(writeCar([blocks[0].cid], slowly(blocks))))
    expect((await atprotoRepo.readCar(streamed)).blocks.size).toBe(theirs.blocks.size)
  })

  it('a CAR written by theirs reads with ours (bytes and stream)', async () => {
    const map = new atprotoRepo.BlockMap()
    for (const b of blocks) map.set(toMf(b.cid), b.bytes)
    const car = await atprotoRepo.blocksToCarFile(toMf(blocks[1].cid), map)
    const ours = readCar(car)
    expect(ours.roots.map(String)).toEqual([blocks[1].cid.toString()])
    for (const b of blocks) expect(equals(ours.blocks.get(b.cid.toString())!, b.bytes)).toBe(true)
    const { blocks: stream } = await readCarStream(chunked(car, new Random(3), 1, 7))
    expect((await collect(stream)).length).toBe(map.size)
  })
})

describe('CAR hostile input', () => {
  const blocks = makeBlocks(3, 20)
  const car = writeCarBytes([blocks[0].cid], blocks)
  const header = encodeCbor({ roots: [blocks[0].cid], version: 1 })
  const withHeader = (...parts: Uint8Array[]) => concat([encodeVarint(header.length), header, ...parts])
  const section = (cid: Uint8Array, data: Uint8Array) => concat([encodeVarint(cid.length + data.length), cid, data])

  it('rejects bad and non-minimal varints', async () => {
    await expectCarError(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]))
    await expectCarError(new Uint8Array([0x81, 0x00, 0xa0]))
    await expectCarError(withHeader(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])))
    await expectCarError(withHeader(new Uint8Array([0x80])))
  })

  it('rejects huge header and section lengths without buffering them', async () => {
    await expectCarError(encodeVarint(2 ** 40), /exceeds the limit/)
    await expectCarError(withHeader(encodeVarint(2 ** 50)), /exceeds the limit/)
    await expectCarError(withHeader(encodeVarint(4 << 20)), /past the end/)
    // A stream announcing a giant section, then endless data: fails at the length, reading nothing more.
    let pulled = 0
    let closed = false
    function* endless(): Generator<Uint8Array> {
      try {
        yield withHeader(encodeVarint(2 ** 45))
        for (;;) {
          pulled++
          yield new Uint8Array(1 << 16)
        }
      } finally {
        closed = true
      }
    }
    const { blocks: stream } = await readCarStream(endless())
    await expect(collect(stream)).rejects.toThrow(/exceeds the limit/)
    expect(pulled).toBe(0)
    expect(closed).toBe(true)
    // Honest streams larger than the limit fail too, so memory stays bounded by maxBlockSize.
    const big = new Uint8Array(5000)
    const one = writeCarBytes([], [{ cid: cidForRaw(big), bytes: big }])
    await expect(readCarStream([one], { maxBlockSize: 4096 }).then((c) => collect(c.blocks))).rejects.toThrow(CarError)
  })

  it('rejects malformed headers', async () => {
    const bad = [
      encodeCbor([1]),
      encodeCbor({ roots: [blocks[0].cid], version: 2 }),
      encodeCbor({ version: 1 }),
      encodeCbor({ roots: ['x'], version: 1 }),
      encodeCbor({ roots: blocks[0].cid, version: 1 }),
      new Uint8Array([0xa2, 0x01]),
      new Uint8Array([0xf9, 0x3c, 0x00]),
    ]
    for (const h of bad) await expectCarError(concat([encodeVarint(h.length), h]))
    await expectCarError(new Uint8Array([0x00]))
    await expectCarError(new Uint8Array(0))
  })

  it('rejects blocks whose bytes do not match their CID', async () => {
    const tampered = new Uint8Array(blocks[5].bytes)
    tampered[tampered.length - 1] ^= 1
    await expectCarError(withHeader(section(blocks[5].cid.bytes, tampered)), /does not match/)
  })

  it('rejects CIDv0, unsupported hashes and malformed section CIDs', async () => {
    const data = new Uint8Array([1, 2, 3])
    const v0 = concat([new Uint8Array([0x12, 0x20]), sha256(data)])
    await expectCarError(withHeader(section(v0, data)), /CIDv0/)
    const sha512 = MfCID.createV1(0x55, Digest.create(0x13, new Uint8Array(64))).bytes
    await expectCarError(withHeader(section(sha512, data)), /unsupported hash/)
    await expectCarError(withHeader(section(new Uint8Array([1, 0x55, 0x12, 0x20, 1, 2]), new Uint8Array(0))))
    await expectCarError(withHeader(new Uint8Array([0])))
  })

  it('every truncation is a CarError or a clean prefix of the blocks', async () => {
    const boundaries = new Set<number>()
    let pos = car.length
    for (let i = blocks.length - 1; i >= -1; i--) {
      boundaries.add(pos)
      if (i >= 0)
        pos -=
          blocks[i].cid.bytes.length +
          blocks[i].bytes.length +
          encodeVarint(blocks[i].cid.bytes.length + blocks[i].bytes.length).length
    }
    const near = (cut: number) => [...boundaries].some((b) => Math.abs(b - cut) <= 3)
    for (let cut = 0; cut < car.length; cut++) {
      if (cut > 200 && cut % 17 !== 0 && !near(cut)) continue // every cut would re-hash too much
      const prefix = car.subarray(0, cut)
      if (boundaries.has(cut)) {
        expect(readCar(prefix).blocks.size).toBeLessThan(blocks.length)
        continue
      }
      expect(() => readCar(prefix), `cut ${cut}`).toThrow(CarError)
    }
    const cuts = [1, 5, car.length - 1, car.length - 40]
    for (const cut of cuts) await expectCarError(car.subarray(0, cut))
  })

  it('random corruption gives a CarError or a valid read, never anything else', async () => {
    const r = new Random(77)
    for (let i = 0; i < 300; i++) {
      const bad = new Uint8Array(car)
      for (let k = 1 + r.int(4); k > 0; k--) bad[r.int(bad.length)] = r.int(256)
      let syncError: unknown
      try {
        readCar(bad)
      } catch (err) {
        syncError = err
        expect(err, `case ${i}`).toBeInstanceOf(CarError)
      }
      try {
        await collect((await readCarStream(chunked(bad, r, 1, 300))).blocks)
        expect(syncError, `case ${i}`).toBeUndefined()
      } catch (err) {
        expect(err, `case ${i}`).toBeInstanceOf(CarError)
      }
    }
  })

  it('rejects chunks that are not bytes and sources that are not iterable', async () => {
    await expect(readCarStream(['x'] as unknown as Uint8Array[])).rejects.toThrow(CarError)
    await expect(readCarStream(42 as unknown as Uint8Array[])).rejects.toThrow(CarError)
  })
})
