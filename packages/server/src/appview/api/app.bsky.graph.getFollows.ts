/** app.bsky.graph.getFollows: the accounts an account follows, newest first (accounts blocked either way left out). */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { pageGraph, profiles } from './graph-util.ts'
import { assertActorVisible, decodeCursor, json, limitOf, requireActor } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.graph.getFollows',
    async ({ params, auth }) => {
      const did = await requireActor(app, params.actor as string)
      await assertActorVisible(app, did)
      const page = await pageGraph(app, 'follow', 'creator', did, decodeCursor(params.cursor), limitOf(params))
      const { list, subject } = await profiles(app, auth.did, page.dids, did)
      if (!subject) throw new InvalidRequestError('Profile not found')
      return json({ subject, cursor: page.cursor, follows: list })
    },
    { auth: app.auth.optional },
  )
}
