/**
 * com.atproto.sync.requestCrawl to each configured relay when the PDS starts, so relays subscribe to our
 * firehose. Failures are logged and never fatal (a relay may be down; it will find us on its own later).
 */
import type { Logger } from 'pino'

export async function requestCrawl(
  crawlers: readonly string[],
  hostname: string,
  logger: Pick<Logger, 'info' | 'warn'>,
  fetchFn: typeof fetch = fetch,
): Promise<void> {
  await Promise.all(
    crawlers.map(async (relay) => {
      try {
        const res = await fetchFn(`${relay}/xrpc/com.atproto.sync.requestCrawl`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ hostname }),
          signal: AbortSignal.timeout(10_000),
        })
        await res.body?.cancel()
        if (!res.ok) logger.warn({ relay, status: res.status }, 'relay refused requestCrawl')
        else logger.info({ relay }, 'requested crawl')
      } catch (err) {
        logger.warn({ relay, err }, 'requestCrawl failed')
      }
    }),
  )
}
