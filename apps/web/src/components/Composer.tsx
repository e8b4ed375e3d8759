/**
 * The post composer, a modal <dialog> (focus stays inside, Escape closes) opened from anywhere with
 * `useComposer()(target)`: a new post, a reply, or a quote. Text up to 300 graphemes with mentions,
 * links and tags turned into facets on send; up to four images, each with its own alt-text field.
 */
import { graphemeLength } from '@stratus/core/bytes'
import { type ReactNode, createContext, useCallback, useContext, useEffect, useRef, useState } from 'react'
import { describeError } from '../api/errors.ts'
import { MAX_IMAGES, type PreparedImage, prepareImage } from '../api/images.ts'
import { type PostView, createPost } from '../api/records.ts'
import { announceChange, useAgent } from '../hooks.ts'
import { Avatar } from './Avatar.tsx'

export const MAX_GRAPHEMES = 300

export interface ComposeTarget {
  replyTo?: PostView
  quote?: PostView
}

const ComposerContext = createContext<(target?: ComposeTarget) => void>(() => {})

export function useComposer(): (target?: ComposeTarget) => void {
  return useContext(ComposerContext)
}

export function ComposerProvider({ children }: { children: ReactNode }) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [target, setTarget] = useState<ComposeTarget | null>(null)
  const [session, setSession] = useState(0)
  const open = useCallback((t: ComposeTarget = {}) => {
    setTarget(t)
    setSession((n) => n + 1)
  }, [])
  useEffect(() => {
    if (target && !dialog.current?.open) dialog.current?.showModal()
  }, [target])
  const close = () => dialog.current?.close()
  return (
    <ComposerContext.Provider value={open}>
      {children}
      <dialog ref={dialog} className="composer-dialog" aria-labelledby="composer-title" onClose={() => setTarget(null)}>
        {target && <ComposerForm key={session} target={target} onDone={close} />}
      </dialog>
    </ComposerContext.Provider>
  )
}

interface Attached {
  prepared: PreparedImage
  preview: string
  alt: string
}

function ComposerForm({ target, onDone }: { target: ComposeTarget; onDone: () => void }) {
  const agent = useAgent()
  const [text, setText] = useState('')
  const [images, setImages] = useState<Attached[]>([])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const latest = useRef(images)
  latest.current = images
  // Object URLs for previews live until the form goes away.
  useEffect(
    () => () => {
      for (const img of latest.current) URL.revokeObjectURL(img.preview)
    },
    [],
  )

  const count = graphemeLength(text)
  const tooLong = count > MAX_GRAPHEMES
  const empty = !text.trim() && images.length === 0
  const title = target.replyTo ? 'Reply' : target.quote ? 'Quote post' : 'New post'

  const addFiles = async (files: FileList | null) => {
    if (!files) return
    setError(null)
    const room = MAX_IMAGES - images.length
    if (files.length > room) setError(`You can attach up to ${MAX_IMAGES} images.`)
    const added: Attached[] = []
    for (const file of [...files].slice(0, Math.max(room, 0))) {
      try {
        const prepared = await prepareImage(file)
        added.push({ prepared, preview: URL.createObjectURL(prepared.blob), alt: '' })
      } catch (err) {
        setError(describeError(err))
      }
    }
    setImages((prev) => [...prev, ...added])
  }

  const submit = async (e: React.FormEvent) => {
    e.preventDefault()
    if (empty || tooLong || busy) return
    setBusy(true)
    setError(null)
    try {
      await createPost(agent, { text, images, replyTo: target.replyTo, quote: target.quote })
      announceChange()
      onDone()
    } catch (err) {
      setError(describeError(err))
      setBusy(false)
    }
  }

  return (
    <form className="composer" onSubmit={submit}>
      <h2 id="composer-title">{title}</h2>
      {target.replyTo && <Context post={target.replyTo} label="Replying to" />}
      <label htmlFor="composer-text" className="visually-hidden">
        Post text
      </label>
      <textarea
        id="composer-text"
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder={target.replyTo ? 'Write your reply' : 'What’s up?'}
        rows={5}
        // biome-ignore lint/a11y/noAutofocus: the dialog opens to write; focus belongs in the text box
        autoFocus
        aria-describedby="composer-count"
      />
      <p id="composer-count" className={`count ${tooLong ? 'count-over' : ''}`}>
        {count} / {MAX_GRAPHEMES}
        {tooLong && ' — too long'}
      </p>
      {images.length > 0 && <ImageList images={images} setImages={setImages} />}
      {target.quote && <Context post={target.quote} label="Quoting" />}
      {error && (
        <p className="note note-error" role="alert">
          {error}
        </p>
      )}
      <div className="composer-actions">
        <label className={`btn btn-ghost file-button ${images.length >= MAX_IMAGES ? 'disabled' : ''}`}>
          <input
            type="file"
            accept="image/jpeg,image/png,image/gif,image/webp"
            multiple
            className="visually-hidden"
            disabled={images.length >= MAX_IMAGES || busy}
            onChange={(e) => {
              void addFiles(e.target.files)
              e.target.value = ''
            }}
          />
          Add images
        </label>
        <span className="spacer" />
        <button type="button" className="btn btn-ghost" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={empty || tooLong || busy}>
          {busy ? 'Posting…' : target.replyTo ? 'Reply' : 'Post'}
        </button>
      </div>
    </form>
  )
}

function ImageList({
  images,
  setImages,
}: {
  images: Attached[]
  setImages: (f: (p: Attached[]) => Attached[]) => void
}) {
  return (
    <ul className="composer-images">
      {images.map((img, i) => (
        <li key={img.preview}>
          <img src={img.preview} alt="" />
          <div className="composer-image-fields">
            <label htmlFor={`alt-${i}`}>Alt text for image {i + 1}</label>
            <textarea
              id={`alt-${i}`}
              rows={2}
              maxLength={2000}
              value={img.alt}
              placeholder="Describe the image for people who cannot see it"
              onChange={(e) => {
                const alt = e.target.value
                setImages((prev) => prev.map((p, j) => (j === i ? { ...p, alt } : p)))
              }}
            />
            <button
              type="button"
              className="btn btn-small btn-ghost"
              onClick={() => setImages((prev) => prev.filter((_, j) => j !== i))}
            >
              Remove image {i + 1}
            </button>
          </div>
        </li>
      ))}
    </ul>
  )
}

function Context({ post, label }: { post: PostView; label: string }) {
  const text = (post.record as { text?: string }).text ?? ''
  return (
    <div className="composer-context">
      <Avatar src={post.author.avatar} name={post.author.displayName || post.author.handle} size={24} />
      <div>
        <span className="muted">
          {label} @{post.author.handle}
        </span>
        <p>{text.length > 200 ? `${text.slice(0, 200)}…` : text}</p>
      </div>
    </div>
  )
}
