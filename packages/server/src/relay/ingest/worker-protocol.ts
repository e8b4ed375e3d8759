/**
 * Messages between the verification pool and its workers. A batch travels as one transferred ArrayBuffer
 * holding every frame (or every result's frame parts) back to back, plus small descriptors; nothing is
 * structured-cloned byte by byte and the buffers are moved, not copied.
 */
import type { FailedJob, RepoResult, VerifiedFields, VerifyJob, VerifyKind } from './verify-job.ts'

export interface JobDescriptor {
  kind: VerifyKind
  did: string
  signingKey: string
  /** Frame position in the batch buffer. */
  off: number
  len: number
}

export interface JobBatch {
  type: 'events'
  id: number
  jobs: JobDescriptor[]
  buf: ArrayBuffer
}

/**
 * A verified result travels without frame bytes when its parts are the job's own frame around `seq`
 * (`seqRange`; the pool cuts them from its copy of the frame), else with its re-encoded parts in the buffer.
 */
export type ResultDescriptor =
  | FailedJob
  | (Omit<VerifiedFields, 'parts'> & { prefixOff?: number; prefixLen?: number; suffixOff?: number; suffixLen?: number })

export interface ResultBatch {
  type: 'events'
  id: number
  results: ResultDescriptor[]
  buf: ArrayBuffer
}

/** Packs jobs into a batch (frames copied once into one buffer). */
export function packJobs(id: number, jobs: readonly VerifyJob[]): JobBatch {
  let total = 0
  for (const j of jobs) total += j.frame.byteLength
  const bytes = new Uint8Array(total)
  const descs: JobDescriptor[] = []
  let off = 0
  for (const j of jobs) {
    bytes.set(j.frame, off)
    descs.push({ kind: j.kind, did: j.did, signingKey: j.signingKey, off, len: j.frame.byteLength })
    off += j.frame.byteLength
  }
  return { type: 'events', id, jobs: descs, buf: bytes.buffer }
}

export function unpackJobs(batch: JobBatch): VerifyJob[] {
  const bytes = new Uint8Array(batch.buf)
  return batch.jobs.map((d) => ({
    kind: d.kind,
    did: d.did,
    signingKey: d.signingKey,
    frame: bytes.subarray(d.off, d.off + d.len),
  }))
}

type AnyResult = FailedJob | VerifiedFields

export function packResults(id: number, results: readonly AnyResult[]): ResultBatch {
  let total = 0
  for (const r of results) if (r.ok && !r.seqRange) total += r.parts.prefix.byteLength + r.parts.suffix.byteLength
  const bytes = new Uint8Array(total)
  let off = 0
  const descs = results.map((r): ResultDescriptor => {
    if (!r.ok) return r
    const { parts, ...fields } = r
    if (r.seqRange) return fields
    const prefixOff = off
    bytes.set(parts.prefix, off)
    off += parts.prefix.byteLength
    const suffixOff = off
    bytes.set(parts.suffix, off)
    off += parts.suffix.byteLength
    return { ...fields, prefixOff, prefixLen: parts.prefix.byteLength, suffixOff, suffixLen: parts.suffix.byteLength }
  })
  return { type: 'events', id, results: descs, buf: bytes.buffer }
}

/** The results of a batch; `frames` are the batch's job frames (as sent), for results cut from them. */
export function unpackResults(batch: ResultBatch, frames: readonly Uint8Array[]): AnyResult[] {
  const bytes = new Uint8Array(batch.buf)
  const out = batch.results as AnyResult[]
  for (let i = 0; i < out.length; i++) {
    const d = batch.results[i]
    if (!d.ok) continue
    // The received descriptor becomes the result (no copy per event); its offsets stay on it, unused.
    const frame = frames[i]
    ;(d as VerifiedFields).parts = d.seqRange
      ? { prefix: frame.subarray(0, d.seqRange[0]), suffix: frame.subarray(d.seqRange[1]) }
      : {
          prefix: bytes.subarray(d.prefixOff ?? 0, (d.prefixOff ?? 0) + (d.prefixLen ?? 0)),
          suffix: bytes.subarray(d.suffixOff ?? 0, (d.suffixOff ?? 0) + (d.suffixLen ?? 0)),
        }
  }
  return out
}

/** A repository to verify (resync); the CAR's buffer is transferred. */
export interface RepoRequest {
  type: 'repo'
  id: number
  did: string
  signingKey: string
  car: Uint8Array
}

export interface RepoResponse {
  type: 'repo'
  id: number
  result: RepoResult
}

export type ToWorker = JobBatch | RepoRequest
export type FromWorker = ResultBatch | RepoResponse
