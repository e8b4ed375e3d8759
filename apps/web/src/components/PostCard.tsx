/**
 * One post as an <article>: author, time (the link to its thread), text with facets, embed, and the
 * actions: reply, repost, quote, like, delete (own posts). Likes and reposts update at once and roll
 * back with a message if the PDS refuses. Clicking empty space in the card opens the thread (a mouse
 * shortcut; keyboard users have the time link).
 */
import { type MouseEvent, useState } from 'react'
import { describeError } from '../api/errors.ts'
import { type PostView, deleteRecord, like, repost } from '../api/records.ts'
import { announceChange, useAgent } from '../hooks.ts'
import { Link, navigate, paths, postPath } from '../router.tsx'
import { Avatar } from './Avatar.tsx'
import { useComposer } from './Composer.tsx'
import { Embed } from './Embed.tsx'
import { icons } from './Icons.tsx'
import { RichText } from './RichText.tsx'
import { TimeAgo } from './TimeAgo.tsx'

interface PostRecord {
  text?: string
  facets?: unknown
  createdAt?: string
  reply?: unknown
}

export interface PostCardProps {
  post: PostView
  /** "Reposted by …" line. */
  repostedBy?: { handle: string; displayName?: string }
  /** Handle of the author replied to, for the "Replying to" line. */
  replyToHandle?: string
  /** The focused post of a thread: bigger text, full date. */
  focus?: boolean
  /** Draws a line down to the next post (thread parents). */
  threadLine?: boolean
}

export function PostCard({ post, repostedBy, replyToHandle, focus, threadLine }: PostCardProps) {
  const record = post.record as PostRecord
  const author = post.author
  const name = author.displayName || author.handle
  const href = postPath(post.uri, author.handle)
  const open = (e: MouseEvent) => {
    const el = e.target as HTMLElement
    if (focus || el.closest('a, button, dialog, input, textarea, label') || window.getSelection()?.toString()) return
    navigate(href)
  }
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: mouse shortcut only; the time link is the keyboard path
    <article
      className={`post ${focus ? 'post-focus' : ''} ${threadLine ? 'post-thread-line' : ''}`}
      onClick={open}
      aria-label={`Post by ${name}`}
    >
      {repostedBy && (
        <p className="post-context muted">
          {icons.repost} Reposted by{' '}
          <Link to={paths.profile(repostedBy.handle)}>{repostedBy.displayName || repostedBy.handle}</Link>
        </p>
      )}
      <div className="post-body">
        <Link to={paths.profile(author.handle)} className="post-avatar" tabIndex={-1} aria-hidden="true">
          <Avatar src={author.avatar} name={name} size={focus ? 48 : 44} />
        </Link>
        <div className="post-main">
          <header className="post-head">
            <Link to={paths.profile(author.handle)} className="post-author">
              <strong>{name}</strong> <span className="muted">@{author.handle}</span>
            </Link>
            {record.createdAt && (
              <Link to={href} className="muted post-time">
                <TimeAgo iso={record.createdAt} />
              </Link>
            )}
          </header>
          {replyToHandle && (
            <p className="post-context muted">
              Replying to <Link to={paths.profile(replyToHandle)}>@{replyToHandle}</Link>
            </p>
          )}
          {record.text && (
            <p className={`post-text ${focus ? 'post-text-large' : ''}`}>
              <RichText text={record.text} facets={record.facets} />
            </p>
          )}
          {post.embed && <Embed embed={post.embed} />}
          {focus && record.createdAt && (
            <p className="muted post-date">{new Date(record.createdAt).toLocaleString()}</p>
          )}
          <PostActions post={post} />
        </div>
      </div>
    </article>
  )
}

function PostActions({ post }: { post: PostView }) {
  const agent = useAgent()
  const compose = useComposer()
  const [likeUri, setLikeUri] = useState(post.viewer?.like)
  const [likes, setLikes] = useState(post.likeCount ?? 0)
  const [repostUri, setRepostUri] = useState(post.viewer?.repost)
  const [reposts, setReposts] = useState(post.repostCount ?? 0)
  const [error, setError] = useState<string | null>(null)
  const [deleted, setDeleted] = useState(false)
  const mine = post.author.did === agent.session?.did

  const toggle = async (kind: 'like' | 'repost') => {
    setError(null)
    const [uri, setUri, setCount] =
      kind === 'like' ? [likeUri, setLikeUri, setLikes] : [repostUri, setRepostUri, setReposts]
    setUri(uri ? undefined : 'pending')
    setCount((c) => c + (uri ? -1 : 1))
    try {
      if (uri) await deleteRecord(agent, uri)
      else setUri(await (kind === 'like' ? like : repost)(agent, post))
    } catch (err) {
      setUri(uri)
      setCount((c) => c + (uri ? 1 : -1))
      setError(describeError(err))
    }
  }

  const remove = async () => {
    if (!window.confirm('Delete this post? This cannot be undone.')) return
    try {
      await deleteRecord(agent, post.uri)
      setDeleted(true)
      announceChange()
    } catch (err) {
      setError(describeError(err))
    }
  }

  if (deleted) return <p className="muted">Post deleted.</p>
  const name = post.author.handle
  return (
    <>
      <div className="post-actions">
        <button
          type="button"
          className="action"
          onClick={() => compose({ replyTo: post })}
          aria-label={`Reply to ${name} (${post.replyCount ?? 0} replies)`}
        >
          {icons.reply} <span>{post.replyCount || ''}</span>
        </button>
        <button
          type="button"
          className={`action ${repostUri ? 'action-on-repost' : ''}`}
          aria-pressed={!!repostUri}
          disabled={repostUri === 'pending'}
          onClick={() => toggle('repost')}
          aria-label={`${repostUri ? 'Undo repost' : 'Repost'} (${reposts} reposts)`}
        >
          {icons.repost} <span>{reposts || ''}</span>
        </button>
        <button type="button" className="action" onClick={() => compose({ quote: post })} aria-label="Quote post">
          {icons.quote}
        </button>
        <button
          type="button"
          className={`action ${likeUri ? 'action-on-like' : ''}`}
          aria-pressed={!!likeUri}
          disabled={likeUri === 'pending'}
          onClick={() => toggle('like')}
          aria-label={`${likeUri ? 'Unlike' : 'Like'} (${likes} likes)`}
        >
          {likeUri ? icons.heartFilled : icons.heart} <span>{likes || ''}</span>
        </button>
        {mine && (
          <button type="button" className="action action-danger" onClick={remove} aria-label="Delete post">
            {icons.trash}
          </button>
        )}
      </div>
      {error && (
        <p className="note note-error" role="alert">
          {error}
        </p>
      )}
    </>
  )
}
