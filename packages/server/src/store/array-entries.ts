import { sql } from 'kysely'
import type { Kysely, RawBuilder, SqlBool } from 'kysely'
import type { ResourceDecl } from '../resources/resource.ts'
import type { FieldDecl } from '../resources/fields.ts'
import { columnFields } from '../resources/index.ts'
import { quoteIdent } from './sort-keys.ts'

// SQLite's index of array entries (docs/LISTS.md "Indexes"). PostgreSQL indexes each array
// column with GIN (jsonb_path_ops) and answers `tags[contains]=x` with `@>`; SQLite has no index
// over the entries of a JSON array, so `[contains]` read every record of the tenant through
// json_each. `{table}_array_entries` holds one row per (field, entry, record), kept in step by
// triggers for every writer, so `[contains]` is an index lookup of the records that hold the entry.

/** The array columns `[contains]` filters on (relations live in link tables and have their own). */
export function indexedArrayFields (resource: ResourceDecl): FieldDecl[] {
  return columnFields(resource).filter((f) => f.filterable && (f.kind === 'id-array' || f.kind === 'string-array'))
}

/** Migration 005 (SQLite): the entries table, its triggers, and the entries of existing records. */
export async function createArrayEntries (db: Kysely<any>, resources: readonly ResourceDecl[]): Promise<void> {
  const run = async (text: string) => { await sql.raw(text).execute(db) }
  for (const resource of resources) {
    const fields = indexedArrayFields(resource)
    if (fields.length === 0) continue
    const t = resource.table
    const entries = `${t}_array_entries`
    await run(`create table ${entries} (field text not null, value text not null, record_id text not null,
      primary key (field, value, record_id)) without rowid`)
    await run(`create index ${entries}_record on ${entries} (record_id)`)
    // Inserts the entries of array `field` of `row`: a trigger's `new`, or every row of the table.
    const insertEntries = (field: FieldDecl, row: 'new' | 'r') => `insert or ignore into ${entries} (field, value, record_id)
      select '${field.name}', e.value, ${row}.id from ${row === 'r' ? `${t} r, ` : ''}json_each(${row}.${quoteIdent(field.name)}) e
      where e.type = 'text';`
    for (const field of fields) await run(insertEntries(field, 'r'))
    await run(`create trigger ${entries}_insert after insert on ${t} begin
      ${fields.map((f) => insertEntries(f, 'new')).join('\n')}
      end`)
    for (const field of fields) {
      const col = quoteIdent(field.name)
      await run(`create trigger ${entries}_${field.name} after update of ${col} on ${t} when old.${col} is not new.${col} begin
        delete from ${entries} where field = '${field.name}' and record_id = old.id;
        ${insertEntries(field, 'new')}
        end`)
    }
    await run(`create trigger ${entries}_delete after delete on ${t} begin
      delete from ${entries} where record_id = old.id;
      end`)
  }
}

/** SQLite: the record `r` (a current row) holds `value` in the array `field`. */
export function holdsEntry (resource: ResourceDecl, field: FieldDecl, value: unknown): RawBuilder<SqlBool> {
  const entries = sql.raw(`${resource.table}_array_entries`)
  return sql<SqlBool>`r.id in (select e.record_id from ${entries} e where e.field = ${field.name} and e.value = ${value})`
}
