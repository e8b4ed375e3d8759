/**
 * Sign in (handle or email + password) and sign up (a handle under one of the PDS's own domains, email,
 * password, and an invite code when the PDS asks for one: com.atproto.server.describeServer says).
 * Both leave the session in the agent, which stores it for the next visit.
 */
import { type FormEvent, type ReactNode, useState } from 'react'
import { describeError } from '../api/errors.ts'
import { useAgent, useLoad } from '../hooks.ts'
import { Link, navigate } from '../router.tsx'

function AuthFrame({ title, children, footer }: { title: string; children: ReactNode; footer: ReactNode }) {
  return (
    <div className="auth">
      <main id="main" className="auth-card">
        <div className="brand brand-large">
          <img src="/favicon.svg" alt="" width="40" height="40" />
          <span>Stratus</span>
        </div>
        <h1>{title}</h1>
        {children}
        <p className="auth-footer">{footer}</p>
      </main>
    </div>
  )
}

function useSubmit(action: () => Promise<void>) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await action()
      navigate('/', { replace: true })
    } catch (err) {
      setError(describeError(err))
      setBusy(false)
    }
  }
  return { busy, error, submit }
}

export function SignIn() {
  const agent = useAgent()
  const [identifier, setIdentifier] = useState('')
  const [password, setPassword] = useState('')
  const { busy, error, submit } = useSubmit(() => agent.signIn(identifier.trim().replace(/^@/, ''), password))
  return (
    <AuthFrame
      title="Sign in"
      footer={
        <>
          New here? <Link to="/signup">Create an account</Link>
        </>
      }
    >
      <form onSubmit={submit} className="form">
        <label htmlFor="signin-handle">Handle or email</label>
        <input
          id="signin-handle"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          value={identifier}
          onChange={(e) => setIdentifier(e.target.value)}
          placeholder="alice.test"
        />
        <label htmlFor="signin-password">Password</label>
        <input
          id="signin-password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {error && (
          <p className="note note-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary btn-wide" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </AuthFrame>
  )
}

interface ServerInfo {
  availableUserDomains: string[]
  inviteCodeRequired?: boolean
}

export function SignUp() {
  const agent = useAgent()
  const server = useLoad(() => agent.query('com.atproto.server.describeServer') as Promise<ServerInfo>, [agent])
  const domains = server.data?.availableUserDomains ?? []
  const [name, setName] = useState('')
  const [domain, setDomain] = useState('')
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [invite, setInvite] = useState('')
  const suffix = domain || domains[0] || ''
  const handle = `${name.trim().toLowerCase().replace(/^@/, '')}${suffix}`
  const { busy, error, submit } = useSubmit(() =>
    agent.signUp({ handle, email: email.trim(), password, inviteCode: invite.trim() || undefined }),
  )
  return (
    <AuthFrame
      title="Create an account"
      footer={
        <>
          Already have one? <Link to="/signin">Sign in</Link>
        </>
      }
    >
      {server.error ? (
        <p className="note note-error" role="alert">
          {describeError(server.error)}
        </p>
      ) : null}
      <form onSubmit={submit} className="form">
        <label htmlFor="signup-handle">Handle</label>
        <div className="handle-input">
          <input
            id="signup-handle"
            autoCapitalize="none"
            autoComplete="username"
            spellCheck={false}
            required
            pattern="[A-Za-z0-9][A-Za-z0-9\-]{0,62}"
            title="Letters, numbers and hyphens"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="alice"
            aria-describedby="signup-handle-hint"
          />
          {domains.length > 1 ? (
            <select aria-label="Handle domain" value={suffix} onChange={(e) => setDomain(e.target.value)}>
              {domains.map((d) => (
                <option key={d}>{d}</option>
              ))}
            </select>
          ) : (
            <span className="handle-suffix">{suffix}</span>
          )}
        </div>
        <p id="signup-handle-hint" className="hint">
          Your full handle will be <strong>@{name ? handle : `…${suffix}`}</strong>
        </p>
        <label htmlFor="signup-email">Email</label>
        <input
          id="signup-email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor="signup-password">Password</label>
        <input
          id="signup-password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-describedby="signup-password-hint"
        />
        <p id="signup-password-hint" className="hint">
          At least 8 characters.
        </p>
        {server.data?.inviteCodeRequired && (
          <>
            <label htmlFor="signup-invite">Invite code</label>
            <input id="signup-invite" required value={invite} onChange={(e) => setInvite(e.target.value)} />
          </>
        )}
        {error && (
          <p className="note note-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary btn-wide" disabled={busy || !suffix}>
          {busy ? 'Creating your account…' : 'Sign up'}
        </button>
      </form>
    </AuthFrame>
  )
}
