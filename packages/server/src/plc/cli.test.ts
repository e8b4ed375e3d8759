/** `stratus plc` flag parsing, and the command starting a working server. */
import { describe, expect, it } from 'vitest'
import { CliUsageError, parsePlcArgs, plcCommand } from './cli.ts'

describe('parsePlcArgs', () => {
  it('reads flags, env and defaults', () => {
    expect(parsePlcArgs([], {})).toEqual({
      port: 2582,
      host: '127.0.0.1',
      dbUrl: 'sqlite:./data/plc.sqlite',
      rateLimit: true,
      help: false,
    })
    expect(
      parsePlcArgs(['--port', '3000', '--host=0.0.0.0', '--db', 'postgres://u@h/db', '--no-rate-limit'], {}),
    ).toEqual({
      port: 3000,
      host: '0.0.0.0',
      dbUrl: 'postgres://u@h/db',
      rateLimit: false,
      help: false,
    })
    expect(parsePlcArgs([], { PLC_PORT: '4000', PLC_DB_URL: 'sqlite::memory:' })).toMatchObject({
      port: 4000,
      dbUrl: 'sqlite::memory:',
    })
    expect(parsePlcArgs(['--port', '5000'], { PLC_PORT: '4000' }).port).toBe(5000)
    expect(parsePlcArgs(['-h'], {}).help).toBe(true)
  })

  it('rejects bad input', () => {
    for (const argv of [['--port'], ['--port', 'x'], ['--port', '70000'], ['--db', 'mysql://x'], ['--what']]) {
      expect(() => parsePlcArgs(argv, {}), argv.join(' ')).toThrow(CliUsageError)
    }
  })
})

describe('plcCommand', () => {
  it('starts a directory that answers', async () => {
    const server = await plcCommand(['--port', '0', '--db', 'sqlite::memory:'], { handleSignals: false })
    try {
      const res = await fetch(`${server?.url}/_health`)
      expect(res.status).toBe(200)
    } finally {
      await server?.close()
    }
  })
})
