/** The home timeline: app.bsky.feed.getTimeline (posts and reposts by the people you follow, and yours). */
import { useComposer } from '../components/Composer.tsx'
import { FeedList } from '../components/FeedList.tsx'
import { ScreenHeader } from '../components/ScreenHeader.tsx'
import { useAgent, useChangeCount, usePages } from '../hooks.ts'
import { Link } from '../router.tsx'

export function Home() {
  const agent = useAgent()
  const compose = useComposer()
  const changes = useChangeCount()
  const pages = usePages(
    async (cursor) => {
      const out = await agent.query('app.bsky.feed.getTimeline', { limit: 30, cursor })
      return { items: out.feed, cursor: out.cursor }
    },
    [agent, changes],
  )
  return (
    <>
      <ScreenHeader title="Home">
        <button type="button" className="btn btn-ghost btn-small" onClick={pages.reload}>
          Refresh
        </button>
      </ScreenHeader>
      <button type="button" className="compose-prompt" onClick={() => compose()}>
        What’s up?
      </button>
      <FeedList
        pages={pages}
        label="Timeline"
        empty={
          <>
            Your timeline is empty. <Link to="/search">Find people to follow</Link> or write your first post.
          </>
        }
      />
    </>
  )
}
