/** The shared field table: precedence (flags > env > defaults), every flag form, value checks, --help. */
import { describe, expect, it } from 'vitest'
import { ConfigError, type Field, fieldHelp, parseDuration, parseFields } from './fields.ts'

interface Opts {
  port: number
  host: string
  dev: boolean
  strict: boolean
  peers: string[]
  retention: number
  plc: string
  sync: 'NORMAL' | 'FULL'
  secret?: string
}

const FIELDS: readonly Field<Opts>[] = [
  { key: 'port', flag: 'port', env: 'T_PORT', kind: 'int', help: 'port' },
  { key: 'host', flag: 'host', env: 'T_HOST', kind: 'string', help: 'interface' },
  { key: 'dev', flag: 'dev', env: 'T_DEV', kind: 'bool', help: 'dev mode' },
  {
    key: 'strict',
    flag: 'strict',
    env: 'T_STRICT',
    kind: 'bool',
    help: 'drop bad proofs',
    off: { flag: 'lenient', help: 'pass bad proofs' },
  },
  { key: 'peers', flag: 'peers', env: 'T_PEERS', kind: 'list', help: 'peer hosts' },
  { key: 'retention', flag: 'retention', env: 'T_RETENTION', kind: 'duration', help: 'replay window' },
  { key: 'plc', flag: 'plc-url', env: 'T_PLC', kind: 'url', help: 'PLC directory' },
  { key: 'sync', flag: 'sync', env: 'T_SYNC', kind: 'enum', values: ['NORMAL', 'FULL'], help: 'durability' },
  { key: 'secret', flag: 'secret', kind: 'string', help: 'flag only' },
]

const DEFAULTS = { port: 80, host: '127.0.0.1', dev: false, strict: true }

const parse = (argv: string[], env: Record<string, string> = {}) => parseFields(FIELDS, argv, env, DEFAULTS)

describe('parseFields', () => {
  it('flags beat env, env beats defaults, defaults fill the rest', () => {
    expect(parse([], {})).toEqual(DEFAULTS)
    expect(parse([], { T_PORT: '81', T_HOST: '0.0.0.0' })).toMatchObject({ port: 81, host: '0.0.0.0' })
    expect(parse(['--port', '82'], { T_PORT: '81', T_HOST: '0.0.0.0' })).toMatchObject({ port: 82, host: '0.0.0.0' })
    expect(parse(['--no-strict'], { T_STRICT: 'true' }).strict).toBe(false)
    expect(parse(['--strict'], { T_STRICT: 'false' }).strict).toBe(true)
    // An empty variable counts as unset; without defaults only what was given is present.
    expect(parse([], { T_PORT: '' }).port).toBe(80)
    expect(parseFields(FIELDS, ['--dev'], {})).toEqual({ dev: true })
  })

  it('reads every flag form', () => {
    expect(parse(['--port=90', '--host', 'example.com'])).toMatchObject({ port: 90, host: 'example.com' })
    expect(parse(['--dev']).dev).toBe(true)
    expect(parse(['--dev', 'false']).dev).toBe(false)
    expect(parse(['--dev', 'yes', '--port', '1']).dev).toBe(true)
    expect(parse(['--dev=off']).dev).toBe(false)
    expect(parse(['--dev', '--port', '1'])).toMatchObject({ dev: true, port: 1 })
    expect(parse(['--lenient']).strict).toBe(false)
    expect(parse(['--secret', 's3cret']).secret).toBe('s3cret')
  })

  it('parses lists, durations, URLs and enums', () => {
    const got = parse(['--retention', '1.5h', '--sync', 'full', '--plc-url', 'https://plc.example'], {
      T_PEERS: ' a.example, ,b.example ',
    })
    expect(got).toMatchObject({
      peers: ['a.example', 'b.example'],
      retention: 90 * 60_000,
      sync: 'FULL',
      plc: 'https://plc.example',
    })
    expect(parse(['--retention', '250']).retention).toBe(250)
    expect(parseDuration('2d')).toBe(48 * 3_600_000)
    expect(() => parseDuration('soon')).toThrow(ConfigError)
  })

  it('names the flag (or variable and flag) in errors for bad values', () => {
    const error = (argv: string[], env: Record<string, string> = {}) => {
      try {
        parse(argv, env)
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError)
        return (err as Error).message
      }
      throw new Error(`no error for ${argv.join(' ')}`)
    }
    expect(error(['--port', 'eighty'])).toBe('--port must be a whole number: eighty')
    expect(error([], { T_PORT: '-1' })).toBe('T_PORT (--port) must be a whole number: -1')
    expect(error(['--port', '1e3'])).toMatch(/^--port must be a whole number/)
    expect(error(['--dev=maybe'])).toBe('--dev must be true or false: maybe')
    expect(error(['--retention', 'soon'])).toMatch(/^--retention must be a duration/)
    expect(error(['--plc-url', 'not a url'])).toBe('--plc-url must be a URL: not a url')
    expect(error(['--sync', 'OFF'])).toBe('--sync must be one of NORMAL, FULL: OFF')
    expect(error(['--nope'])).toBe('unknown option: --nope')
    expect(error(['--no-port'])).toBe('unknown option: --no-port')
    expect(error(['--no-dev=1'])).toBe('--no-dev takes no value')
    expect(error(['--port'])).toBe('--port needs a value')
    expect(error(['--host='])).toBe('--host needs a value')
    expect(error(['stray'])).toBe('unexpected argument: stray')
    expect(error(['--dev', 'stray'])).toBe('unexpected argument: stray')
  })
})

describe('fieldHelp', () => {
  it('lists every flag with its variable, the off flag, and defaults', () => {
    const help = fieldHelp(FIELDS, DEFAULTS)
    const lines = help.split('\n')
    expect(lines).toHaveLength(FIELDS.length + 1)
    for (const f of FIELDS) {
      const line = lines.find((l) => l.trimStart().startsWith(`--${f.flag} `))
      expect(line, f.flag).toBeDefined()
      expect(line).toContain(f.help)
      if (f.env) expect(line).toContain(f.env)
    }
    expect(help).toMatch(/--lenient +pass bad proofs/)
    expect(help).toMatch(/--port +T_PORT +port \(default 80\)/)
    // Columns line up: every help text starts at the same offset.
    const offsets = FIELDS.map((f, i) => lines[i < 4 ? i : i + 1].lastIndexOf(f.help))
    expect(new Set(offsets).size).toBe(1)
  })
})
