/** app.bsky.graph.getBlocks: the accounts the viewer blocks, newest first. */
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { pageGraph, profiles } from './graph-util.ts'
import { decodeCursor, json, limitOf } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.graph.getBlocks',
    async ({ params, auth }) => {
      const page = await pageGraph(app, 'block', 'creator', auth.did, decodeCursor(params.cursor), limitOf(params))
      const { list } = await profiles(app, auth.did, page.dids, undefined, false)
      return json({ cursor: page.cursor, blocks: list })
    },
    { auth: app.auth.required },
  )
}
