/**
 * A profile: banner, avatar, name, handle, bio, follower/following/post counts, follow button, and the
 * author feed in three tabs (posts, posts and replies, media) from app.bsky.feed.getAuthorFeed.
 */
import type { AppBskyActorDefs } from '@stratus/core/lexicon/generated'
import { useState } from 'react'
import { Avatar } from '../components/Avatar.tsx'
import { FeedList } from '../components/FeedList.tsx'
import { FollowButton } from '../components/Follow.tsx'
import { RichText } from '../components/RichText.tsx'
import { ErrorNote, Loading } from '../components/Status.tsx'
import { useAgent, useChangeCount, useLoad, usePages } from '../hooks.ts'
import { Link } from '../router.tsx'

const TABS = [
  { id: 'posts_no_replies', label: 'Posts' },
  { id: 'posts_with_replies', label: 'Replies' },
  { id: 'posts_with_media', label: 'Media' },
] as const
type Tab = (typeof TABS)[number]['id']

export function Profile({ actor, tab }: { actor: string; tab?: string }) {
  const agent = useAgent()
  const profile = useLoad(() => agent.query('app.bsky.actor.getProfile', { actor }), [agent, actor])
  if (profile.error) return <ErrorNote error={profile.error} onRetry={profile.reload} />
  if (!profile.data) return <Loading label="Loading profile…" />
  const current = (TABS.find((t) => t.id === tab)?.id ?? 'posts_no_replies') as Tab
  return (
    <>
      <ProfileHeader profile={profile.data} />
      <nav className="tabs" aria-label="Profile sections">
        {TABS.map((t) => (
          <Link
            key={t.id}
            to={`/profile/${encodeURIComponent(actor)}${t.id === 'posts_no_replies' ? '' : `?tab=${t.id}`}`}
            aria-current={t.id === current ? 'page' : undefined}
            className="tab"
          >
            {t.label}
          </Link>
        ))}
      </nav>
      <AuthorFeed actor={profile.data.did} filter={current} />
    </>
  )
}

function ProfileHeader({ profile }: { profile: AppBskyActorDefs.ProfileViewDetailed }) {
  const [followers, setFollowers] = useState(profile.followersCount ?? 0)
  const name = profile.displayName || profile.handle
  return (
    <section className="profile" aria-labelledby="profile-name">
      <div
        className="profile-banner"
        style={profile.banner ? { backgroundImage: `url("${profile.banner}")` } : undefined}
      />
      <div className="profile-top">
        <Avatar src={profile.avatar} name={name} size={84} />
        <FollowButton actor={profile} onChange={(on) => setFollowers((n) => n + (on ? 1 : -1))} />
      </div>
      <h1 id="profile-name">{name}</h1>
      <p className="muted">
        @{profile.handle}
        {profile.viewer?.followedBy && <span className="pill">Follows you</span>}
      </p>
      <dl className="counts">
        <div>
          <dt>Followers</dt>
          <dd data-testid="followers-count">{followers}</dd>
        </div>
        <div>
          <dt>Following</dt>
          <dd>{profile.followsCount ?? 0}</dd>
        </div>
        <div>
          <dt>Posts</dt>
          <dd>{profile.postsCount ?? 0}</dd>
        </div>
      </dl>
      {profile.description && (
        <p className="profile-bio">
          <RichText text={profile.description} detect />
        </p>
      )}
    </section>
  )
}

function AuthorFeed({ actor, filter }: { actor: string; filter: Tab }) {
  const agent = useAgent()
  const changes = useChangeCount()
  const pages = usePages(
    async (cursor) => {
      const out = await agent.query('app.bsky.feed.getAuthorFeed', { actor, filter, limit: 30, cursor })
      return { items: out.feed, cursor: out.cursor }
    },
    [agent, actor, filter, changes],
  )
  return <FeedList pages={pages} label="Posts" empty="Nothing here yet." />
}
