import { randomBytes } from 'node:crypto'
import { Migrator, sql } from 'kysely'
import type { Kysely, Migration, MigrationProvider, SqlBool } from 'kysely'
import type { Database, DialectName } from './database.ts'
import { RESOURCES, columnFields } from '../resources/index.ts'
import { columnType } from './columns.ts'
import { createListSchema, createLookupIndexes, createSortIndexes } from './list-schema.ts'
import { orderSearchKeysByCreation } from './search-order.ts'
import { createArrayEntries } from './array-entries.ts'

// Numbered migrations, applied in order at start-up and by `posture migrate`. The first one
// derives the record tables from the resource declarations as they stood when it was written;
// a later change to a declaration needs a migration of its own (test/schema.test.ts fails until
// the tables match the declarations again).

type Step = (db: Kysely<any>, dialect: DialectName) => Promise<void>

const MIGRATIONS: Record<string, Step> = {
  '001_records': async (db, dialect) => {
    for (const resource of RESOURCES) {
      let table = db.schema.createTable(resource.table)
      for (const field of columnFields(resource)) {
        const type = sql.raw(columnType(field, dialect))
        table = table.addColumn(field.name, type, (col) => {
          if (field.name === 'id') return col.primaryKey()
          if (['tenant_id', 'created_at', 'updated_at', 'is_deleted', 'schema_version'].includes(field.name)) return col.notNull()
          return col
        })
      }
      // Bumped by every write that changes the record: the ETag (SPEC §6).
      table = table.addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
      await table.execute()
      // The default list order (newest first, ties by id) within a tenant.
      await db.schema.createIndex(`${resource.table}_tenant_created`).on(resource.table)
        .columns(['tenant_id', 'created_at desc', 'id desc']).execute()
      if (resource.unique) {
        const live = dialect === 'postgres' ? sql<SqlBool>`is_deleted = false` : sql<SqlBool>`is_deleted = 0`
        await db.schema.createIndex(`${resource.table}_unique_live`).on(resource.table).unique()
          .columns(['tenant_id', ...resource.unique]).where(live).execute()
      }
    }
    // Two-sided relations, each stored once (ENGINEERING: link tables). A symmetric mapping is one
    // row with control_a < control_b.
    await db.schema.createTable('control_mappings')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('control_a', 'text', (c) => c.notNull())
      .addColumn('control_b', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('control_mappings_pk', ['control_a', 'control_b'])
      .execute()
    await db.schema.createIndex('control_mappings_b').on('control_mappings').columns(['control_b']).execute()
    await db.schema.createTable('risk_control_links')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('risk_id', 'text', (c) => c.notNull())
      .addColumn('control_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('risk_control_links_pk', ['risk_id', 'control_id'])
      .execute()
    await db.schema.createIndex('risk_control_links_control').on('risk_control_links').columns(['control_id']).execute()

    await db.schema.createTable('record_history')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('record_id', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('app_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('changes', sql.raw(dialect === 'postgres' ? 'jsonb' : 'text'), (c) => c.notNull())
      .execute()
    await db.schema.createIndex('record_history_record').on('record_history').columns(['record_id', 'id desc']).execute()

    // Server-held secrets (the cursor signing key), shared by every instance on this database.
    await db.schema.createTable('server_secrets')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute()
    await db.insertInto('server_secrets').values({ name: 'cursor_key', value: randomBytes(32).toString('base64url') }).execute()
  },
  // Full-text search, the kept versions behind the cursor walk guarantee, list indexes
  // (store/list-schema.ts, docs/LISTS.md).
  '002_list_indexes_and_search': async (db, dialect) => {
    await createListSchema(db, dialect, RESOURCES)
  },
  // SPEC §6 Idempotency-Key: one row per (tenant, caller, key), reserved 'in_flight' before the
  // write and completed with the response inside the write's own transaction
  // (store/idempotency-store.ts).
  '003_idempotency_keys': async (db) => {
    await db.schema.createTable('idempotency_keys')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('caller', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('lock_token', 'text', (c) => c.notNull())
      .addColumn('locked_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('status', 'integer')
      .addColumn('headers', 'text')
      .addColumn('body', 'text')
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['tenant_id', 'caller', 'key'])
      .execute()
    await db.schema.createIndex('idempotency_keys_expires').on('idempotency_keys').columns(['expires_at']).execute()
  },
  // SQLite: search rowids in creation order, so a search in the default order stops after a page
  // (store/search-order.ts). PostgreSQL's GIN index has no order to give; nothing to do there.
  '004_search_in_creation_order': async (db, dialect) => {
    if (dialect === 'sqlite') await orderSearchKeysByCreation(db, RESOURCES)
  },
  // SQLite: an index of array entries for `tags[contains]=…` and the other array filters
  // (store/array-entries.ts); PostgreSQL has GIN indexes on those columns since 002.
  '005_array_entries': async (db, dialect) => {
    if (dialect === 'sqlite') await createArrayEntries(db, RESOURCES)
  },
  // Worst-first sorts served by an index (store/list-schema.ts#createSortIndexes).
  '006_sort_indexes': async (db, dialect) => {
    await createSortIndexes(db, dialect, RESOURCES)
  },
  // Equality lookups under the default order (store/list-schema.ts#createLookupIndexes).
  '007_lookup_indexes': async (db) => {
    await createLookupIndexes(db, RESOURCES)
  }
}

export function migrationNames (): string[] {
  return Object.keys(MIGRATIONS).sort()
}

export async function migrate (database: Database): Promise<string[]> {
  const provider: MigrationProvider = {
    async getMigrations () {
      const out: Record<string, Migration> = {}
      for (const name of migrationNames()) {
        const step = MIGRATIONS[name]!
        out[name] = { up: (db) => step(db, database.dialect) }
      }
      return out
    }
  }
  // 002 and 003 were written side by side: a database that already has 003 still gets 002.
  const migrator = new Migrator({ db: database.kysely, provider, allowUnorderedMigrations: true })
  const { error, results } = await migrator.migrateToLatest()
  if (error) throw error
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
