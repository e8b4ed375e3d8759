/**
 * The unread-notification count behind the badge: asked of the PDS (app.bsky.notification.getUnreadCount)
 * when the app starts, every 30 s while the tab is visible, and whenever the user navigates; set to zero
 * when the notifications screen marks everything seen. Failures keep the last count (a badge is not
 * worth an error message).
 */
import { useEffect, useSyncExternalStore } from 'react'
import type { Agent } from './api/agent.ts'

const POLL_MS = 30_000
let count = 0
const listeners = new Set<() => void>()

function set(n: number): void {
  if (n === count) return
  count = n
  for (const fn of listeners) fn()
}

export async function refreshUnread(agent: Agent): Promise<void> {
  if (!agent.session) return set(0)
  try {
    const out = await agent.query('app.bsky.notification.getUnreadCount')
    set(out.count)
  } catch {
    // keep the last count
  }
}

export function clearUnread(): void {
  set(0)
}

export function useUnreadCount(agent: Agent, path: string): number {
  const n = useSyncExternalStore(
    (fn) => {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
    () => count,
  )
  // biome-ignore lint/correctness/useExhaustiveDependencies: navigating (path) is a reason to ask again
  useEffect(() => {
    void refreshUnread(agent)
  }, [agent, path])
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void refreshUnread(agent)
    }, POLL_MS)
    return () => clearInterval(timer)
  }, [agent])
  return n
}
