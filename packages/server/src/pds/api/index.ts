/**
 * Every XRPC method the PDS serves: one file per NSID (`api/<nsid>.ts`) whose default export registers
 * the method on the router. To add a method, create its file and append it to HANDLERS below.
 */
import type { XrpcRouter } from '../../http/index.ts'
import type { PdsContext } from '../context.ts'
import createAccount from './com.atproto.server.createAccount.ts'
import createSession from './com.atproto.server.createSession.ts'
import deleteSession from './com.atproto.server.deleteSession.ts'
import describeServer from './com.atproto.server.describeServer.ts'
import getSession from './com.atproto.server.getSession.ts'
import refreshSession from './com.atproto.server.refreshSession.ts'

export type RegisterHandler = (router: XrpcRouter, ctx: PdsContext) => void

export const HANDLERS: RegisterHandler[] = [
  describeServer,
  createAccount,
  createSession,
  refreshSession,
  getSession,
  deleteSession,
]

export function registerHandlers(router: XrpcRouter, ctx: PdsContext): void {
  for (const register of HANDLERS) register(router, ctx)
}
