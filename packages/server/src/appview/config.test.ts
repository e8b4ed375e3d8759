import { describe, expect, it } from 'vitest'
import { appviewCommand } from './cli.ts'
import { ConfigError, DEFAULTS, didWebFor, readConfig } from './config.ts'

describe('AppView config', () => {
  it('reads env, then flags (flags win), in every flag form', () => {
    const cfg = readConfig(['--port', '3000', '--dev', '--relay=https://relay.example', '--backfill', 'false'], {
      APPVIEW_PORT: '2999',
      APPVIEW_DB_URL: 'postgres://u@db.example/appview',
      APPVIEW_PLC_URL: 'https://plc.example',
    })
    expect(cfg).toMatchObject({
      port: 3000,
      devMode: true,
      relay: 'https://relay.example',
      backfill: false,
      dbUrl: 'postgres://u@db.example/appview',
      plcUrl: 'https://plc.example',
      host: DEFAULTS.host,
    })
  })

  it('refuses bad values with ConfigError', () => {
    for (const argv of [
      ['--port', 'x'],
      ['--nope', '1'],
      ['--relay', 'not a url'],
      ['--did', 'nope'],
      ['--db', 'mysql://x'],
      ['--port'],
      ['stray'],
    ]) {
      expect(() => readConfig(argv, {}), argv.join(' ')).toThrow(ConfigError)
    }
  })

  it('did:web of the public URL percent-encodes the port', () => {
    expect(didWebFor('https://appview.example.com')).toBe('did:web:appview.example.com')
    expect(didWebFor('http://localhost:2584')).toBe('did:web:localhost%3A2584')
  })

  it('stratus appview --help prints usage; a bad flag is a usage error (exit code 2)', async () => {
    const out: string[] = []
    const write = process.stdout.write
    const errWrite = process.stderr.write
    process.stdout.write = ((s: string) => out.push(s) > 0) as typeof process.stdout.write
    process.stderr.write = ((s: string) => out.push(s) > 0) as typeof process.stderr.write
    try {
      await appviewCommand(['--help'], {})
      await appviewCommand(['--bogus'], {})
    } finally {
      process.stdout.write = write
      process.stderr.write = errWrite
    }
    expect(out.join('')).toMatch(/Usage: stratus appview/)
    expect(out.join('')).toMatch(/unknown option: --bogus/)
    expect(process.exitCode).toBe(2)
    process.exitCode = 0
  })
})
