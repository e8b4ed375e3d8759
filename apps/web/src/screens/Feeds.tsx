/**
 * Custom feeds: the ones saved in your preferences (app.bsky.actor.getPreferences, savedFeedsPrefV2)
 * and suggestions from the AppView (app.bsky.feed.getSuggestedFeeds), each linking to its feed view.
 */
import type { AppBskyFeedDefs } from '@stratus/core/lexicon/generated'
import { Avatar } from '../components/Avatar.tsx'
import { ListFooter } from '../components/FeedList.tsx'
import { ScreenHeader } from '../components/ScreenHeader.tsx'
import { Empty, ErrorNote, Loading } from '../components/Status.tsx'
import { useAgent, useLoad, usePages } from '../hooks.ts'
import { Link, paths } from '../router.tsx'

type Generator = AppBskyFeedDefs.GeneratorView

export function Feeds() {
  return (
    <>
      <ScreenHeader title="Feeds" />
      <SavedFeeds />
      <SuggestedFeeds />
    </>
  )
}

function SavedFeeds() {
  const agent = useAgent()
  const saved = useLoad(async () => {
    const prefs = (await agent.query('app.bsky.actor.getPreferences')).preferences as {
      $type?: string
      items?: { type: string; value: string }[]
    }[]
    const uris = prefs
      .filter((p) => p.$type === 'app.bsky.actor.defs#savedFeedsPrefV2')
      .flatMap((p) => p.items ?? [])
      .filter((i) => i.type === 'feed')
      .map((i) => i.value)
    if (!uris.length) return []
    return (await agent.query('app.bsky.feed.getFeedGenerators', { feeds: uris })).feeds
  }, [agent])
  return (
    <section aria-labelledby="saved-feeds">
      <h2 id="saved-feeds" className="section-title">
        Your feeds
      </h2>
      {saved.error ? (
        <ErrorNote error={saved.error} onRetry={saved.reload} />
      ) : !saved.data ? (
        <Loading />
      ) : saved.data.length ? (
        <FeedGeneratorList feeds={saved.data} />
      ) : (
        <Empty>You have not saved any custom feeds. Your home timeline shows the people you follow.</Empty>
      )}
    </section>
  )
}

function SuggestedFeeds() {
  const agent = useAgent()
  const pages = usePages(
    async (cursor) => {
      const out = await agent.query('app.bsky.feed.getSuggestedFeeds', { limit: 25, cursor })
      return { items: out.feeds, cursor: out.cursor }
    },
    [agent],
  )
  return (
    <section aria-labelledby="suggested-feeds">
      <h2 id="suggested-feeds" className="section-title">
        Discover feeds
      </h2>
      <FeedGeneratorList feeds={pages.items} />
      <ListFooter pages={pages} empty="No feeds have been published on this network yet." />
    </section>
  )
}

export function FeedGeneratorList({ feeds }: { feeds: Generator[] }) {
  if (!feeds.length) return null
  return (
    <ul className="feed-generators">
      {feeds.map((f) => {
        const rkey = f.uri.split('/').pop() ?? ''
        return (
          <li key={f.uri} className="actor-row">
            <Avatar src={f.avatar} name={f.displayName} />
            <div className="actor-row-text">
              <Link to={paths.feed(f.creator.did, rkey)}>
                <strong>{f.displayName}</strong>
              </Link>
              <span className="muted"> by @{f.creator.handle}</span>
              {f.description && <p className="muted clamp">{f.description}</p>}
              <p className="muted small">Liked by {f.likeCount ?? 0}</p>
            </div>
          </li>
        )
      })}
    </ul>
  )
}
