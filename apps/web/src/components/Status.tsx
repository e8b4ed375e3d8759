/** Loading, empty and error states, worded for people (errors go through describeError). */
import type { ReactNode } from 'react'
import { describeError } from '../api/errors.ts'

export function ErrorNote({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null
  return (
    <div className="note note-error" role="alert">
      <p>{describeError(error)}</p>
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  )
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="note note-loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  )
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="note note-empty">{children}</p>
}
