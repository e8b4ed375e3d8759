/** Config from env and flags: defaults, precedence, value checks, and that every flag is documented. */
import { describe, expect, it } from 'vitest'
import { ConfigError, FLAGS, configHelp, readConfigSources, resolveConfig } from './config.ts'

describe('config', () => {
  it('defaults follow the official PDS: localhost is dev with .test handles; a hostname means https', () => {
    const local = resolveConfig({})
    expect(local).toMatchObject({
      hostname: 'localhost',
      port: 2583,
      publicUrl: 'http://localhost:2583',
      serviceDid: 'did:web:localhost',
      handleDomains: ['.test'],
      devMode: true,
      bindHost: '127.0.0.1',
      plcUrl: 'https://plc.directory',
      blobUploadLimit: 5 * 1024 * 1024,
      sqliteSynchronous: 'NORMAL',
      rateLimits: true,
    })
    const prod = resolveConfig({ hostname: 'pds.example.com' })
    expect(prod).toMatchObject({
      publicUrl: 'https://pds.example.com',
      serviceDid: 'did:web:pds.example.com',
      handleDomains: ['.pds.example.com'],
      devMode: false,
      bindHost: '0.0.0.0',
    })
  })

  it('reads official env names; flags override env', () => {
    const env = {
      PDS_HOSTNAME: 'pds.example.com',
      PDS_PORT: '3000',
      PDS_CRAWLERS: 'https://bsky.network, https://relay.example.com/',
      PDS_SERVICE_HANDLE_DOMAINS: '.example.com',
      PDS_DEV_MODE: 'false',
      PDS_ADMIN_PASSWORD: 'secret',
    }
    const cfg = resolveConfig(readConfigSources(['--port', '4000', '--admin-password=other', '--no-rate-limits'], env))
    expect(cfg).toMatchObject({
      hostname: 'pds.example.com',
      port: 4000,
      crawlers: ['https://bsky.network', 'https://relay.example.com'],
      handleDomains: ['.example.com'],
      devMode: false,
      adminPassword: 'other',
      rateLimits: false,
    })
  })

  it('refuses bad values and unknown flags', () => {
    const bad: [string[], Record<string, string>][] = [
      [['--port', 'eighty'], {}],
      [['--port', '70000'], {}],
      [['--nope'], {}],
      [['--plc-url'], {}],
      [[], { PDS_DEV_MODE: 'maybe' }],
      [['--handle-domains', 'example.com'], {}],
      [['--hostname', 'pds.example.com', '--plc-url', 'http://plc.example.com'], {}],
      [['--sqlite-sync', 'OFF'], {}],
      [['--jwt-secret', 'short'], {}],
    ]
    for (const [argv, env] of bad) {
      expect(() => resolveConfig(readConfigSources(argv, env)), argv.join(' ')).toThrow(ConfigError)
    }
  })

  it('documents every option in --help', () => {
    const help = configHelp()
    for (const f of FLAGS) {
      expect(help).toContain(`--${f.flag}`)
      expect(help).toContain(f.env)
    }
  })
})
