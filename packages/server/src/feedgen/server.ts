/**
 * A feed generator service: `describeFeedGenerator`, `getFeedSkeleton` and the did:web document that
 * names the `#bsky_fg` endpoint, around feed algorithms you supply. A viewer is identified by the
 * service-auth token their PDS mints for this generator (aud = the generator's DID, lxm =
 * app.bsky.feed.getFeedSkeleton), verified against the viewer's signing key; requests without a token are
 * anonymous, a bad token is refused.
 *
 * Publishing: create an `app.bsky.feed.generator` record (rkey = the algorithm's name, `did` = this
 * generator's DID) in the publisher's repository; AppViews then call this service for the feed.
 */
import { DidResolver, getSigningKey } from '@stratus/core/identity'
import { AtUri } from '@stratus/core/syntax'
import { AuthRequiredError, InvalidRequestError, bearerToken, verifyServiceJwt } from '@stratus/core/xrpc'
import { createXrpcRouter, serveFetch } from '../http/index.ts'
import { loadBundledLexicons } from '../lexicons/index.ts'

export interface FeedRequest {
  /** The viewer's DID, when the request carried a valid service-auth token. */
  viewer?: string
  feed: string
  limit: number
  cursor?: string
}

export interface FeedSkeleton {
  feed: { post: string; reason?: { $type: string; repost?: string }; feedContext?: string }[]
  cursor?: string
}

export type FeedAlgorithm = (req: FeedRequest) => Promise<FeedSkeleton>

export interface FeedGeneratorOptions {
  /** Algorithms by record key (the rkey of their app.bsky.feed.generator record). */
  feeds: Record<string, FeedAlgorithm>
  /** The account whose repository holds the generator records (optional: then any publisher matches). */
  publisherDid?: string
  port?: number
  host?: string
  /** Default http://localhost:<port>. */
  publicUrl?: string
  /** Default did:web of the public URL's host. */
  did?: string
  plcUrl?: string
  /** Allow http/loopback DID documents (local networks). */
  devMode?: boolean
}

export interface FeedGenerator {
  url: string
  did: string
  feedUri(rkey: string, publisher?: string): string
  close(): Promise<void>
}

export async function startFeedGenerator(opts: FeedGeneratorOptions): Promise<FeedGenerator> {
  const resolver = new DidResolver({ plcUrl: opts.plcUrl, allowPrivateNetwork: opts.devMode })
  const state = { did: opts.did ?? '', publicUrl: opts.publicUrl ?? '' }
  const router = createXrpcRouter({ lexicons: loadBundledLexicons() })
  const getKey = async (iss: string, forceRefresh: boolean) => {
    const doc = await resolver.resolve(iss.split('#')[0], { forceRefresh })
    const key = doc ? getSigningKey(doc) : undefined
    if (!key) throw new AuthRequiredError('could not resolve the issuer signing key', 'BadJwtIss')
    return key
  }
  router.query('app.bsky.feed.describeFeedGenerator', () => ({
    encoding: 'application/json',
    body: {
      did: state.did,
      feeds: opts.publisherDid ? Object.keys(opts.feeds).map((rkey) => ({ uri: feedUri(rkey) })) : [],
    },
  }))
  const feedUri = (rkey: string, publisher = opts.publisherDid) => `at://${publisher}/app.bsky.feed.generator/${rkey}`
  router.query<string | undefined>(
    'app.bsky.feed.getFeedSkeleton',
    async ({ params, auth }) => {
      const feed = params.feed as string
      const uri = AtUri.parse(feed)
      const algo = uri.collection === 'app.bsky.feed.generator' && uri.rkey ? opts.feeds[uri.rkey] : undefined
      if (!algo || (opts.publisherDid && uri.host !== opts.publisherDid))
        throw new InvalidRequestError('Unknown feed', 'UnknownFeed')
      const skeleton = await algo({
        viewer: auth,
        feed,
        limit: (params.limit as number) ?? 50,
        cursor: params.cursor as string | undefined,
      })
      return { encoding: 'application/json', body: skeleton }
    },
    {
      auth: async ({ req }) => {
        const token = bearerToken(req.headers.get('authorization'))
        if (!token) return undefined
        const payload = await verifyServiceJwt(token, {
          aud: state.did,
          lxm: 'app.bsky.feed.getFeedSkeleton',
          getSigningKey: getKey,
        })
        return payload.iss.includes('#') ? undefined : payload.iss
      },
    },
  )
  const handle = async (req: Request): Promise<Response> => {
    if (new URL(req.url).pathname === '/.well-known/did.json') {
      return Response.json({
        '@context': ['https://www.w3.org/ns/did/v1'],
        id: state.did,
        service: [{ id: '#bsky_fg', type: 'BskyFeedGenerator', serviceEndpoint: state.publicUrl }],
      })
    }
    return router.handle(req)
  }
  const server = await serveFetch(handle, { port: opts.port ?? 0, host: opts.host })
  state.publicUrl ||= `http://localhost:${server.port}`
  state.did ||= `did:web:${new URL(state.publicUrl).hostname}${new URL(state.publicUrl).port ? `%3A${new URL(state.publicUrl).port}` : ''}`
  return { url: server.url, did: state.did, feedUri, close: () => server.close() }
}
