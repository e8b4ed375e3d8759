/** com.atproto.sync.listHosts: every upstream host in first-seen order, paginated by host id. */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { RelayContext } from '../context.ts'
import type { Host } from '../hosts/host.ts'

export function hostView(h: Host) {
  return {
    hostname: h.hostname,
    seq: h.cursor ?? undefined,
    accountCount: h.accountCount,
    status: h.reportedStatus,
  }
}

export default function register(router: XrpcRouter, ctx: RelayContext): void {
  router.query('com.atproto.sync.listHosts', ({ params }) => {
    const limit = Number(params.limit ?? 200)
    const cursor = params.cursor === undefined ? 0 : Number(params.cursor)
    if (!Number.isSafeInteger(cursor) || cursor < 0) throw new InvalidRequestError('invalid cursor')
    const hosts = ctx.registry.list(cursor, limit)
    const next = hosts.length === limit ? String(hosts[hosts.length - 1].id) : undefined
    return { encoding: 'application/json', body: { cursor: next, hosts: hosts.map(hostView) } }
  })
}
