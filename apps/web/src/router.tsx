/**
 * A small History-API router: the current path as React state, `navigate()`, and `<Link>` (a real <a>
 * with an href, so opening in a new tab, copying links and keyboard activation all work; plain clicks
 * stay in the app). Paths are the app's own (/profile/alice.test/post/3k…); the server answers every
 * such path with index.html (serve.ts).
 */
import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useState } from 'react'

const EVENT = 'stratus:navigate'

export interface Location {
  path: string
  query: URLSearchParams
}

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) }
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return
  if (opts.replace) window.history.replaceState(null, '', to)
  else window.history.pushState(null, '', to)
  window.dispatchEvent(new Event(EVENT))
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(current)
  useEffect(() => {
    const update = () => setLoc(current())
    window.addEventListener('popstate', update)
    window.addEventListener(EVENT, update)
    return () => {
      window.removeEventListener('popstate', update)
      window.removeEventListener(EVENT, update)
    }
  }, [])
  return loc
}

export function Link({ to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e)
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    e.preventDefault()
    navigate(to)
  }
  return <a href={to} onClick={click} {...rest} />
}

/** Matches `pattern` ('/profile/:actor/post/:rkey') against a path; params are URI-decoded. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean)
  const got = path.split('/').filter(Boolean)
  if (want.length !== got.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      try {
        params[want[i].slice(1)] = decodeURIComponent(got[i])
      } catch {
        return null
      }
    } else if (want[i] !== got[i]) return null
  }
  return params
}

/** App paths for records and actors, in one place. */
export const paths = {
  profile: (actor: string) => `/profile/${encodeURIComponent(actor)}`,
  post: (actor: string, rkey: string) => `/profile/${encodeURIComponent(actor)}/post/${encodeURIComponent(rkey)}`,
  feed: (actor: string, rkey: string) => `/profile/${encodeURIComponent(actor)}/feed/${encodeURIComponent(rkey)}`,
  search: (q: string, tab?: 'people' | 'posts') => `/search?q=${encodeURIComponent(q)}${tab ? `&tab=${tab}` : ''}`,
}

/** The app path of a post from its AT-URI (at://did/app.bsky.feed.post/rkey). */
export function postPath(uri: string, handle?: string): string {
  const m = uri.match(/^at:\/\/([^/]+)\/[^/]+\/([^/]+)$/)
  if (!m) return '/'
  return paths.post(handle ?? m[1], m[2])
}
