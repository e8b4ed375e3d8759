/**
 * The PDS schema migrations, applied in name order by `migrate` (server/db) when the PDS opens its
 * database. To add tables: create `NNN-what.ts` next to this file exporting `up(db)`, and append one
 * line below. Names are the identity of a step: never rename or edit a step that has shipped.
 */
import type { Migration } from '../../../db/index.ts'
import * as m001 from './001-accounts.ts'
import * as m002 from './002-repo.ts'
import * as m003 from './003-blobs.ts'
import * as m004 from './004-sequencer.ts'
import * as m005 from './005-lifecycle.ts'
import * as m006 from './006-block-rev.ts'

export const pdsMigrations: Record<string, Migration> = {
  '001-accounts': m001,
  '002-repo': m002,
  '003-blobs': m003,
  '004-sequencer': m004,
  '005-lifecycle': m005,
  '006-block-rev': m006,
}
