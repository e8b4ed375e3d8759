/**
 * app.bsky preferences, kept on the PDS (app.bsky.actor.getPreferences / putPreferences are never
 * proxied to the default AppView): one row per preference in the order the client sent them; a put
 * replaces every preference of the namespace at once. As in the official PDS, `personalDetailsPref`
 * (birth date) needs a full-access session to read or write, and `declaredAgePref` is derived from it on
 * read (never stored). Values are stored as JSON text in the data-model JSON form.
 */
import { type LexValue, lexParse, lexStringify } from '@stratus/core/data'
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { PdsDatabase } from '../db/index.ts'
import type { AccountPrefRow } from '../db/schema.ts'

export const PREF_NAMESPACE = 'app.bsky'
const PERSONAL_DETAILS = 'app.bsky.actor.defs#personalDetailsPref'
const DECLARED_AGE = 'app.bsky.actor.defs#declaredAgePref'
/** Enough for every real client; stops one account from storing megabytes of "preferences". */
const MAX_PREFS = 1000

type Pref = Record<string, unknown> & { $type: string }

function inNamespace(type: string): boolean {
  return type === PREF_NAMESPACE || type.startsWith(`${PREF_NAMESPACE}.`)
}

function allowed(type: string, fullAccess: boolean): boolean {
  return fullAccess || type !== PERSONAL_DETAILS
}

export function getPreferences(db: PdsDatabase, did: string, opts: { fullAccess: boolean }): Pref[] {
  const rows = db.stmt('SELECT * FROM account_pref WHERE did = ? ORDER BY position').all(did) as AccountPrefRow[]
  const prefs = rows.filter((r) => inNamespace(r.name)).map((r) => lexParse(r.value_json) as Pref)
  const details = prefs.find((p) => p.$type === PERSONAL_DETAILS)
  if (typeof details?.birthDate === 'string') {
    const age = ageOn(details.birthDate, new Date())
    if (age !== undefined) {
      prefs.push({ $type: DECLARED_AGE, isOverAge13: age >= 13, isOverAge16: age >= 16, isOverAge18: age >= 18 })
    }
  }
  return prefs.filter((p) => allowed(p.$type, opts.fullAccess))
}

export function putPreferences(db: PdsDatabase, did: string, values: unknown[], opts: { fullAccess: boolean }): void {
  if (values.length > MAX_PREFS) throw new InvalidRequestError(`Too many preferences (max ${MAX_PREFS})`)
  const prefs: Pref[] = []
  for (const v of values) {
    const type = (v as { $type?: unknown } | null)?.$type
    if (typeof type !== 'string') throw new InvalidRequestError('Preference is missing a $type')
    if (!inNamespace(type)) throw new InvalidRequestError(`Some preferences are not in the ${PREF_NAMESPACE} namespace`)
    if (!allowed(type, opts.fullAccess)) throw new InvalidRequestError('Do not have authorization to set preferences.')
    if (type !== DECLARED_AGE) prefs.push(v as Pref)
  }
  db.transact(() => {
    const kept = (
      db.stmt('SELECT * FROM account_pref WHERE did = ? ORDER BY position').all(did) as AccountPrefRow[]
    ).filter((r) => !inNamespace(r.name) || !allowed(r.name, opts.fullAccess))
    db.stmt('DELETE FROM account_pref WHERE did = ?').run(did)
    const insert = db.stmt('INSERT INTO account_pref (did, position, name, value_json) VALUES (?, ?, ?, ?)')
    let position = 0
    for (const r of kept) insert.run(did, position++, r.name, r.value_json)
    for (const p of prefs) insert.run(did, position++, p.$type, lexStringify(p as LexValue))
  })
}

/** Whole years between `birthDate` (ISO date or datetime) and `today`; undefined when unparsable. */
function ageOn(birthDate: string, today: Date): number | undefined {
  const b = new Date(birthDate)
  if (Number.isNaN(b.getTime())) return undefined
  let age = today.getUTCFullYear() - b.getUTCFullYear()
  const m = today.getUTCMonth() - b.getUTCMonth()
  if (m < 0 || (m === 0 && today.getUTCDate() < b.getUTCDate())) age--
  return age
}
