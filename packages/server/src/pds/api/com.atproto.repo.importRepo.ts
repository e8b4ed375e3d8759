/**
 * com.atproto.repo.importRepo: replaces the account's repository with a CAR (streamed, at most
 * {@link MAX_IMPORT_BYTES}), fully verified by core before anything is stored (block hashes, commit,
 * DID, MST structure, records); see repo/import.ts for what is stored and announced. Full-access tokens
 * only (not app passwords).
 */
import { type RepoVerificationError, verifyRepoCarStream } from '@stratus/core/repo'
import { InvalidRequestError, PayloadTooLargeError } from '@stratus/core/xrpc'
import { BodyTooLargeError, type XrpcRouter } from '../../http/index.ts'
import { ACCESS_FULL } from '../auth/scopes.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'
import { importRepo } from '../repo/import.ts'
import { repoOf } from '../repo/handler-util.ts'

export const MAX_IMPORT_BYTES = 256 * 1024 * 1024

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<AccessCredentials>(
    'com.atproto.repo.importRepo',
    async ({ input, auth }) => {
      const repo = repoOf(ctx)
      let readError: unknown
      const body = input?.body as AsyncIterable<Uint8Array>
      // Core reports a broken stream as a bad CAR; keep the original error to answer 413 for oversize.
      const chunks = (async function* () {
        try {
          yield* body
        } catch (err) {
          readError = err
          throw err
        }
      })()
      let verified: Awaited<ReturnType<typeof verifyRepoCarStream>>
      try {
        verified = await verifyRepoCarStream(chunks, { did: auth.did })
      } catch (err) {
        if (readError instanceof BodyTooLargeError || readError instanceof PayloadTooLargeError) {
          throw new PayloadTooLargeError(`repository CAR exceeds the ${MAX_IMPORT_BYTES}-byte import limit`)
        }
        throw new InvalidRequestError(`Invalid repository: ${(err as RepoVerificationError).message}`)
      }
      importRepo(repo, auth.did, verified, ctx.signingKey(auth.did))
      return undefined
    },
    {
      auth: ctx.auth.access({ checkTakedown: true, scopes: ACCESS_FULL }),
      maxBodyBytes: MAX_IMPORT_BYTES,
      streamInput: true,
    },
  )
}
