/** com.atproto.sync.getHostStatus: one upstream host; HostNotFound if the relay does not know it. */
import { XRPCError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { RelayContext } from '../context.ts'
import { hostView } from './com.atproto.sync.listHosts.ts'

export default function register(router: XrpcRouter, ctx: RelayContext): void {
  router.query('com.atproto.sync.getHostStatus', ({ params }) => {
    const host = ctx.registry.get(String(params.hostname ?? ''))
    if (!host) throw new XRPCError(400, 'HostNotFound', 'Host not found')
    return { encoding: 'application/json', body: hostView(host) }
  })
}
