/** Registers every XRPC method the relay serves (one file per NSID in this folder). */
import type { XrpcRouter } from '../../http/index.ts'
import type { RelayContext } from '../context.ts'
import getHostStatus from './com.atproto.sync.getHostStatus.ts'
import getLatestCommit from './com.atproto.sync.getLatestCommit.ts'
import getRepo from './com.atproto.sync.getRepo.ts'
import getRepoStatus from './com.atproto.sync.getRepoStatus.ts'
import listHosts from './com.atproto.sync.listHosts.ts'
import listRepos from './com.atproto.sync.listRepos.ts'
import requestCrawl from './com.atproto.sync.requestCrawl.ts'

export function registerHandlers(router: XrpcRouter, ctx: RelayContext): void {
  for (const register of [requestCrawl, listHosts, getHostStatus, listRepos, getLatestCommit, getRepoStatus, getRepo]) {
    register(router, ctx)
  }
}
