import { describe, expect, it } from 'vitest'
import { ConfigError, parseDuration, readRelayConfig, relayConfigHelp, resolveRelayConfig } from './config.ts'

describe('relay config', () => {
  it('has safe defaults: strict, 72 h retention, SQLite in the data dir, no dev mode', () => {
    const cfg = resolveRelayConfig({ dataDir: '/tmp/r' })
    expect(cfg).toMatchObject({
      strict: true,
      retentionMs: 72 * 3600_000,
      dbUrl: 'sqlite:/tmp/r/relay.sqlite',
      logDir: '/tmp/r/events',
      devMode: false,
      bindHost: '0.0.0.0',
      port: 2470,
      plcUrl: 'https://plc.directory',
    })
    expect(cfg.verifyWorkers).toBeGreaterThanOrEqual(1)
  })

  it('reads flags over environment variables', () => {
    const input = readRelayConfig(
      [
        '--port',
        '0',
        '--host=127.0.0.1',
        '--seed-hosts',
        'a.example.com, b.example.com',
        '--lenient',
        '--dev',
        '--retention',
        '2h',
        '--no-fsync',
      ],
      { RELAY_PORT: '9', RELAY_DB_URL: 'postgres://u@h/db', RELAY_ADMIN_PASSWORD: 'pw', RELAY_STRICT: 'true' },
    )
    expect(input).toMatchObject({
      port: 0,
      bindHost: '127.0.0.1',
      seedHosts: ['a.example.com', 'b.example.com'],
      strict: false,
      devMode: true,
      retentionMs: 2 * 3600_000,
      fsync: false,
      dbUrl: 'postgres://u@h/db',
      adminPassword: 'pw',
    })
    expect(resolveRelayConfig(input).dbUrl).toBe('postgres://u@h/db')
    expect(readRelayConfig(['--strict'], { RELAY_STRICT: 'false' }).strict).toBe(true)
  })

  it('rejects bad values with ConfigError', () => {
    expect(() => readRelayConfig(['--port', 'x'])).toThrow(ConfigError)
    expect(() => readRelayConfig(['--nope'])).toThrow(ConfigError)
    expect(() => readRelayConfig(['--retention', 'soon'])).toThrow(ConfigError)
    expect(() => resolveRelayConfig({ dbUrl: 'mysql://x' })).toThrow(ConfigError)
    expect(() => resolveRelayConfig({ port: 70000 })).toThrow(ConfigError)
    expect(parseDuration('90s')).toBe(90_000)
    expect(parseDuration('1.5d')).toBe(36 * 3600_000)
    expect(relayConfigHelp()).toContain('--lenient')
  })
})
