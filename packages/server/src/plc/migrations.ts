/**
 * PLC directory schema, portable across SQLite and PostgreSQL: one row per operation (JSON text as
 * submitted, CID, nullified flag as 0/1, server timestamp as ISO text so ordering is lexicographic
 * on both databases, with byte-order collation on PostgreSQL), plus one row per DID used as the PostgreSQL row lock that serializes writers.
 */
import { sql } from 'kysely'
import type { Dialect, Migration } from '../db/index.ts'

export function plcMigrations(dialect: Dialect): Record<string, Migration> {
  return {
    '001-plc-operations': {
      async up(db) {
        await db.schema
          .createTable('plc_operation')
          .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('did', 'varchar(64)', (c) => c.notNull())
          .addColumn('cid', 'varchar(128)', (c) => c.notNull())
          .addColumn('operation', 'text', (c) => c.notNull())
          .addColumn('nullified', 'integer', (c) => c.notNull().defaultTo(0))
          // Byte-order collation: ISO timestamps must sort as plain strings whatever the server locale.
          .addColumn('created_at', dialect === 'postgres' ? sql`varchar(32) collate "C"` : 'varchar(32)', (c) =>
            c.notNull(),
          )
          .execute()
        await db.schema
          .createIndex('plc_operation_did_cid')
          .on('plc_operation')
          .columns(['did', 'cid'])
          .unique()
          .execute()
        await db.schema
          .createIndex('plc_operation_did_created')
          .on('plc_operation')
          .columns(['did', 'created_at'])
          .execute()
        await db.schema
          .createIndex('plc_operation_created')
          .on('plc_operation')
          .columns(['created_at', 'seq'])
          .execute()
        await db.schema
          .createTable('plc_did')
          .addColumn('did', 'varchar(64)', (c) => c.primaryKey())
          .execute()
      },
    },
  }
}
