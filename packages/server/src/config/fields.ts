/**
 * One table of settings → command-line flags, environment variables, `--help` text and parsed values.
 * Each service lists its fields (key, flag, env, kind, help) once; parseFields reads defaults, then the
 * environment (an empty variable counts as unset), then the flags, so flags win. Flag forms: `--name value`,
 * `--name=value`; booleans also bare `--name` (optionally followed by true/false), `--no-name`, and an
 * optional `off` flag meaning false (the relay's `--lenient`). Only shapes are checked here; each service
 * checks what depends on several values (URL schemes in dev mode, port ranges, database URLs).
 */

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export type Env = Record<string, string | undefined>

/** The field kinds a value of type V may be read as (a number from `--port 80` or `--retention 72h`). */
type TypesFor<V> = [V] extends [boolean]
  ? 'bool'
  : [V] extends [number]
    ? 'int' | 'duration'
    : [V] extends [readonly string[]]
      ? 'list'
      : [V] extends [string]
        ? 'string' | 'url' | 'enum'
        : never

interface FieldOf<T, K extends keyof T> {
  /** Property of the parsed object. */
  key: K
  /** Flag name without the leading `--`. */
  flag: string
  /** Environment variable; none for flag-only settings. */
  env?: string
  kind: TypesFor<NonNullable<T[K]>>
  help: string
  /** kind 'enum': the allowed values (matched case-insensitively, returned as written here). */
  values?: readonly string[]
  /** kind 'bool': a second bare flag that sets the value to false, with its help line. */
  off?: { flag: string; help: string }
}

/** A setting of T: its key, and a kind that matches the key's value type. */
export type Field<T> = { [K in keyof T]-?: FieldOf<T, K> }[keyof T]

const TRUE = ['1', 'true', 'yes', 'on', '']
const FALSE = ['0', 'false', 'no', 'off']

/**
 * `defaults`, overridden by the environment, overridden by `argv`. Throws ConfigError naming the flag or
 * variable for unknown options, missing values and values of the wrong shape.
 */
export function parseFields<T, D extends Partial<NoInfer<T>> = Partial<T>>(
  fields: readonly Field<T>[],
  argv: readonly string[],
  env: Env,
  defaults?: D,
): Partial<T> & D {
  const out: Record<string, unknown> = { ...defaults }
  for (const f of fields) {
    const raw = f.env === undefined ? undefined : env[f.env]
    if (raw !== undefined && raw !== '') out[f.key as string] = parseValue(f, raw, `${f.env} (--${f.flag})`)
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument: ${arg}`)
    const eq = arg.indexOf('=')
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq)
    const inline = eq < 0 ? undefined : arg.slice(eq + 1)
    const field = fields.find((f) => f.flag === name)
    const negated = field
      ? undefined
      : fields.find((f) => f.kind === 'bool' && (`no-${f.flag}` === name || f.off?.flag === name))
    if (negated) {
      if (inline !== undefined) throw new ConfigError(`--${name} takes no value`)
      out[negated.key as string] = false
      continue
    }
    if (!field) throw new ConfigError(`unknown option: --${name}`)
    let value = inline
    if (field.kind === 'bool') {
      // A bare boolean flag means true, unless the next argument is itself true/false/yes/no/…
      const next = argv[i + 1]?.toLowerCase()
      if (value === undefined && next !== undefined && next !== '' && (TRUE.includes(next) || FALSE.includes(next))) {
        value = argv[++i]
      }
      if (value === undefined || value === '') value = 'true'
    }
    value ??= argv[++i]
    if (value === undefined || value === '') throw new ConfigError(`--${name} needs a value`)
    out[field.key as string] = parseValue(field, value, `--${name}`)
  }
  return out as Partial<T> & D
}

/** Takes `--help` / `-h` out of argv: the other arguments, and whether help was asked for. */
export function takeHelp(argv: readonly string[]): [string[], boolean] {
  const rest = argv.filter((a) => a !== '--help' && a !== '-h')
  return [rest, rest.length < argv.length]
}

/** `--help` lines: flag, environment variable, meaning and (from `defaults`) the default, in columns. */
export function fieldHelp<T>(fields: readonly Field<T>[], defaults: Partial<T> = {}): string {
  const rows: [string, string, string][] = []
  for (const f of fields) {
    const value = defaults[f.key as keyof T]
    const shown = Array.isArray(value) ? value.join(',') : value
    rows.push([`--${f.flag}`, f.env ?? '', `${f.help}${shown === undefined ? '' : ` (default ${shown})`}`])
    if (f.off) rows.push([`--${f.off.flag}`, '', f.off.help])
  }
  const flagWidth = Math.max(...rows.map((r) => r[0].length))
  const envWidth = Math.max(...rows.map((r) => r[1].length))
  return rows
    .map(([flag, env, help]) => `  ${flag.padEnd(flagWidth)}  ${envWidth ? `${env.padEnd(envWidth)}  ` : ''}${help}`)
    .join('\n')
}

/** Durations like `72h`, `30m`, `45s`, `2d`, `1.5d`, or plain milliseconds. */
export function parseDuration(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(raw.trim())
  if (!m) throw new ConfigError(`not a duration: ${raw}`)
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms']
  return Math.round(Number(m[1]) * unit)
}

function parseValue<T>(f: Field<T>, raw: string, source: string): unknown {
  const bad = (what: string) => new ConfigError(`${source} must be ${what}: ${raw}`)
  const v = raw.trim()
  switch (f.kind) {
    case 'int':
      if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw bad('a whole number')
      return Number(v)
    case 'bool':
      if (TRUE.includes(v.toLowerCase())) return true
      if (FALSE.includes(v.toLowerCase())) return false
      throw bad('true or false')
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
    case 'duration':
      try {
        return parseDuration(v)
      } catch {
        throw bad('a duration (72h, 30m, 45s, 2d or milliseconds)')
      }
    case 'url':
      if (!URL.canParse(v)) throw bad('a URL')
      return raw
    case 'enum': {
      const match = f.values?.find((x) => x.toLowerCase() === v.toLowerCase())
      if (match === undefined) throw bad(`one of ${f.values?.join(', ')}`)
      return match
    }
    default:
      return raw
  }
}
