/**
 * app.bsky.graph.getRelationships: how `actor` relates to each of `others` (follows both ways, blocks both
 * ways including list blocks). Public records only; mutes are private and not shown.
 */
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { compact } from '../views/index.ts'
import { json, resolveActor } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query('app.bsky.graph.getRelationships', async ({ params }) => {
    const actor = await resolveActor(app, params.actor as string)
    const others = (params.others as string[] | undefined) ?? []
    if (!actor) return json({ relationships: [] })
    const resolved = await Promise.all(others.map(async (o) => [o, await resolveActor(app, o)] as const))
    // Relationships as seen from `actor`: hydrate with actor as the "viewer".
    const state = app.hydrator.state(actor)
    await app.hydrator.actors(
      state,
      resolved.flatMap(([, d]) => (d ? [d] : [])),
    )
    const relationships = resolved.map(([input, did]) => {
      if (!did) return { $type: 'app.bsky.graph.defs#notFoundActor', actor: input, notFound: true }
      const r = state.rels.get(did) ?? {}
      return compact({
        $type: 'app.bsky.graph.defs#relationship',
        did,
        following: r.following,
        followedBy: r.followedBy,
        blocking: r.blocking,
        blockedBy: r.blockedBy,
        blockingByList: r.blockingByList,
        blockedByList: r.blockedByList,
      })
    })
    return json({ actor, relationships })
  })
}
