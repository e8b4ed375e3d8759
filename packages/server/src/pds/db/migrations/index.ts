/**
 * The PDS schema migrations, applied in name order by `migrate` (server/db) when the PDS opens its
 * database. To add tables: create `NNN-what.ts` next to this file exporting `up(db)`, and append one
 * line below. Names are the identity of a step: never rename or edit a step that has shipped.
 */
import type { Migration } from '../../../db/index.ts'
import * as m001 from './001-accounts.ts'

export const pdsMigrations: Record<string, Migration> = {
  '001-accounts': m001,
}
