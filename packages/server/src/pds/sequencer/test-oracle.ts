/**
 * Test helpers (never imported by the service): decoding firehose frames and checking events with the
 * official packages — @ipld/dag-cbor for the bytes, @atproto/lexicon for the subscribeRepos schema,
 * @atproto/repo for the CAR, the commit signature, record proofs and the sync 1.1 inversion (ops undone on
 * the partial tree the event carries must give prevData), plus our own core verifyCommitEvent.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Lexicons } from '@atproto/lexicon'
import { MST, MemoryBlockstore, def, parseDataKey, readCarWithRoot, verifyCommitSig, verifyProofs } from '@atproto/repo'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from '@stratus/core/data'
import { verifyCommitEvent } from '@stratus/core/repo'
import type { CID as MfCID } from 'multiformats/cid'
import { WebSocket } from 'ws'

const SUBSCRIBE = 'com.atproto.sync.subscribeRepos'

export interface DecodedFrame {
  t: string
  body: any
}

/** Splits a message frame with the official codec: the header must be the canonical `{op: 1, t}`. */
export function officialDecodeFrame(frame: Uint8Array): DecodedFrame {
  for (const t of ['#commit', '#sync', '#identity', '#account', '#info']) {
    const header = dagCbor.encode({ op: 1, t })
    if (frame.length > header.length && header.every((b, i) => frame[i] === b)) {
      return { t, body: dagCbor.decode(frame.subarray(header.length)) }
    }
  }
  const err = dagCbor.encode({ op: -1 })
  if (err.every((b, i) => frame[i] === b)) return { t: 'error', body: dagCbor.decode(frame.subarray(err.length)) }
  throw new Error('frame header is not a canonical message or error header')
}

let lexicons: Lexicons | undefined
function officialLexicons(): Lexicons {
  if (lexicons) return lexicons
  const root = fileURLToPath(new URL('../../../../../lexicons/com/atproto/sync/', import.meta.url))
  const docs = readdirSync(root)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(root, f), 'utf8')))
  lexicons = new Lexicons(docs)
  return lexicons
}

/** Validates a decoded message body against the subscribeRepos lexicon (official validator). */
export function assertValidMessage(frame: DecodedFrame): void {
  officialLexicons().assertValidXrpcMessage(SUBSCRIBE, { $type: `${SUBSCRIBE}${frame.t}`, ...frame.body })
}

const fromMf = (c: MfCID): CID => CID.decode(new Uint8Array(c.bytes))

/**
 * Full check of one decoded `#commit` body with the official packages and ours. Returns the commit's data
 * root (the next event's expected prevData).
 */
export async function verifyCommitBody(body: DecodedFrame['body'], signingKey: string): Promise<string> {
  const car = await readCarWithRoot(body.blocks)
  if (!car.root.equals(body.commit)) throw new Error('CAR root is not the event commit')
  const commitBytes = car.blocks.get(car.root)
  if (!commitBytes) throw new Error('commit block missing')
  const commit = def.commit.schema.parse(dagCbor.decode(commitBytes))
  if (commit.did !== body.repo || commit.rev !== body.rev) throw new Error('commit did/rev differ from the event')
  if (!(await verifyCommitSig(commit, signingKey))) throw new Error('bad commit signature')
  // Record proofs (what @atproto/sync's authenticated firehose parsing runs).
  const claims = body.ops.map((op: { action: string; path: string; cid: MfCID | null }) => {
    const { collection, rkey } = parseDataKey(op.path)
    return { collection, rkey, cid: op.action === 'delete' ? null : op.cid }
  })
  const proofs = await verifyProofs(body.blocks, claims, body.repo, signingKey)
  if (proofs.unverified.length > 0) throw new Error(`${proofs.unverified.length} op(s) not proven by the event blocks`)
  // Sync 1.1 inversion on the partial tree, with the official MST.
  const storage = new MemoryBlockstore(car.blocks)
  let mst = MST.load(storage, commit.data)
  for (const op of [...body.ops].reverse()) {
    if (op.action === 'create') mst = await mst.delete(op.path)
    else if (op.action === 'update') mst = await mst.update(op.path, op.prev)
    else mst = await mst.add(op.path, op.prev)
  }
  const inverted = await mst.getPointer()
  const prevData = body.prevData ?? null
  if (prevData === null ? body.since !== null : !inverted.equals(prevData)) {
    throw new Error(`inversion gives ${inverted}, event prevData is ${prevData}`)
  }
  // Ours too (it needs prevData, which the first commit of a repository does not have).
  if (body.prevData)
    verifyCommitEvent(
      {
        repo: body.repo,
        commit: fromMf(body.commit),
        rev: body.rev,
        since: body.since,
        blocks: body.blocks,
        ops: body.ops.map(
          (op: { action: 'create' | 'update' | 'delete'; path: string; cid: MfCID | null; prev?: MfCID }) => ({
            action: op.action,
            path: op.path,
            cid: op.cid ? fromMf(op.cid) : null,
            ...(op.prev ? { prev: fromMf(op.prev) } : {}),
          }),
        ),
        prevData: body.prevData ? fromMf(body.prevData) : null,
      },
      { signingKey, prevData: body.prevData ? fromMf(body.prevData) : undefined },
    )
  return commit.data.toString()
}

/** A raw firehose consumer (the `ws` package): keeps every frame, decoded with the official codec. */
export class FirehoseClient {
  readonly frames: DecodedFrame[] = []
  /** Byte size of each frame, in order. */
  readonly sizes: number[] = []
  readonly closed: Promise<{ code: number; reason: string }>
  private wake: (() => void) | undefined

  private constructor(readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer'
    ws.on('message', (data: Buffer) => {
      this.sizes.push(data.length)
      this.frames.push(officialDecodeFrame(new Uint8Array(data)))
      this.wake?.()
    })
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() })
        this.wake?.()
      })
    })
  }

  static async connect(baseUrl: string, cursor?: number): Promise<FirehoseClient> {
    const url = new URL('/xrpc/com.atproto.sync.subscribeRepos', baseUrl.replace(/^http/, 'ws'))
    if (cursor !== undefined) url.searchParams.set('cursor', String(cursor))
    const ws = new WebSocket(url)
    const client = new FirehoseClient(ws)
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    return client
  }

  /** Resolves once `pred(frames)` holds; rejects after `timeoutMs` or if the stream closes first. */
  async waitFor(pred: (frames: DecodedFrame[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!pred(this.frames)) {
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`stream closed; ${this.frames.length} frames`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out with ${this.frames.length} frames`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200))
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  }

  /** Events (not #info/errors) by seq. */
  seqs(): number[] {
    return this.frames.filter((f) => typeof f.body.seq === 'number').map((f) => f.body.seq)
  }

  async close(): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close()
    await this.closed
  }
}
