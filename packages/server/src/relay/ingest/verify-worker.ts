/**
 * Worker-thread entry of the verification pool: receives event batches (verified in order, answered as
 * one batch) and whole repositories for resyncs. Holds no state besides the crypto module's key cache.
 */
import { parentPort } from 'node:worker_threads'
import { loadCrypto, runRepoJob, runVerifyJob } from './verify-job.ts'
import { type RepoResponse, type ToWorker, packResults, unpackJobs } from './worker-protocol.ts'

const port = parentPort
if (port) {
  loadCrypto()
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'repo') {
      const result = runRepoJob({ did: msg.did, signingKey: msg.signingKey, car: msg.car })
      const out: RepoResponse = { type: 'repo', id: msg.id, result }
      port.postMessage(out)
      return
    }
    const results = unpackJobs(msg).map(runVerifyJob)
    const out = packResults(msg.id, results)
    port.postMessage(out, [out.buf])
  })
}
