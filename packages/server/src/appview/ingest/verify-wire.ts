/**
 * Commit proofs between the ingester and its verification workers. A batch travels as one transferred
 * buffer (CIDs as bytes, each commit's CAR slice, small integers) plus one flat list of strings (DIDs,
 * revs, keys, paths): no per-job objects to clone, no CID string conversions on the way. The answers carry
 * the record blocks the same way.
 */
import { CID } from '@stratus/core/data'
import type { RepoOp } from '@stratus/core/repo'
import type { CommitMessage, CommitProof } from '@stratus/core/sync/prove'

export interface JobBatch {
  id: number
  count: number
  /** Per job: repo, rev, since ('' for none), signing key, then one path per op. */
  strs: string[]
  buf: ArrayBuffer
}

export interface ResultBatch {
  id: number
  /** Per proved job: its data root; per failed job: code, message. */
  strs: string[]
  /** Time the worker spent proving the batch, ms (set by the worker). */
  ms?: number
  buf: ArrayBuffer
}

export interface ProofJob {
  msg: CommitMessage
  signingKey: string
  prevData: CID
}

const ACTIONS: RepoOp['action'][] = ['create', 'update', 'delete']
const ACTION_CODE: Record<string, number> = { create: 0, update: 1, delete: 2 }

/** A growing byte buffer with a cursor. */
class Writer {
  bytes: Uint8Array
  view: DataView
  off = 0
  constructor(size: number) {
    this.bytes = new Uint8Array(size)
    this.view = new DataView(this.bytes.buffer)
  }
  u16(n: number): void {
    this.view.setUint16(this.off, n)
    this.off += 2
  }
  u32(n: number): void {
    this.view.setUint32(this.off, n)
    this.off += 4
  }
  /** Length-prefixed (u32) bytes; 0xffffffff for none. */
  chunk(b: Uint8Array | null | undefined): void {
    if (!b) {
      this.u32(0xffffffff)
      return
    }
    this.u32(b.byteLength)
    this.bytes.set(b, this.off)
    this.off += b.byteLength
  }
}

class Reader {
  readonly view: DataView
  off = 0
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
  u16(): number {
    const n = this.view.getUint16(this.off)
    this.off += 2
    return n
  }
  u32(): number {
    const n = this.view.getUint32(this.off)
    this.off += 4
    return n
  }
  /** A view (not a copy) of the next length-prefixed bytes; undefined for none. */
  chunk(): Uint8Array | undefined {
    const len = this.u32()
    if (len === 0xffffffff) return undefined
    const b = this.bytes.subarray(this.off, this.off + len)
    this.off += len
    return b
  }
}

const cidBytes = (c: CID | null | undefined) => c?.bytes

export function packJobs(id: number, jobs: readonly ProofJob[]): JobBatch {
  let size = 0
  for (const { msg, prevData } of jobs) {
    size += 16 + msg.commit.bytes.byteLength + prevData.bytes.byteLength + msg.blocks.byteLength
    for (const op of msg.ops) size += 10 + (op.cid?.bytes.byteLength ?? 0) + (op.prev?.bytes.byteLength ?? 0)
  }
  const w = new Writer(size)
  const strs: string[] = []
  for (const { msg, signingKey, prevData } of jobs) {
    strs.push(msg.repo, msg.rev, msg.since ?? '', signingKey)
    w.u16(msg.since === null ? 1 : 0)
    w.chunk(msg.commit.bytes)
    w.chunk(prevData.bytes)
    w.u16(msg.ops.length)
    for (const op of msg.ops) {
      strs.push(op.path)
      w.u16(ACTION_CODE[op.action] ?? 0xffff)
      w.chunk(cidBytes(op.cid))
      w.chunk(cidBytes(op.prev))
    }
    w.chunk(msg.blocks)
  }
  return { id, count: jobs.length, strs, buf: w.bytes.buffer as ArrayBuffer }
}

export function unpackJobs(batch: JobBatch): ProofJob[] {
  const r = new Reader(new Uint8Array(batch.buf))
  const strs = batch.strs
  let s = 0
  const out: ProofJob[] = new Array(batch.count)
  for (let i = 0; i < batch.count; i++) {
    const repo = strs[s++]
    const rev = strs[s++]
    const since = strs[s++]
    const signingKey = strs[s++]
    const noSince = r.u16() === 1
    const commit = CID.decode(r.chunk() as Uint8Array)
    const prevData = CID.decode(r.chunk() as Uint8Array)
    const ops: RepoOp[] = new Array(r.u16())
    for (let k = 0; k < ops.length; k++) {
      const action = ACTIONS[r.u16()]
      const path = strs[s++]
      const cid = r.chunk()
      const prev = r.chunk()
      const op: RepoOp = { action, path, cid: cid ? CID.decode(cid) : null }
      if (prev) op.prev = CID.decode(prev)
      ops[k] = op
    }
    const blocks = r.chunk() as Uint8Array
    const msg: CommitMessage = {
      type: 'commit',
      seq: 0,
      repo,
      commit,
      rev,
      since: noSince ? null : since,
      blocks,
      ops,
      prevData,
      tooBig: false,
    }
    out[i] = { msg, signingKey, prevData }
  }
  return out
}

const NONE = 0
const OK = 1
const FAILED = 2

/**
 * `null` for a job that could not run (the ingester then proves it inline). A proof's record blocks go by
 * op index (the job's ops are known on the other side).
 */
export function packResults(
  id: number,
  jobs: readonly ProofJob[],
  proofs: readonly (CommitProof | null)[],
): ResultBatch {
  let size = 0
  for (const p of proofs) {
    size += 4
    if (p?.ok) for (const b of p.records.values()) size += 6 + b.byteLength
  }
  const w = new Writer(size)
  const strs: string[] = []
  for (let i = 0; i < proofs.length; i++) {
    const p = proofs[i]
    if (!p) {
      w.u16(NONE)
      continue
    }
    if (!p.ok) {
      w.u16(FAILED)
      strs.push(p.code, p.message)
      continue
    }
    w.u16(OK)
    strs.push(p.data)
    const ops = jobs[i].msg.ops
    w.u16(p.records.size)
    for (let k = 0; k < ops.length; k++) {
      const b = p.records.get(ops[k].path)
      if (!b) continue
      w.u16(k)
      w.chunk(b)
    }
  }
  return { id, strs, buf: w.bytes.buffer as ArrayBuffer }
}

export function unpackResults(batch: ResultBatch, jobs: readonly ProofJob[]): (CommitProof | undefined)[] {
  const r = new Reader(new Uint8Array(batch.buf))
  const strs = batch.strs
  let s = 0
  const out: (CommitProof | undefined)[] = new Array(jobs.length)
  for (let i = 0; i < jobs.length; i++) {
    const status = r.u16()
    if (status === NONE) continue
    const base = { signingKey: jobs[i].signingKey, prevData: jobs[i].prevData.toString() }
    if (status === FAILED) {
      out[i] = { ok: false, ...base, code: strs[s++], message: strs[s++] }
      continue
    }
    const data = strs[s++]
    const records = new Map<string, Uint8Array>()
    const ops = jobs[i].msg.ops
    for (let n = r.u16(); n > 0; n--) {
      const k = r.u16()
      records.set(ops[k].path, r.chunk() as Uint8Array)
    }
    out[i] = { ok: true, ...base, data, records }
  }
  return out
}
