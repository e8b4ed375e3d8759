/**
 * Commit proofs between the ingester and its verification workers. A batch of commits travels as small
 * descriptors plus one transferred buffer holding every commit's CAR slice; the answers carry the record
 * blocks the same way. CIDs cross as strings.
 */
import { CID } from '@stratus/core/data'
import type { RepoOp } from '@stratus/core/repo'
import type { CommitMessage, CommitProof } from '@stratus/core/sync'

interface JobDesc {
  repo: string
  commit: string
  rev: string
  since: string | null
  ops: { action: RepoOp['action']; path: string; cid: string | null; prev?: string }[]
  signingKey: string
  prevData: string
  off: number
  len: number
}

export interface JobBatch {
  id: number
  jobs: JobDesc[]
  buf: ArrayBuffer
}

type ResultDesc =
  | { ok: true; data: string; records: [path: string, off: number, len: number][] }
  | { ok: false; code: string; message: string }
  | null

export interface ResultBatch {
  id: number
  results: ResultDesc[]
  buf: ArrayBuffer
}

export interface ProofJob {
  msg: CommitMessage
  signingKey: string
  prevData: CID
}

export function packJobs(id: number, jobs: readonly ProofJob[]): JobBatch {
  let total = 0
  for (const j of jobs) total += j.msg.blocks.byteLength
  const bytes = new Uint8Array(total)
  let off = 0
  const descs: JobDesc[] = new Array(jobs.length)
  for (let i = 0; i < jobs.length; i++) {
    const { msg, signingKey, prevData } = jobs[i]
    const len = msg.blocks.byteLength
    bytes.set(msg.blocks, off)
    const ops: JobDesc['ops'] = new Array(msg.ops.length)
    for (let k = 0; k < msg.ops.length; k++) {
      const o = msg.ops[k]
      ops[k] = { action: o.action, path: o.path, cid: o.cid ? o.cid.toString() : null, prev: o.prev?.toString() }
    }
    const commit = msg.commit.toString()
    descs[i] = {
      repo: msg.repo,
      commit,
      rev: msg.rev,
      since: msg.since,
      ops,
      signingKey,
      prevData: prevData.toString(),
      off,
      len,
    }
    off += len
  }
  return { id, jobs: descs, buf: bytes.buffer }
}

export function unpackJobs(batch: JobBatch): ProofJob[] {
  const bytes = new Uint8Array(batch.buf)
  return batch.jobs.map((d) => {
    const ops: RepoOp[] = d.ops.map((o) => {
      const op: RepoOp = { action: o.action, path: o.path, cid: o.cid ? CID.parse(o.cid) : null }
      if (o.prev) op.prev = CID.parse(o.prev)
      return op
    })
    const msg: CommitMessage = {
      type: 'commit',
      seq: 0,
      repo: d.repo,
      commit: CID.parse(d.commit),
      rev: d.rev,
      since: d.since,
      blocks: bytes.subarray(d.off, d.off + d.len),
      ops,
      prevData: CID.parse(d.prevData),
      tooBig: false,
    }
    return { msg, signingKey: d.signingKey, prevData: msg.prevData as CID }
  })
}

/** `null` for a job that could not run (the ingester then proves it inline). */
export function packResults(id: number, proofs: readonly (CommitProof | null)[]): ResultBatch {
  let total = 0
  for (const p of proofs) if (p?.ok) for (const b of p.records.values()) total += b.byteLength
  const bytes = new Uint8Array(total)
  let off = 0
  const results = proofs.map((p): ResultDesc => {
    if (!p) return null
    if (!p.ok) return { ok: false, code: p.code, message: p.message }
    const records: [string, number, number][] = []
    for (const [path, b] of p.records) {
      bytes.set(b, off)
      records.push([path, off, b.byteLength])
      off += b.byteLength
    }
    return { ok: true, data: p.data, records }
  })
  return { id, results, buf: bytes.buffer }
}

export function unpackResults(batch: ResultBatch, jobs: readonly ProofJob[]): (CommitProof | undefined)[] {
  const bytes = new Uint8Array(batch.buf)
  return batch.results.map((r, i) => {
    if (!r) return undefined
    const base = { signingKey: jobs[i].signingKey, prevData: jobs[i].prevData.toString() }
    if (!r.ok) return { ok: false, ...base, code: r.code, message: r.message }
    const records = new Map(r.records.map(([path, off, len]) => [path, bytes.subarray(off, off + len)]))
    return { ok: true, ...base, data: r.data, records }
  })
}
