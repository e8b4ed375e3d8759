/**
 * The operator commands on a data directory: `account create` registers the DID at the PLC directory
 * and the account can log in afterwards; `account list` shows it; keys survive restarts; usage errors
 * exit with code 2.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { accountCommand } from './cli.ts'
import { type TestPlc, startTestPds, startTestPlc } from './test-util.ts'

let plc: TestPlc
let dataDir: string

beforeAll(async () => {
  plc = await startTestPlc()
  dataDir = mkdtempSync(join(tmpdir(), 'stratus-pds-cli-'))
})
afterAll(async () => {
  await plc?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

async function run(argv: string[]): Promise<{ stdout: string; stderr: string; code: number | undefined }> {
  let stdout = ''
  let stderr = ''
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s)
    return true
  })
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s)
    return true
  })
  process.exitCode = undefined
  try {
    await accountCommand(argv, {
      PDS_DATA_DIRECTORY: dataDir,
      PDS_DID_PLC_URL: plc.url,
      PDS_PORT: '2999',
      LOG_LEVEL: 'silent',
    })
    return { stdout, stderr, code: process.exitCode as number | undefined }
  } finally {
    o.mockRestore()
    e.mockRestore()
    process.exitCode = undefined
  }
}

describe('stratus account', () => {
  let did: string
  let password: string

  it('create registers a did:plc and prints the generated password', async () => {
    const r = await run(['create', '--handle', 'erin.test', '--email', 'erin@example.com'])
    expect(r.code).toBeUndefined()
    const m = /^created erin\.test (did:plc:[a-z2-7]{24})\npassword: (\S+)\n$/.exec(r.stdout)
    expect(m, r.stdout + r.stderr).not.toBeNull()
    did = (m as RegExpExecArray)[1]
    password = (m as RegExpExecArray)[2]
    const data = await (await fetch(`${plc.url}/${did}/data`)).json()
    expect(data.alsoKnownAs).toEqual(['at://erin.test'])
    expect(data.services.atproto_pds.endpoint).toBe('http://localhost:2999')
  })

  it('list shows the account; the same data dir then serves it (same keys after a restart)', async () => {
    const r = await run(['list', '--json'])
    expect(JSON.parse(r.stdout).accounts).toEqual([
      { did, handle: 'erin.test', email: 'erin@example.com', createdAt: expect.any(String), status: 'active' },
    ])
    const rotation = readFileSync(join(dataDir, 'keys', 'plc-rotation-key.hex'), 'utf8')
    const t = await startTestPds({ dataDir }, { plc })
    try {
      expect(`${t.pds.ctx.keys.rotationKey.exportPrivateKeyHex()}\n`).toBe(rotation)
      const data = await (await fetch(`${plc.url}/${did}/data`)).json()
      expect(data.rotationKeys).toEqual([t.pds.ctx.keys.rotationKey.did()])
      const body = JSON.stringify({ identifier: 'erin.test', password })
      const res = await fetch(`${t.url}/xrpc/com.atproto.server.createSession`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
      expect(res.status).toBe(200)
      expect((await res.json()).did).toBe(did)
    } finally {
      await t.close()
    }
  })

  it('refusals: taken handle → exit 1; unknown subcommand or bad flag → exit 2', async () => {
    const taken = await run(['create', '--handle', 'erin.test', '--email', 'other@example.com', '--password', 'x'])
    expect(taken.code).toBe(1)
    expect(taken.stderr).toMatch(/already taken/)
    expect((await run(['frobnicate'])).code).toBe(2)
    expect((await run(['list', '--bogus'])).code).toBe(2)
  })
})
