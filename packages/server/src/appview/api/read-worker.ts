/**
 * What a reader answers with (see read-pool.ts): its own read-only connection and the same handlers as the
 * main thread, serving the READER_METHODS. `readerAnswers` is used by each reader thread and by the pool
 * itself for the requests it answers on the main thread (when nothing else is in flight). The viewer was
 * authenticated by the main thread; nothing here verifies tokens, resolves identities or writes.
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

export interface ReaderAnswers {
  answer(msg: ToReader): Promise<FromReader>
  close(): Promise<void>
}

export function readerAnswers(data: ReaderData, opts: { poolSize?: number } = {}): ReaderAnswers {
  const appDb = openAppViewReader(data.dbUrl, opts)
  const notHere = () => {
    throw new Error('not available on a reader')
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
    if (!handler) return { type: 'crash', id: msg.id, message: `${msg.nsid} is not served by readers` }
    try {
      const ctx = { nsid: msg.nsid, params: msg.params, auth: { did: msg.viewer }, input: undefined, signal }
      const res = await handler(ctx as unknown as HandlerContext<unknown>)
      const out = res && !(res instanceof Response) ? res : undefined
      const body = out?.body
      // JSON text (api/util.ts json): it crosses to the main thread as a copy on that heap that dies young,
      // not an ArrayBuffer (see http/reply.ts), and goes to the socket as it is
      if (typeof body !== 'string')
        return { type: 'crash', id: msg.id, message: `${msg.nsid} did not answer JSON text` }
      return { type: 'ok', id: msg.id, body, headers: out?.headers }
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
  return { answer, close: () => appDb.close() }
}

// A reader thread (the pool marks its workerData: this module is also imported on the main thread, which
// may itself be a worker).
const port = parentPort
const data = workerData as (ReaderData & { readerThread?: boolean }) | undefined
if (port && data?.readerThread) {
  const { answer } = readerAnswers(data)
  port.on('message', (msg: ToReader) => {
    void answer(msg).then((out) => port.postMessage(out))
  })
  port.postMessage({ type: 'ready' } satisfies FromReader)
}
