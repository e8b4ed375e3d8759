/**
 * A post thread (app.bsky.feed.getPostThread): the parents above, the post itself, replies below
 * (nested up to six levels). A handle in the address is resolved to a DID first, since AT-URIs for
 * lookups are most reliable with DIDs.
 */
import type { AppBskyFeedDefs } from '@stratus/core/lexicon/generated'
import { PostCard } from '../components/PostCard.tsx'
import { ScreenHeader } from '../components/ScreenHeader.tsx'
import { Empty, ErrorNote, Loading } from '../components/Status.tsx'
import { useAgent, useChangeCount, useLoad } from '../hooks.ts'

type Node = { $type?: string; uri?: string; post?: AppBskyFeedDefs.PostView; parent?: unknown; replies?: unknown[] }

export function Thread({ actor, rkey }: { actor: string; rkey: string }) {
  const agent = useAgent()
  const changes = useChangeCount()
  const thread = useLoad(async () => {
    const did = actor.startsWith('did:')
      ? actor
      : (await agent.query('com.atproto.identity.resolveHandle', { handle: actor })).did
    const uri = `at://${did}/app.bsky.feed.post/${rkey}`
    return (await agent.query('app.bsky.feed.getPostThread', { uri, depth: 6, parentHeight: 20 })).thread as Node
  }, [agent, actor, rkey, changes])
  return (
    <>
      <ScreenHeader title="Post" />
      {thread.error ? (
        <ErrorNote error={thread.error} onRetry={thread.reload} />
      ) : !thread.data ? (
        <Loading label="Loading thread…" />
      ) : (
        <ThreadView node={thread.data} />
      )}
    </>
  )
}

function ThreadView({ node }: { node: Node }) {
  if (node.$type === 'app.bsky.feed.defs#notFoundPost') return <Empty>This post was deleted or never existed.</Empty>
  if (node.$type === 'app.bsky.feed.defs#blockedPost') return <Empty>This post is hidden because of a block.</Empty>
  if (!node.post) return <Empty>This post could not be shown.</Empty>
  const parents: Node[] = []
  for (let p = node.parent as Node | undefined; p; p = p.parent as Node | undefined) parents.unshift(p)
  return (
    <div className="thread">
      {parents.map((p) =>
        p.post ? (
          <PostCard key={p.post.uri} post={p.post} threadLine />
        ) : (
          <p key={p.uri ?? 'missing'} className="note muted">
            A post in this thread was deleted or is hidden.
          </p>
        ),
      )}
      <PostCard post={node.post} focus />
      <Replies replies={node.replies} />
    </div>
  )
}

function Replies({ replies }: { replies?: unknown[] }) {
  const visible = (replies as Node[] | undefined)?.filter((r) => r.post) ?? []
  if (!visible.length) return null
  return (
    <ul className="replies" aria-label="Replies">
      {visible.map((r) => (
        <li key={r.post!.uri}>
          <PostCard post={r.post!} />
          <Replies replies={r.replies} />
        </li>
      ))}
    </ul>
  )
}
