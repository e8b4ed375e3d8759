/**
 * `atproto-repo-rev` on answers to an authenticated viewer: the latest revision of the viewer's repository
 * this AppView has indexed, as the official AppView sends it. The viewer's PDS adds the viewer's records
 * written after it (read-after-write, pds/proxy/read-after-write.ts). Read before the handler runs, so
 * anything the answer lacks is after the revision (the PDS skips records the answer already has).
 */
import { sql } from 'kysely'
import type { HandlerOutput, XrpcHandler, XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { prepared } from '../db/prepared.ts'

const selectRev = prepared<{ rev: string }>((_db, a) => sql`select rev from sync_repo where did = ${a(0)}`)

/** The router, with every query's answer to a signed-in viewer carrying the viewer's indexed revision. */
export function withRepoRev(router: XrpcRouter, app: AppViewContext): XrpcRouter {
  const wrapped: XrpcRouter = Object.create(router)
  wrapped.query = (nsid, handler, opts) => {
    const inner = handler as XrpcHandler<{ did?: string } | undefined>
    const outer: XrpcHandler<{ did?: string } | undefined> = async (ctx) => {
      const did = ctx.auth?.did
      if (!did) return inner(ctx)
      const [row] = await selectRev.all(app.hydrator.q, [did])
      const res = await inner(ctx)
      if (!row?.rev || !res) return res
      if (res instanceof Response) res.headers.set('atproto-repo-rev', row.rev)
      else (res as HandlerOutput).headers = { ...(res as HandlerOutput).headers, 'atproto-repo-rev': row.rev }
      return res
    }
    return router.query(nsid, outer as XrpcHandler<never>, opts as never)
  }
  return wrapped
}
