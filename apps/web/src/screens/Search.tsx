/**
 * Search for people (app.bsky.actor.searchActors) and posts (app.bsky.feed.searchPosts). The query and
 * tab live in the address (?q=…&tab=posts) so results can be linked, and tag links land here.
 */
import { type FormEvent, useEffect, useState } from 'react'
import { FeedList, ListFooter } from '../components/FeedList.tsx'
import { ActorRow } from '../components/Follow.tsx'
import { ScreenHeader } from '../components/ScreenHeader.tsx'
import { useAgent, usePages } from '../hooks.ts'
import { Link, navigate, paths } from '../router.tsx'

type Tab = 'people' | 'posts'

export function Search({ q, tab }: { q: string; tab: Tab }) {
  const [text, setText] = useState(q)
  useEffect(() => setText(q), [q])
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (text.trim()) navigate(paths.search(text.trim(), tab))
  }
  return (
    <>
      <ScreenHeader title="Search" />
      <form className="search-form" onSubmit={submit} aria-label="Search">
        <label htmlFor="search-q" className="visually-hidden">
          Search people and posts
        </label>
        <input
          id="search-q"
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="Search people and posts"
        />
        <button type="submit" className="btn btn-primary">
          Search
        </button>
      </form>
      <nav className="tabs" aria-label="What to search">
        {(['people', 'posts'] as const).map((t) => (
          <Link
            key={t}
            to={q ? paths.search(q, t) : `/search?tab=${t}`}
            className="tab"
            aria-current={t === tab ? 'page' : undefined}
          >
            {t === 'people' ? 'People' : 'Posts'}
          </Link>
        ))}
      </nav>
      {q ? (
        tab === 'people' ? (
          <People q={q} />
        ) : (
          <Posts q={q} />
        )
      ) : (
        <p className="note muted">Type a name, handle or words to look for.</p>
      )}
    </>
  )
}

function People({ q }: { q: string }) {
  const agent = useAgent()
  const pages = usePages(
    async (cursor) => {
      const out = await agent.query('app.bsky.actor.searchActors', { q, limit: 25, cursor })
      return { items: out.actors, cursor: out.cursor }
    },
    [agent, q],
  )
  return (
    <section aria-label="People">
      <ul className="actor-list">
        {pages.items.map((a) => (
          <ActorRow key={a.did} actor={a} />
        ))}
      </ul>
      <ListFooter pages={pages} empty={`No people found for “${q}”.`} />
    </section>
  )
}

function Posts({ q }: { q: string }) {
  const agent = useAgent()
  const pages = usePages(
    async (cursor) => {
      const out = await agent.query('app.bsky.feed.searchPosts', { q, limit: 25, cursor })
      return { items: out.posts.map((post) => ({ post })), cursor: out.cursor }
    },
    [agent, q],
  )
  return <FeedList pages={pages} label="Posts" empty={`No posts found for “${q}”.`} />
}
