/**
 * Every XRPC method the PDS serves: one file per NSID (`api/<nsid>.ts`) whose default export registers
 * the method on the router. To add a method, create its file and append it to HANDLERS below.
 */
import type { XrpcRouter } from '../../http/index.ts'
import type { PdsContext } from '../context.ts'
import repoCreateRecord from './com.atproto.repo.createRecord.ts'
import repoPutRecord from './com.atproto.repo.putRecord.ts'
import repoDeleteRecord from './com.atproto.repo.deleteRecord.ts'
import repoApplyWrites from './com.atproto.repo.applyWrites.ts'
import repoGetRecord from './com.atproto.repo.getRecord.ts'
import repoListRecords from './com.atproto.repo.listRecords.ts'
import repoDescribeRepo from './com.atproto.repo.describeRepo.ts'
import repoUploadBlob from './com.atproto.repo.uploadBlob.ts'
import repoImportRepo from './com.atproto.repo.importRepo.ts'
import repoListMissingBlobs from './com.atproto.repo.listMissingBlobs.ts'
import createAccount from './com.atproto.server.createAccount.ts'
import createSession from './com.atproto.server.createSession.ts'
import deleteSession from './com.atproto.server.deleteSession.ts'
import describeServer from './com.atproto.server.describeServer.ts'
import getSession from './com.atproto.server.getSession.ts'
import refreshSession from './com.atproto.server.refreshSession.ts'
import syncGetRepo from './com.atproto.sync.getRepo.ts'
import syncGetRecord from './com.atproto.sync.getRecord.ts'
import syncGetBlocks from './com.atproto.sync.getBlocks.ts'
import syncGetLatestCommit from './com.atproto.sync.getLatestCommit.ts'
import syncGetRepoStatus from './com.atproto.sync.getRepoStatus.ts'
import syncListRepos from './com.atproto.sync.listRepos.ts'
import syncListBlobs from './com.atproto.sync.listBlobs.ts'
import syncGetBlob from './com.atproto.sync.getBlob.ts'
import syncSubscribeRepos from './com.atproto.sync.subscribeRepos.ts'

export type RegisterHandler = (router: XrpcRouter, ctx: PdsContext) => void

export const HANDLERS: RegisterHandler[] = [
  describeServer,
  createAccount,
  createSession,
  refreshSession,
  getSession,
  deleteSession,
  repoCreateRecord,
  repoPutRecord,
  repoDeleteRecord,
  repoApplyWrites,
  repoGetRecord,
  repoListRecords,
  repoDescribeRepo,
  repoUploadBlob,
  repoImportRepo,
  repoListMissingBlobs,
  syncGetRepo,
  syncGetRecord,
  syncGetBlocks,
  syncGetLatestCommit,
  syncGetRepoStatus,
  syncListRepos,
  syncListBlobs,
  syncGetBlob,
  syncSubscribeRepos,
]

export function registerHandlers(router: XrpcRouter, ctx: PdsContext): void {
  for (const register of HANDLERS) register(router, ctx)
}
