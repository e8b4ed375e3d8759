/**
 * Command line for the PDS (wired into bin/stratus.ts by the lead):
 *   stratus pds [flags]                       run the PDS until SIGINT/SIGTERM (flags/env: see --help)
 *   stratus account create --handle h --email e [--password p] [--recovery-key did:key:…] [pds flags]
 *   stratus account list [--limit n] [--cursor c] [--json] [pds flags]
 *   stratus account takedown|untakedown|status|delete|reset-password|invite …   (admin/cli.ts)
 * `account` works directly on the data directory (the same database and keys the server uses; SQLite
 * WAL lets it run while the server is up), so it takes the same config flags/env as `stratus pds`.
 * Output goes to stdout; errors to stderr with exit code 1 (2 for usage errors).
 */
import { randomBytes } from 'node:crypto'
import { runService } from '../config/index.ts'
import { createAccount } from './accounts/create.ts'
import { accountStatus, listAccounts } from './accounts/store.ts'
import { createPds } from './app.ts'
import { ConfigError, configHelp, readConfigSources, resolveConfig } from './config.ts'
import { createContext } from './context.ts'
import { ADMIN_COMMANDS, ADMIN_USAGE, UsageError, runAdminCommand } from './admin/cli.ts'

export const PDS_USAGE = `Usage: stratus pds [options]

Runs a Personal Data Server. Every option can also be set by environment variable.

${configHelp()}
`

export const ACCOUNT_USAGE = `Usage:
  stratus account create --handle <handle> --email <email> [--password <pw>] [--recovery-key <did:key>] [pds options]
  stratus account list [--limit <n>] [--cursor <c>] [--json] [pds options]
${ADMIN_USAGE}

Operates on the PDS data directory (--data-dir / PDS_DATA_DIRECTORY). Without --password a random
password is generated and printed. See \`stratus pds --help\` for the pds options.
`

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`)

export async function pdsCommand(argv: string[], env: Record<string, string | undefined> = process.env): Promise<void> {
  await runService(argv, {
    name: 'pds',
    usage: PDS_USAGE,
    parse: (args) => resolveConfig(readConfigSources(args, env)),
    start: async (cfg) => {
      const pds = await createPds(cfg)
      await pds.start()
      return pds
    },
  })
}

export async function accountCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<void> {
  const [sub, ...afterSub] = argv
  if (!sub || sub === '--help' || sub === '-h' || afterSub.includes('--help')) return void out(ACCOUNT_USAGE)
  const admin = ADMIN_COMMANDS[sub]
  // Admin commands take positional arguments (the account, a status) before their flags.
  const split = afterSub.findIndex((a) => a.startsWith('--'))
  const positional = admin?.target ? (split < 0 ? afterSub : afterSub.slice(0, split)) : []
  const rest = afterSub.slice(positional.length)
  const known =
    sub === 'create'
      ? ['handle', 'email', 'password', 'recovery-key']
      : sub === 'list'
        ? ['limit', 'cursor', 'json']
        : (admin?.flags ?? null)
  if (!known) return usageError(`unknown account command: ${sub}`)
  let own: Record<string, string>
  let configArgs: string[]
  try {
    ;[own, configArgs] = splitFlags(rest, known, ['json', ...(admin?.booleans ?? [])])
  } catch (err) {
    return usageError((err as Error).message)
  }
  const cfg = parseConfig(configArgs, env, { logLevel: 'warn' })
  if (!cfg) return
  const ctx = await createContext(cfg)
  try {
    if (sub === 'create') await create(ctx, own)
    else if (sub === 'list') list(ctx, own)
    else await runAdminCommand(ctx, sub, positional, own)
    // Mail queued by the command (none today) goes out before the process exits.
    await ctx.mailer?.deliver()
  } catch (err) {
    if (err instanceof UsageError) usageError(err.message)
    else {
      process.stderr.write(`error: ${(err as Error).message}\n`)
      process.exitCode = 1
    }
  } finally {
    await ctx.close()
  }
}

async function create(ctx: Awaited<ReturnType<typeof createContext>>, own: Record<string, string>): Promise<void> {
  const generated = own.password === undefined
  const password = own.password ?? randomBytes(18).toString('base64url')
  const res = await createAccount(ctx, {
    handle: own.handle,
    email: own.email,
    password,
    recoveryKey: own['recovery-key'],
  })
  out(`created ${res.handle} ${res.did}`)
  if (generated) out(`password: ${password}`)
}

function list(ctx: Awaited<ReturnType<typeof createContext>>, own: Record<string, string>): void {
  const { accounts, cursor } = listAccounts(ctx.db, { limit: own.limit ? Number(own.limit) : 100, cursor: own.cursor })
  const rows = accounts.map((a) => ({
    did: a.did,
    handle: a.handle,
    email: a.email,
    createdAt: a.created_at,
    status: accountStatus(a).status ?? 'active',
  }))
  if (own.json !== undefined) return void out(JSON.stringify({ accounts: rows, cursor }))
  for (const r of rows) out(`${r.did}  ${r.handle ?? '-'}  ${r.email ?? '-'}  ${r.status}  ${r.createdAt}`)
  if (cursor) out(`(more: --cursor ${cursor})`)
}

/** Takes this command's own `--name value` flags out of argv; the rest are pds config flags. */
function splitFlags(argv: string[], names: string[], booleans: string[]): [Record<string, string>, string[]] {
  const own: Record<string, string> = {}
  const restArgs: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const eq = arg.indexOf('=')
    const name = arg.startsWith('--') ? arg.slice(2, eq < 0 ? undefined : eq) : ''
    if (!names.includes(name)) {
      restArgs.push(arg)
      continue
    }
    if (booleans.includes(name)) own[name] = 'true'
    else {
      const value = eq < 0 ? argv[++i] : arg.slice(eq + 1)
      if (value === undefined) throw new ConfigError(`--${name} needs a value`)
      own[name] = value
    }
  }
  return [own, restArgs]
}

function parseConfig(argv: string[], env: Record<string, string | undefined>, defaults: { logLevel?: string } = {}) {
  try {
    return resolveConfig({ ...defaults, ...readConfigSources(argv, env) })
  } catch (err) {
    if (err instanceof ConfigError) return void usageError(err.message)
    throw err
  }
}

function usageError(message: string): void {
  process.stderr.write(`${message}\n`)
  process.exitCode = 2
}
