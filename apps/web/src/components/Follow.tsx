/**
 * Follow/unfollow button and the actor row used in search results. Following writes an
 * app.bsky.graph.follow record; unfollowing deletes the one the AppView reported in viewer.following.
 */
import type { AppBskyActorDefs } from '@stratus/core/lexicon/generated'
import { useState } from 'react'
import { describeError } from '../api/errors.ts'
import { deleteRecord, follow } from '../api/records.ts'
import { useAgent } from '../hooks.ts'
import { Link, paths } from '../router.tsx'
import { Avatar } from './Avatar.tsx'

type Actor = AppBskyActorDefs.ProfileView | AppBskyActorDefs.ProfileViewDetailed

export function FollowButton({ actor, onChange }: { actor: Actor; onChange?: (following: boolean) => void }) {
  const agent = useAgent()
  const [uri, setUri] = useState(actor.viewer?.following)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  if (actor.did === agent.session?.did) return null
  const name = actor.displayName || actor.handle
  const click = async () => {
    setBusy(true)
    setError(null)
    try {
      if (uri) {
        await deleteRecord(agent, uri)
        setUri(undefined)
        onChange?.(false)
      } else {
        setUri(await follow(agent, actor.did))
        onChange?.(true)
      }
    } catch (err) {
      setError(describeError(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <span className="follow">
      <button
        type="button"
        className={`btn ${uri ? 'btn-ghost' : 'btn-primary'}`}
        onClick={click}
        disabled={busy}
        aria-label={`${uri ? 'Unfollow' : 'Follow'} ${name}`}
      >
        {uri ? 'Following' : 'Follow'}
      </button>
      {error && (
        <span className="note note-error" role="alert">
          {error}
        </span>
      )}
    </span>
  )
}

export function ActorRow({ actor }: { actor: AppBskyActorDefs.ProfileView }) {
  const name = actor.displayName || actor.handle
  return (
    <li className="actor-row">
      <Avatar src={actor.avatar} name={name} />
      <div className="actor-row-text">
        <Link to={paths.profile(actor.handle)}>
          <strong>{name}</strong> <span className="muted">@{actor.handle}</span>
        </Link>
        {actor.description && <p className="muted clamp">{actor.description}</p>}
      </div>
      <FollowButton actor={actor} />
    </li>
  )
}
