/**
 * app.bsky.feed.getPostThread: the anchor post, its ancestors (parentHeight) and its replies (depth), with
 * the root's thread gate applied: replies its author hid, or by accounts the gate does not allow, are left
 * out. Unknown anchor: NotFound.
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { viewCtx } from '../context.ts'
import type { ViewState } from '../hydration/hydrator.ts'
import { hiddenReplies, replyAllowed, threadView, threadgateView } from '../views/index.ts'
import { json } from './util.ts'

const MAX_THREAD_POSTS = 2000

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.feed.getPostThread',
    async ({ params, auth }) => {
      const anchor = params.uri as string
      const depth = (params.depth as number | undefined) ?? 6
      const parentHeight = (params.parentHeight as number | undefined) ?? 80
      const state = app.hydrator.state(auth.did)
      await app.hydrator.posts(state, [anchor])
      const post = state.posts.get(anchor)
      if (!post) throw new InvalidRequestError(`Post not found: ${anchor}`, 'NotFound')
      await loadAncestors(app, state, anchor, parentHeight)
      const root = post.replyRoot ?? post.uri
      const rows = await app.db
        .selectFrom('post')
        .select(['uri', 'reply_parent'])
        .where('reply_root', '=', root)
        .orderBy('sort_at')
        .limit(MAX_THREAD_POSTS)
        .execute()
      const children = new Map<string, string[]>()
      for (const r of rows) {
        if (!r.reply_parent) continue
        const list = children.get(r.reply_parent) ?? []
        list.push(r.uri)
        children.set(r.reply_parent, list)
      }
      await app.hydrator.posts(state, rows.map((r) => r.uri).concat(root))
      const gateLists = listRules(state, root)
      if (gateLists.length > 0) await app.hydrator.lists(state, gateLists)
      const excluded = await gateExclusions(
        app,
        state,
        root,
        rows.map((r) => r.uri),
      )
      const ctx = viewCtx(app, state)
      const thread = threadView(ctx, anchor, { children, excluded }, depth, parentHeight)
      return json({ thread, threadgate: threadgateView(ctx, root) })
    },
    { auth: app.auth.optional },
  )
}

async function loadAncestors(app: AppViewContext, state: ViewState, uri: string, height: number): Promise<void> {
  let cur = state.posts.get(uri)?.replyParent
  for (let i = 0; cur && i < height; i++) {
    if (!state.posts.has(cur)) await app.hydrator.posts(state, [cur])
    cur = state.posts.get(cur)?.replyParent ?? null
  }
}

function listRules(state: ViewState, root: string): string[] {
  const allow = state.threadgates.get(root)?.record.allow
  if (!Array.isArray(allow)) return []
  return allow.flatMap((r) => {
    const rule = r as { $type?: string; list?: unknown }
    return rule.$type === 'app.bsky.feed.threadgate#listRule' && typeof rule.list === 'string' ? [rule.list] : []
  })
}

/** Replies hidden by the root's author, or written by accounts its thread gate does not allow. */
async function gateExclusions(
  app: AppViewContext,
  state: ViewState,
  root: string,
  replies: string[],
): Promise<Set<string>> {
  const excluded = hiddenReplies(state, root)
  const gate = state.threadgates.get(root)
  const rootPost = state.posts.get(root)
  if (!gate || !rootPost || !Array.isArray(gate.record.allow)) return excluded
  const authors = [
    ...new Set(
      replies.map((u) => state.posts.get(u)?.creator).filter((d): d is string => !!d && d !== rootPost.creator),
    ),
  ]
  if (authors.length === 0) return excluded
  const op = rootPost.creator
  const lists = listRules(state, root)
  const [follows, followedBy, members] = await Promise.all([
    app.db.selectFrom('follow').select('creator').where('subject', '=', op).where('creator', 'in', authors).execute(),
    app.db.selectFrom('follow').select('subject').where('creator', '=', op).where('subject', 'in', authors).execute(),
    lists.length
      ? app.db
          .selectFrom('list_item')
          .select(['subject', 'list_uri'])
          .where('list_uri', 'in', lists)
          .where('subject', 'in', authors)
          .execute()
      : Promise.resolve([]),
  ])
  const followsOp = new Set(follows.map((r) => r.creator))
  const opFollows = new Set(followedBy.map((r) => r.subject))
  const allowed = new Map<string, boolean>()
  for (const did of authors) {
    const inLists = new Set(members.filter((m) => m.subject === did).map((m) => m.list_uri))
    allowed.set(
      did,
      replyAllowed(state, root, did, {
        followsRootAuthor: followsOp.has(did),
        followedByRootAuthor: opFollows.has(did),
        lists: inLists,
      }),
    )
  }
  for (const uri of replies) {
    const creator = state.posts.get(uri)?.creator
    if (creator && allowed.get(creator) === false) excluded.add(uri)
  }
  return excluded
}
