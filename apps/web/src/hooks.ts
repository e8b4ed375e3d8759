/**
 * Shared React state: the agent and session (context), a tiny event bus for "something changed, reload"
 * (a post was made or deleted), and the two data-loading hooks every screen uses: `useLoad` for one
 * request, `usePages` for cursor-paginated lists. Both drop answers that arrive after their inputs
 * changed, so a fast click through profiles never shows the wrong one.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState, useSyncExternalStore } from 'react'
import type { Agent } from './api/agent.ts'
import type { StoredSession } from './api/session.ts'

export const AgentContext = createContext<Agent | null>(null)

export function useAgent(): Agent {
  const agent = useContext(AgentContext)
  if (!agent) throw new Error('useAgent outside <AgentContext.Provider>')
  return agent
}

export function useSession(): StoredSession | null {
  const agent = useAgent()
  return useSyncExternalStore(
    (fn) => agent.subscribe(fn),
    () => agent.session,
  )
}

// ---- change bus -------------------------------------------------------------------------------------------

const changeListeners = new Set<() => void>()
let changeCount = 0

/** Tells every mounted list that the user's data changed (new post, deletion) so they reload. */
export function announceChange(): void {
  changeCount++
  for (const fn of changeListeners) fn()
}

export function useChangeCount(): number {
  return useSyncExternalStore(
    (fn) => {
      changeListeners.add(fn)
      return () => changeListeners.delete(fn)
    },
    () => changeCount,
  )
}

// ---- loading ----------------------------------------------------------------------------------------------

export interface Loaded<T> {
  data: T | undefined
  error: unknown
  loading: boolean
  reload(): void
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true })
  const [nonce, setNonce] = useState(0)
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what `load` depends on
  useEffect(() => {
    let live = true
    setState((s) => ({ data: s.data, loading: true }))
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error) => live && setState({ error, loading: false }),
    )
    return () => {
      live = false
    }
  }, [...deps, nonce])
  const reload = useCallback(() => setNonce((n) => n + 1), [])
  return { data: state.data, error: state.error, loading: state.loading, reload }
}

export interface Pages<T> {
  items: T[]
  error: unknown
  loading: boolean
  hasMore: boolean
  loadMore(): void
  reload(): void
}

/** A cursor-paginated list: `load(cursor)` returns items and the next cursor (undefined at the end). */
export function usePages<T>(
  load: (cursor?: string) => Promise<{ items: T[]; cursor?: string }>,
  deps: unknown[],
): Pages<T> {
  const [items, setItems] = useState<T[]>([])
  const [error, setError] = useState<unknown>()
  const [loading, setLoading] = useState(true)
  const [cursor, setCursor] = useState<string | undefined>()
  const generation = useRef(0)

  const fetchPage = useCallback(
    (from: string | undefined, replace: boolean) => {
      const gen = generation.current
      setLoading(true)
      setError(undefined)
      load(from).then(
        (page) => {
          if (gen !== generation.current) return
          setItems((prev) => (replace ? page.items : [...prev, ...page.items]))
          setCursor(page.items.length ? page.cursor : undefined)
          setLoading(false)
        },
        (err) => {
          if (gen !== generation.current) return
          setError(err)
          setLoading(false)
        },
      )
    },
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what `load` depends on
    deps,
  )

  const reload = useCallback(() => {
    generation.current++
    fetchPage(undefined, true)
  }, [fetchPage])

  useEffect(() => {
    generation.current++
    setItems([])
    setCursor(undefined)
    fetchPage(undefined, true)
  }, [fetchPage])

  const loadMore = useCallback(() => {
    if (cursor && !loading) fetchPage(cursor, false)
  }, [cursor, loading, fetchPage])

  return { items, error, loading, hasMore: cursor !== undefined, loadMore, reload }
}
