/**
 * Worker-thread entry of the ingester's verification pool: proves each commit of a batch (proveCommit)
 * and answers with one batch. Holds no state besides the crypto module's key cache.
 */
import { parentPort } from 'node:worker_threads'
import { type CommitProof, proveCommit } from '@stratus/core/sync/prove'
import { type JobBatch, packResults, unpackJobs } from './verify-wire.ts'

const port = parentPort
if (port) {
  port.on('message', (batch: JobBatch) => {
    const t0 = performance.now()
    const jobs = unpackJobs(batch)
    const proofs = jobs.map((j): CommitProof | null => {
      try {
        return proveCommit(j.msg, j.signingKey, j.prevData)
      } catch {
        return null
      }
    })
    const out = packResults(batch.id, jobs, proofs)
    out.ms = performance.now() - t0
    port.postMessage(out, [out.buf])
  })
  port.postMessage('ready')
}
