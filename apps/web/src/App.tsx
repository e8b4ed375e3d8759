/**
 * The app: one Agent for the configured PDS, the sign-in gate, and the routes. Signed out, every path
 * shows sign in (or sign up at /signup); signed in, the Layout frames the screen the path names.
 */
import { useEffect } from 'react'
import { Agent } from './api/agent.ts'
import { ComposerProvider } from './components/Composer.tsx'
import { Layout } from './components/Layout.tsx'
import { Empty } from './components/Status.tsx'
import { configuredPdsUrl } from './config.ts'
import { AgentContext, useAgent, useSession } from './hooks.ts'
import { type Location, Link, matchPath, useLocation } from './router.tsx'
import { SignIn, SignUp } from './screens/Auth.tsx'
import { FeedView } from './screens/FeedView.tsx'
import { Feeds } from './screens/Feeds.tsx'
import { Home } from './screens/Home.tsx'
import { Notifications } from './screens/Notifications.tsx'
import { Photos } from './screens/Photos.tsx'
import { Profile } from './screens/Profile.tsx'
import { Search } from './screens/Search.tsx'
import { Thread } from './screens/Thread.tsx'
import { YourData } from './screens/YourData.tsx'

const agent = new Agent(configuredPdsUrl())

export function App() {
  return (
    <AgentContext.Provider value={agent}>
      <Gate />
    </AgentContext.Provider>
  )
}

function Gate() {
  const agent = useAgent()
  const session = useSession()
  const loc = useLocation()
  const did = session?.did
  useEffect(() => {
    // Check the stored session once per account; a refused refresh signs out, a network error does not.
    if (did) agent.resume().catch(() => {})
  }, [agent, did])
  useEffect(() => {
    document.title = session ? 'Stratus' : loc.path === '/signup' ? 'Sign up · Stratus' : 'Sign in · Stratus'
  }, [session, loc.path])
  if (!session) return loc.path === '/signup' ? <SignUp /> : <SignIn />
  return (
    <ComposerProvider>
      <Layout path={loc.path}>
        <Screen loc={loc} />
      </Layout>
    </ComposerProvider>
  )
}

function Screen({ loc }: { loc: Location }) {
  const { path, query } = loc
  let m: Record<string, string> | null
  if (path === '/' || path === '/signin' || path === '/signup') return <Home />
  if (path === '/photos') return <Photos />
  if (path === '/notifications') return <Notifications />
  if (path === '/feeds') return <Feeds />
  if (path === '/data') return <YourData />
  if (path === '/search') {
    const q = query.get('q') ?? ''
    const tab = query.get('tab')
    return <Search q={q} tab={tab === 'people' || tab === 'posts' ? tab : q.startsWith('#') ? 'posts' : 'people'} />
  }
  if ((m = matchPath('/profile/:actor/post/:rkey', path))) return <Thread key={path} actor={m.actor} rkey={m.rkey} />
  if ((m = matchPath('/profile/:actor/feed/:rkey', path))) return <FeedView key={path} actor={m.actor} rkey={m.rkey} />
  if ((m = matchPath('/profile/:actor', path)))
    return <Profile key={m.actor} actor={m.actor} tab={query.get('tab') ?? undefined} />
  return (
    <>
      <h1>Page not found</h1>
      <Empty>
        There is nothing at this address. <Link to="/">Go home</Link>.
      </Empty>
    </>
  )
}
