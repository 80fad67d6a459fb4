import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { ResourceDecl } from '../resources/resource.ts'
import { sqliteSearchDocument } from './list-schema.ts'

// SQLite's full-text rowids in creation order (docs/LISTS.md "Search in creation order").
//
// FTS5 returns a word's matches in rowid order and can stop after a LIMIT, but it knows nothing
// of the records' sort fields. Each record's search rowid (`{table}_search_keys.seq`, the rowid
// of its FTS5 row) is therefore made from its creation time: `created_at` in epoch milliseconds,
// shifted left by SLOT_BITS, plus a counter within that millisecond. `created_at` never changes,
// so rowid order is creation order up to ties within one millisecond, and a search in the
// default order (`-created_at`, or `created_at`) reads a word's newest (oldest) matches first
// and stops after a page, however many records match. Ties are resolved exactly by the page
// query (store/record-list.ts), which takes every match of the page's last millisecond.

/** Rowids per millisecond (2^20): created_at up to the year 2248 fits a signed 64-bit rowid. */
export const SLOT_BITS = 20
const SLOT_SIZE = 1n << BigInt(SLOT_BITS)

/** The first rowid of `createdAt`'s millisecond, as the SQL below computes it. */
export function slotStart (createdAt: string): bigint {
  return BigInt(Date.parse(createdAt)) << BigInt(SLOT_BITS)
}

/** The last rowid of `createdAt`'s millisecond. */
export function slotEnd (createdAt: string): bigint {
  return slotStart(createdAt) + SLOT_SIZE - 1n
}

/** SQL: an RFC 3339 text's epoch milliseconds (julianday is kept in whole ms; round undoes the float). */
function epochMs (expression: string): string {
  return `cast(round((julianday(${expression}) - 2440587.5) * 86400000.0) as integer)`
}

/**
 * Migration 004 (SQLite): renumber every record's search rowid from its creation time — ties in
 * one millisecond numbered in id order — rebuild the FTS5 index on the new rowids, and make new
 * records take the next free rowid of their millisecond. (Migration 002 numbered them in
 * insertion order.) Rebuilding the index costs about a minute per million records.
 */
export async function orderSearchKeysByCreation (db: Kysely<any>, resources: readonly ResourceDecl[]): Promise<void> {
  const run = async (text: string) => { await sql.raw(text).execute(db) }
  for (const resource of resources) {
    const t = resource.table
    const keys = `${t}_search_keys`
    await run(`drop trigger ${t}_search_insert`)
    await run(`drop table ${t}_fts`)
    await run(`drop table ${keys}`)
    await run(`create table ${keys} (seq integer primary key, record_id text not null unique)`)
    await run(`insert into ${keys} (seq, record_id)
      select (ms << ${SLOT_BITS}) + row_number() over (partition by ms order by id) - 1, id from (select ${epochMs('created_at')} as ms, id from ${t})`)
    await run(`create virtual table ${t}_fts using fts5(doc, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0')`)
    await run(`insert into ${t}_fts (rowid, doc) select k.seq, ${sqliteSearchDocument(resource, 'r.')} from ${t} r join ${keys} k on k.record_id = r.id`)
    // The next free rowid of the new record's millisecond; a millisecond's 2^20 rowids all taken
    // (a million records created in one ms) fails the insert rather than break the order.
    const first = `(${epochMs('new.created_at')} << ${SLOT_BITS})`
    await run(`create trigger ${t}_search_insert after insert on ${t} begin
      insert into ${keys} (seq, record_id) select case
          when max(seq) >= ${first} + ${Number(SLOT_SIZE) - 1} then raise(abort, 'more than 2^${SLOT_BITS} records created in one millisecond')
          else coalesce(max(seq) + 1, ${first}) end, new.id
        from ${keys} where seq between ${first} and ${first} + ${Number(SLOT_SIZE) - 1};
      insert into ${t}_fts (rowid, doc) values ((select seq from ${keys} where record_id = new.id), ${sqliteSearchDocument(resource, 'new.')});
      end`)
  }
}
