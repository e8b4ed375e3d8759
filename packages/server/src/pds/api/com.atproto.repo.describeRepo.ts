/**
 * com.atproto.repo.describeRepo: handle, DID, DID document (resolved now, cached by the resolver),
 * whether the handle in the document is the account's, and the collections holding records.
 * Unknown, taken-down and deactivated accounts get RepoNotFound / RepoTakendown / RepoDeactivated.
 */
import { getHandle } from '@stratus/core/identity'
import { INVALID_HANDLE } from '@stratus/core/syntax'
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { getAccount } from '../accounts/store.ts'
import type { PdsContext } from '../context.ts'
import { repoOf } from '../repo/handler-util.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query('com.atproto.repo.describeRepo', async ({ params }) => {
    const repo = (params as { repo: string }).repo
    const account = getAccount(ctx.db, repo)
    if (!account) throw new InvalidRequestError(`Could not find repo: ${repo}`, 'RepoNotFound')
    if (account.takedown_ref) throw new InvalidRequestError(`Repo has been takendown: ${repo}`, 'RepoTakendown')
    if (account.deactivated_at) throw new InvalidRequestError(`Repo has been deactivated: ${repo}`, 'RepoDeactivated')
    let didDoc: Awaited<ReturnType<typeof ctx.idResolver.did.ensureResolve>>
    try {
      didDoc = await ctx.idResolver.did.ensureResolve(account.did)
    } catch (err) {
      throw new InvalidRequestError(`Could not resolve DID: ${(err as Error).message}`)
    }
    const handle = getHandle(didDoc)
    return {
      encoding: 'application/json',
      body: {
        handle: account.handle ?? INVALID_HANDLE,
        did: account.did,
        didDoc,
        collections: repoOf(ctx).listCollections(account.did),
        handleIsCorrect: handle !== undefined && handle === account.handle,
      },
    }
  })
}
