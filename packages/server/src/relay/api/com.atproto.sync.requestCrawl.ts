/**
 * com.atproto.sync.requestCrawl: a PDS asks to be crawled. The hostname is validated and probed by the
 * registry (host/registry.ts); a banned host gets HostBanned. Rate limited per client address.
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { RelayContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: RelayContext): void {
  router.procedure(
    'com.atproto.sync.requestCrawl',
    async ({ input }) => {
      const hostname = (input?.body as { hostname?: unknown } | undefined)?.hostname
      if (typeof hostname !== 'string') throw new InvalidRequestError('hostname is required')
      const host = await ctx.registry.requestCrawl(hostname)
      ctx.logger.info({ host: host.hostname }, 'crawl requested')
    },
    { rateLimit: { limiter: ctx.crawlLimiter } },
  )
}
