import { CompiledQuery } from 'kysely'
import type { Kysely } from 'kysely'
import type { DialectName } from './database.ts'

// Bulk loading for the seeding command (bench/seed.ts): many rows per statement, the statement
// text built once per table and batch size. PostgreSQL takes one array parameter per column and
// unnests it (one bound parameter per column whatever the batch size, so no 65,535-parameter
// limit and one parse per batch); SQLite takes a multi-row VALUES list (SQLite allows 32,766
// parameters per statement). The caller wraps batches in transactions.

export interface BulkColumn {
  name: string
  /** The PostgreSQL element type of the column (`text`, `jsonb`, `double precision`, …). */
  pgType: string
}

/** Rows per statement that keep SQLite under its parameter limit. */
function sqliteRowsPerStatement (columns: number): number {
  return Math.max(1, Math.floor(32_000 / columns))
}

export async function bulkInsert (
  db: Kysely<any>, dialect: DialectName, table: string, columns: readonly BulkColumn[], rows: ReadonlyArray<readonly unknown[]>
): Promise<void> {
  if (rows.length === 0) return
  const names = columns.map((c) => `"${c.name}"`).join(', ')
  if (dialect === 'postgres') {
    const arrays = columns.map((_, i) => rows.map((row) => row[i]))
    const unnest = columns.map((c, i) => `$${i + 1}::${c.pgType}[]`).join(', ')
    await db.executeQuery(CompiledQuery.raw(`insert into "${table}" (${names}) select * from unnest(${unnest})`, arrays))
    return
  }
  const per = sqliteRowsPerStatement(columns.length)
  const tuple = `(${columns.map(() => '?').join(', ')})`
  let statement = ''
  let statementRows = -1
  for (let start = 0; start < rows.length; start += per) {
    const chunk = rows.slice(start, start + per)
    if (chunk.length !== statementRows) {
      statement = `insert into "${table}" (${names}) values ${Array.from({ length: chunk.length }, () => tuple).join(', ')}`
      statementRows = chunk.length
    }
    await db.executeQuery(CompiledQuery.raw(statement, chunk.flat()))
  }
}
