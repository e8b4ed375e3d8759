/**
 * "Your data": who you are on the network (DID, handle, the PDS that holds your repository) and a
 * button that downloads the whole repository as a CAR file (com.atproto.sync.getRepo) — the same bytes
 * any relay or AppView reads, yours to keep or move to another PDS.
 */
import { useState } from 'react'
import { describeError } from '../api/errors.ts'
import { ScreenHeader } from '../components/ScreenHeader.tsx'
import { useAgent, useLoad, useSession } from '../hooks.ts'

export function YourData() {
  const agent = useAgent()
  const session = useSession()
  const repo = useLoad(() => agent.query('com.atproto.repo.describeRepo', { repo: agent.did }), [agent])
  if (!session) return null
  const pds = session.pdsFromDidDoc ?? agent.service
  return (
    <>
      <ScreenHeader title="Your data" />
      <p className="screen-intro">
        Everything you post lives in your own signed repository on your PDS. These are its coordinates.
      </p>
      <dl className="facts">
        <div>
          <dt>Handle</dt>
          <dd data-testid="data-handle">@{session.handle}</dd>
        </div>
        <div>
          <dt>DID (your permanent identifier)</dt>
          <dd>
            <code data-testid="data-did">{session.did}</code>
          </dd>
        </div>
        <div>
          <dt>PDS (your personal data server)</dt>
          <dd>
            <code data-testid="data-pds">{pds}</code>
          </dd>
        </div>
        {session.email && (
          <div>
            <dt>Email</dt>
            <dd>{session.email}</dd>
          </div>
        )}
        {repo.data && (
          <div>
            <dt>Record collections</dt>
            <dd>{repo.data.collections.length ? repo.data.collections.join(', ') : 'none yet'}</dd>
          </div>
        )}
      </dl>
      <DownloadRepo did={session.did} handle={session.handle} />
      <h2>Session</h2>
      <button type="button" className="btn" onClick={() => void agent.signOut()}>
        Sign out
      </button>
    </>
  )
}

function DownloadRepo({ did, handle }: { did: string; handle: string }) {
  const agent = useAgent()
  const [state, setState] = useState<{ busy?: boolean; error?: string; done?: string }>({})
  const download = async () => {
    setState({ busy: true })
    try {
      const bytes = (await agent.query(
        'com.atproto.sync.getRepo',
        { did },
        { responseType: 'bytes' },
      )) as unknown as Uint8Array
      const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/vnd.ipld.car' })
      const url = URL.createObjectURL(blob)
      const a = document.createElement('a')
      a.href = url
      a.download = `${handle}-${new Date().toISOString().slice(0, 10)}.car`
      document.body.append(a)
      a.click()
      a.remove()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
      setState({ done: `Downloaded ${a.download} (${formatBytes(blob.size)}).` })
    } catch (err) {
      setState({ error: describeError(err) })
    }
  }
  return (
    <section aria-labelledby="download-title" className="download">
      <h2 id="download-title">Download your repository</h2>
      <p>A CAR file with every record you have written and the signed commit that vouches for them.</p>
      <button type="button" className="btn btn-primary" onClick={download} disabled={state.busy}>
        {state.busy ? 'Preparing…' : 'Download repository (CAR)'}
      </button>
      <p role="status" className="muted">
        {state.done}
      </p>
      {state.error && (
        <p className="note note-error" role="alert">
          {state.error}
        </p>
      )}
    </section>
  )
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}
