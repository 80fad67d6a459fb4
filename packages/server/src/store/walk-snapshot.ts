import { sql } from 'kysely'
import type { RawBuilder, SqlBool } from 'kysely'
import type { DialectName } from './database.ts'
import type { StoreContext } from './record-store.ts'

// A cursor walk reads the records as they were when it began (docs/LISTS.md "The walk
// guarantee"). Every row carries the stamp of the write that made its current version
// (`write_seq`), and every update copies the version it replaces into `{table}_versions` with the
// stamps of the write that made it (`from_seq`) and of the write that replaced it (`to_seq`).
// The walk keeps a snapshot taken when page 1 was read; each page then reads, for every record,
// exactly the version the snapshot saw: the current row if its write is in the snapshot, else the
// kept version whose from_seq is in the snapshot and whose to_seq is not.
//
// SQLite has one writer at a time, so a counter (`write_clock`) bumped by every write is in commit
// order and the snapshot is the counter's value. PostgreSQL commits concurrently, so the stamp is
// the writing transaction's id and the snapshot is `pg_current_snapshot()`: MVCC's own rule of
// visibility, with no lock and no ordering between writers.

export async function readSnapshot (ctx: StoreContext): Promise<string> {
  if (ctx.dialect === 'postgres') {
    const { rows } = await sql<{ s: string }>`select pg_current_snapshot()::text as s`.execute(ctx.db)
    return rows[0]!.s
  }
  const { rows } = await sql<{ n: number }>`select n from write_clock`.execute(ctx.db)
  return String(rows[0]!.n)
}

/**
 * The snapshot of the statement this expression is part of: PostgreSQL's `pg_current_snapshot()`
 * is the active (statement's) snapshot, and one SQLite statement reads one database state.
 */
export function snapshotNow (dialect: DialectName): RawBuilder<string> {
  return dialect === 'postgres' ? sql<string>`pg_current_snapshot()::text` : sql<string>`(select n from write_clock)`
}

/** A snapshot as a cursor may carry it; anything else is not one we issued. */
export function isSnapshot (dialect: DialectName, value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 12_000) return false
  return dialect === 'postgres' ? /^\d+:\d+:(\d+(,\d+)*)?$/.test(value) : /^\d+$/.test(value)
}

/** The current row `r` is the version the snapshot saw. */
export function currentInSnapshot (dialect: DialectName, snapshot: string): RawBuilder<SqlBool> {
  return dialect === 'postgres'
    ? sql<SqlBool>`pg_visible_in_snapshot(r.write_seq, ${snapshot}::pg_snapshot)`
    : sql<SqlBool>`r.write_seq <= ${Number(snapshot)}`
}

/**
 * The kept version `r` is the one the snapshot saw: made inside it, replaced outside it. The
 * leading bound on to_seq is what the `(tenant_id, to_seq)` index serves: only versions replaced
 * since the walk began are read.
 */
export function versionInSnapshot (dialect: DialectName, snapshot: string): RawBuilder<SqlBool> {
  if (dialect === 'postgres') {
    return sql<SqlBool>`r.to_seq >= pg_snapshot_xmin(${snapshot}::pg_snapshot)
      and pg_visible_in_snapshot(r.from_seq, ${snapshot}::pg_snapshot)
      and not pg_visible_in_snapshot(r.to_seq, ${snapshot}::pg_snapshot)`
  }
  const n = Number(snapshot)
  return sql<SqlBool>`r.to_seq > ${n} and r.from_seq <= ${n}`
}
