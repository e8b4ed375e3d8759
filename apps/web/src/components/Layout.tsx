/**
 * The frame around every signed-in screen: a skip link, the navigation (a sidebar on wide screens, a
 * bar along the bottom on phones), the compose button, and <main>. On each navigation focus moves to
 * the new screen's heading, so screen-reader and keyboard users land where the content starts.
 */
import { type ReactNode, useEffect, useRef } from 'react'
import { useAgent, useSession } from '../hooks.ts'
import { Link, paths } from '../router.tsx'
import { useUnreadCount } from '../unread.ts'
import { useComposer } from './Composer.tsx'
import { icons } from './Icons.tsx'

interface NavItem {
  to: string
  label: string
  icon: ReactNode
  match: (path: string) => boolean
  badge?: number
}

export function Layout({ path, children }: { path: string; children: ReactNode }) {
  const agent = useAgent()
  const session = useSession()
  const compose = useComposer()
  const unread = useUnreadCount(agent, path)
  const main = useRef<HTMLElement>(null)
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every navigation (path)
  useEffect(() => {
    window.scrollTo(0, 0)
    const heading = main.current?.querySelector('h1')
    if (heading && document.activeElement === document.body) return // first load: leave focus alone
    if (heading) {
      heading.setAttribute('tabindex', '-1')
      heading.focus({ preventScroll: true })
    }
  }, [path])
  const me = session?.handle ?? ''
  const items: NavItem[] = [
    { to: '/', label: 'Home', icon: icons.home, match: (p) => p === '/' },
    { to: '/photos', label: 'Photos', icon: icons.photos, match: (p) => p === '/photos' },
    { to: '/search', label: 'Search', icon: icons.search, match: (p) => p.startsWith('/search') },
    {
      to: '/notifications',
      label: 'Notifications',
      icon: icons.bell,
      match: (p) => p === '/notifications',
      badge: unread,
    },
    { to: '/feeds', label: 'Feeds', icon: icons.feeds, match: (p) => p === '/feeds' || p.includes('/feed/') },
    { to: paths.profile(me), label: 'Profile', icon: icons.user, match: (p) => p === paths.profile(me) },
    { to: '/data', label: 'Your data', icon: icons.data, match: (p) => p === '/data' },
  ]
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="sidebar">
        <Link to="/" className="brand" aria-label="Stratus home">
          <img src="/favicon.svg" alt="" width="32" height="32" />
          <span>Stratus</span>
        </Link>
        <nav aria-label="Main">
          <ul>
            {items.map((item) => (
              <li key={item.label}>
                <Link
                  to={item.to}
                  className="nav-link"
                  aria-current={item.match(path) ? 'page' : undefined}
                  aria-label={item.badge ? `${item.label}, ${item.badge} unread` : undefined}
                >
                  {item.icon}
                  <span className="nav-label">{item.label}</span>
                  {item.badge ? (
                    <span className="badge" aria-hidden="true" data-testid="unread-badge">
                      {item.badge > 99 ? '99+' : item.badge}
                    </span>
                  ) : null}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" className="btn btn-primary compose-button" onClick={() => compose()}>
          {icons.pen}
          <span className="nav-label">New post</span>
        </button>
        <div className="sidebar-foot">
          <span className="muted">@{me}</span>
          <button type="button" className="btn btn-ghost btn-small" onClick={() => void agent.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </div>
  )
}
