/**
 * A reader thread (see read-pool.ts): opens its own read-only connection, registers the same handlers as
 * the main thread and answers the READER_METHODS it is sent. The viewer was authenticated by the main
 * thread; nothing here verifies tokens, resolves identities or writes.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { XRPCError } from '@stratus/core/xrpc'
import pino from 'pino'
import type { HandlerContext, XrpcHandler, XrpcRouter } from '../../http/index.ts'
import type { AuthVerifiers } from '../auth.ts'
import type { AppViewContext } from '../context.ts'
import { openAppViewReader } from '../db/index.ts'
import { Hydrator } from '../hydration/hydrator.ts'
import { blobUrls } from '../views/index.ts'
import { READER_METHODS, registerRoutes } from './index.ts'
import type { FromReader, ReaderData, ToReader } from './read-pool.ts'

const port = parentPort
if (port) {
  const data = workerData as ReaderData
  const appDb = openAppViewReader(data.dbUrl)
  const notHere = () => {
    throw new Error('not available on a reader thread')
  }
  const trusted = (() => notHere()) as never
  const app = {
    appDb,
    db: appDb.db,
    hydrator: new Hydrator(appDb),
    urls: blobUrls(data.cdnUrl),
    log: pino({ level: 'silent' }),
    auth: { optional: trusted, required: trusted, feed: trusted } satisfies AuthVerifiers,
  } as unknown as AppViewContext
  const handlers = new Map<string, XrpcHandler<unknown>>()
  const collector = {
    query(nsid: string, handler: XrpcHandler<unknown>) {
      if (READER_METHODS.has(nsid)) handlers.set(nsid, handler)
      return collector
    },
    procedure: () => collector,
  } as unknown as XrpcRouter
  registerRoutes(collector, app)
  const signal = new AbortController().signal

  const answer = async (msg: ToReader): Promise<FromReader> => {
    const handler = handlers.get(msg.nsid)
    if (!handler) return { type: 'crash', id: msg.id, message: `${msg.nsid} is not served by reader threads` }
    try {
      const ctx = { nsid: msg.nsid, params: msg.params, auth: { did: msg.viewer }, input: undefined, signal }
      const res = await handler(ctx as unknown as HandlerContext<unknown>)
      const body = res && !(res instanceof Response) ? res.body : undefined
      if (!(body instanceof Uint8Array))
        return { type: 'crash', id: msg.id, message: `${msg.nsid} did not answer JSON` }
      // transferred: a view of part of a larger buffer is copied out first
      const own = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : body.slice()
      return { type: 'ok', id: msg.id, body: own }
    } catch (err) {
      if (err instanceof XRPCError)
        return {
          type: 'error',
          id: msg.id,
          status: err.status,
          error: err.error,
          message: err.message,
          headers: err.headers,
        }
      return { type: 'crash', id: msg.id, message: err instanceof Error ? (err.stack ?? err.message) : String(err) }
    }
  }
  port.on('message', (msg: ToReader) => {
    void answer(msg).then((out) => {
      if (out.type === 'ok') port.postMessage(out, [out.body.buffer as ArrayBuffer])
      else port.postMessage(out)
    })
  })
  port.postMessage({ type: 'ready' } satisfies FromReader)
}
