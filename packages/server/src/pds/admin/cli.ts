/**
 * Operator commands on the data directory (dispatched from pds/cli.ts; the same pds config flags/env):
 *   stratus account takedown <handle|did> [--ref <reason>]     hide repo, records, blobs; #account takendown
 *   stratus account untakedown <handle|did>
 *   stratus account status <handle|did> [active|suspended|desynchronized|throttled]   show or set
 *   stratus account delete <handle|did> --yes                  delete for good (firehose: #account deleted)
 *   stratus account reset-password <handle|did> [--password <pw>]   prints a generated one; ends sessions
 *   stratus account invite [--uses <n>] [--count <n>] [--for <did>]  prints new invite codes
 * Events written here reach a running server's firehose through its fallback poll (about a second).
 */
import { randomBytes } from 'node:crypto'
import { deleteAccount } from '../accounts/delete.ts'
import { createInviteCodes } from '../accounts/invites.ts'
import { setAccountTakedown, setOperatorStatus } from '../accounts/lifecycle.ts'
import { setPassword } from '../accounts/passwords.ts'
import { OPERATOR_STATUSES, type OperatorStatus, accountStatus, getAccount } from '../accounts/store.ts'
import type { PdsContext } from '../context.ts'

export const ADMIN_COMMANDS: Record<string, { flags: string[]; booleans?: string[]; target: boolean }> = {
  takedown: { flags: ['ref'], target: true },
  untakedown: { flags: [], target: true },
  status: { flags: [], target: true },
  delete: { flags: ['yes'], booleans: ['yes'], target: true },
  'reset-password': { flags: ['password'], target: true },
  invite: { flags: ['uses', 'count', 'for'], target: false },
}

export const ADMIN_USAGE = `  stratus account takedown <handle|did> [--ref <reason>] [pds options]
  stratus account untakedown <handle|did> [pds options]
  stratus account status <handle|did> [active|suspended|desynchronized|throttled] [pds options]
  stratus account delete <handle|did> --yes [pds options]
  stratus account reset-password <handle|did> [--password <pw>] [pds options]
  stratus account invite [--uses <n>] [--count <n>] [--for <did>] [pds options]`

export class UsageError extends Error {
  override name = 'UsageError'
}

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`)

/** Runs one admin command; `args` are its positional arguments, `own` its flags. */
export async function runAdminCommand(
  ctx: PdsContext,
  sub: string,
  args: string[],
  own: Record<string, string>,
): Promise<void> {
  if (sub === 'invite') return invite(ctx, own)
  const id = args[0]
  if (!id) throw new UsageError(`account ${sub} needs a handle or DID`)
  const account = getAccount(ctx.db, id.toLowerCase().startsWith('did:') ? id : id.toLowerCase())
  if (!account) throw new Error(`no account ${id}`)
  const did = account.did
  switch (sub) {
    case 'takedown':
      setAccountTakedown(ctx, did, own.ref ?? `cli:${new Date().toISOString()}`)
      return void out(`taken down ${did}`)
    case 'untakedown':
      setAccountTakedown(ctx, did, null)
      return void out(`restored ${did} (${accountStatus(getAccount(ctx.db, did)).status ?? 'active'})`)
    case 'status':
      return status(ctx, did, args[1])
    case 'delete':
      if (own.yes === undefined) throw new UsageError('account delete needs --yes: it cannot be undone')
      deleteAccount(ctx, did)
      return void out(`deleted ${did}`)
    case 'reset-password': {
      const password = own.password ?? randomBytes(18).toString('base64url')
      await setPassword(ctx.db, did, password)
      out(`password of ${account.handle ?? did} reset; every session ended`)
      if (own.password === undefined) out(`password: ${password}`)
      return
    }
    default:
      throw new UsageError(`unknown account command: ${sub}`)
  }
}

function status(ctx: PdsContext, did: string, value: string | undefined): void {
  if (value !== undefined) {
    if (value !== 'active' && !OPERATOR_STATUSES.includes(value as OperatorStatus)) {
      throw new UsageError(`status must be active or one of: ${OPERATOR_STATUSES.join(', ')}`)
    }
    setOperatorStatus(ctx, did, value === 'active' ? null : (value as OperatorStatus))
  }
  const { active, status } = accountStatus(getAccount(ctx.db, did))
  out(`${did} ${active ? 'active' : status}`)
}

function invite(ctx: PdsContext, own: Record<string, string>): void {
  const num = (name: string, dflt: number) => {
    const v = own[name] === undefined ? dflt : Number(own[name])
    if (!Number.isInteger(v) || v < 1 || v > 1000)
      throw new UsageError(`--${name} must be a whole number from 1 to 1000`)
    return v
  }
  const created = createInviteCodes(ctx.db, {
    hostname: ctx.cfg.hostname,
    count: num('count', 1),
    useCount: num('uses', 1),
    forAccounts: own.for ? [own.for] : undefined,
  })
  for (const { codes } of created) for (const code of codes) out(code)
}
