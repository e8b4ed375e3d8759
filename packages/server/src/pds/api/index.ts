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
// Part 2: identity, account lifecycle, administration, preferences (proxying is the router fallback).
import bskyActorGetPreferences from './app.bsky.actor.getPreferences.ts'
import bskyActorPutPreferences from './app.bsky.actor.putPreferences.ts'
import adminDeleteAccount from './com.atproto.admin.deleteAccount.ts'
import adminDisableAccountInvites from './com.atproto.admin.disableAccountInvites.ts'
import adminDisableInviteCodes from './com.atproto.admin.disableInviteCodes.ts'
import adminEnableAccountInvites from './com.atproto.admin.enableAccountInvites.ts'
import adminGetAccountInfo from './com.atproto.admin.getAccountInfo.ts'
import adminGetAccountInfos from './com.atproto.admin.getAccountInfos.ts'
import adminGetInviteCodes from './com.atproto.admin.getInviteCodes.ts'
import adminGetSubjectStatus from './com.atproto.admin.getSubjectStatus.ts'
import adminSendEmail from './com.atproto.admin.sendEmail.ts'
import adminUpdateAccountEmail from './com.atproto.admin.updateAccountEmail.ts'
import adminUpdateAccountHandle from './com.atproto.admin.updateAccountHandle.ts'
import adminUpdateAccountPassword from './com.atproto.admin.updateAccountPassword.ts'
import adminUpdateSubjectStatus from './com.atproto.admin.updateSubjectStatus.ts'
import identityGetRecommendedDidCredentials from './com.atproto.identity.getRecommendedDidCredentials.ts'
import identityRequestPlcOperationSignature from './com.atproto.identity.requestPlcOperationSignature.ts'
import identityResolveHandle from './com.atproto.identity.resolveHandle.ts'
import identitySignPlcOperation from './com.atproto.identity.signPlcOperation.ts'
import identitySubmitPlcOperation from './com.atproto.identity.submitPlcOperation.ts'
import identityUpdateHandle from './com.atproto.identity.updateHandle.ts'
import serverActivateAccount from './com.atproto.server.activateAccount.ts'
import serverCheckAccountStatus from './com.atproto.server.checkAccountStatus.ts'
import serverConfirmEmail from './com.atproto.server.confirmEmail.ts'
import serverCreateAppPassword from './com.atproto.server.createAppPassword.ts'
import serverCreateInviteCode from './com.atproto.server.createInviteCode.ts'
import serverCreateInviteCodes from './com.atproto.server.createInviteCodes.ts'
import serverDeactivateAccount from './com.atproto.server.deactivateAccount.ts'
import serverDeleteAccount from './com.atproto.server.deleteAccount.ts'
import serverGetAccountInviteCodes from './com.atproto.server.getAccountInviteCodes.ts'
import serverGetServiceAuth from './com.atproto.server.getServiceAuth.ts'
import serverListAppPasswords from './com.atproto.server.listAppPasswords.ts'
import serverRequestAccountDelete from './com.atproto.server.requestAccountDelete.ts'
import serverRequestEmailConfirmation from './com.atproto.server.requestEmailConfirmation.ts'
import serverRequestEmailUpdate from './com.atproto.server.requestEmailUpdate.ts'
import serverRequestPasswordReset from './com.atproto.server.requestPasswordReset.ts'
import serverResetPassword from './com.atproto.server.resetPassword.ts'
import serverRevokeAppPassword from './com.atproto.server.revokeAppPassword.ts'
import serverUpdateEmail from './com.atproto.server.updateEmail.ts'

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
  bskyActorGetPreferences,
  bskyActorPutPreferences,
  adminDeleteAccount,
  adminDisableAccountInvites,
  adminDisableInviteCodes,
  adminEnableAccountInvites,
  adminGetAccountInfo,
  adminGetAccountInfos,
  adminGetInviteCodes,
  adminGetSubjectStatus,
  adminSendEmail,
  adminUpdateAccountEmail,
  adminUpdateAccountHandle,
  adminUpdateAccountPassword,
  adminUpdateSubjectStatus,
  identityGetRecommendedDidCredentials,
  identityRequestPlcOperationSignature,
  identityResolveHandle,
  identitySignPlcOperation,
  identitySubmitPlcOperation,
  identityUpdateHandle,
  serverActivateAccount,
  serverCheckAccountStatus,
  serverConfirmEmail,
  serverCreateAppPassword,
  serverCreateInviteCode,
  serverCreateInviteCodes,
  serverDeactivateAccount,
  serverDeleteAccount,
  serverGetAccountInviteCodes,
  serverGetServiceAuth,
  serverListAppPasswords,
  serverRequestAccountDelete,
  serverRequestEmailConfirmation,
  serverRequestEmailUpdate,
  serverRequestPasswordReset,
  serverResetPassword,
  serverRevokeAppPassword,
  serverUpdateEmail,
]

export function registerHandlers(router: XrpcRouter, ctx: PdsContext): void {
  for (const register of HANDLERS) register(router, ctx)
}
