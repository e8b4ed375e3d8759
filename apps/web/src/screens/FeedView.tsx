/** One custom feed: its generator's description (getFeedGenerator) and its posts (getFeed, via the AppView). */
import { FeedList } from '../components/FeedList.tsx'
import { ScreenHeader } from '../components/ScreenHeader.tsx'
import { ErrorNote } from '../components/Status.tsx'
import { useAgent, useLoad, usePages } from '../hooks.ts'

export function FeedView({ actor, rkey }: { actor: string; rkey: string }) {
  const agent = useAgent()
  const uri = `at://${actor}/app.bsky.feed.generator/${rkey}`
  const info = useLoad(() => agent.query('app.bsky.feed.getFeedGenerator', { feed: uri }), [agent, uri])
  const pages = usePages(
    async (cursor) => {
      const out = await agent.query('app.bsky.feed.getFeed', { feed: uri, limit: 30, cursor })
      return { items: out.feed, cursor: out.cursor }
    },
    [agent, uri],
  )
  const view = info.data?.view
  return (
    <>
      <ScreenHeader title={view?.displayName ?? 'Feed'} />
      {view && (
        <p className="screen-intro muted">
          {view.description ? `${view.description} — ` : ''}by @{view.creator.handle}
          {info.data && !info.data.isOnline && ' (the feed generator is offline)'}
        </p>
      )}
      {info.error ? <ErrorNote error={info.error} /> : null}
      <FeedList pages={pages} label="Feed posts" empty="This feed has no posts right now." />
    </>
  )
}
