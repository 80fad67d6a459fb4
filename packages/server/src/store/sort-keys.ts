import { sql } from 'kysely'
import type { RawBuilder, SqlBool } from 'kysely'
import type { FieldDecl } from '../resources/fields.ts'
import type { DialectName } from './database.ts'

// Sort keys as SQL expressions that mean the same on both backends and that indexes can serve
// (docs/LISTS.md "Sorting"). A nullable column sorts by `coalesce(column, <a value above every
// real one>)`, so NULLs come last ascending and first descending on SQLite and PostgreSQL alike,
// no key is ever NULL (keyset comparisons stay plain), and an index on the same expression serves
// both the ORDER BY and the cursor's range. Enums sort by rank (FieldDecl.sortRank), text and
// date-times by code point (PostgreSQL `COLLATE "C"`, SQLite's BINARY).

/** Columns the schema declares NOT NULL: sorted by the plain column (the 001 indexes serve them). */
const NOT_NULL = new Set(['id', 'created_at', 'updated_at'])

/** Above every text in code-point order: U+10FFFF is the largest code point (F4 8F BF BF in UTF-8). */
export const TEXT_LAST = '\u{10FFFF}'

export interface SortPart {
  /** The key's SQL over a column reference (already quoted), constants only: index DDL uses it too. */
  expression: string
  /** The key's value for a record's field value: what a cursor compares against. */
  param(value: unknown): unknown
  /** The key is the bare column (no expression around it). */
  plain?: boolean
  /** The key is a number (else text). */
  numeric?: boolean
}

export function quoteIdent (name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

export function sortParts (field: FieldDecl, dialect: DialectName, column: string): SortPart[] {
  if (field.kind === 'enum') {
    const ranks = field.sortRank ?? field.enum!
    const cases = ranks.map((value, i) => `when ${literal(value)} then ${i}`).join(' ')
    return [{ expression: `case ${column} ${cases} else ${ranks.length} end`, param: (v) => rankOf(ranks, v), numeric: true }]
  }
  if (NOT_NULL.has(field.name)) return [{ expression: column, param: (v) => v, plain: true }]
  if (field.kind === 'number' || field.kind === 'integer') {
    const last = (field.maximum ?? 1e15) + 1
    return [{ expression: `coalesce(${column}, ${last})`, param: (v) => v ?? last, numeric: true }]
  }
  const collated = dialect === 'postgres' ? ' collate "C"' : ''
  return [{ expression: `coalesce(${column}, ${literal(TEXT_LAST)})${collated}`, param: (v) => v ?? TEXT_LAST }]
}

function literal (text: string): string {
  return `'${text.replace(/'/g, "''")}'`
}

function rankOf (ranks: readonly string[], value: unknown): number {
  const i = ranks.indexOf(value as string)
  return i < 0 ? ranks.length : i
}

export interface OrderedPart {
  expression: string
  desc: boolean
  value: unknown
  plain?: boolean
  numeric?: boolean
}

/**
 * Rows strictly after the cursor's position in the sort order. One direction: a row-value
 * comparison `k1 <= ? and (k1, k2, id) < (?, ?, ?)`, which both planners turn into an index range. Mixed
 * directions: `k1 ⪰ v1 AND (k1 ≻ v1 OR (k2 ⪰ v2 AND (k2 ≻ v2 OR …)))`, whose leading bound
 * still gives the index a start. Values are always bound parameters.
 */
export function keysetAfter (parts: OrderedPart[]): RawBuilder<SqlBool> {
  const allSame = parts.every((p) => p.desc === parts[0]!.desc)
  if (allSame) {
    const first = parts[0]!
    const op = sql.raw(first.desc ? '<' : '>')
    if (parts.length === 1) return sql<SqlBool>`${sql.raw(first.expression)} ${op} ${first.value}`
    const left = sql.join(parts.map((p) => sql.raw(p.expression)))
    const right = sql.join(parts.map((p) => sql`${p.value}`))
    const rowValue = sql<SqlBool>`(${left}) ${op} (${right})`
    // SQLite turns a row-value comparison into an index range only over plain columns; over an
    // expression index a leading bound gives it the range (over plain columns that bound would
    // only confuse its planner).
    if (first.plain) return rowValue
    return sql<SqlBool>`${sql.raw(first.expression)} ${sql.raw(first.desc ? '<=' : '>=')} ${first.value} and ${rowValue}`
  }
  const nested = (i: number): RawBuilder<SqlBool> => {
    const p = parts[i]!
    const strict = sql`${sql.raw(p.expression)} ${sql.raw(p.desc ? '<' : '>')} ${p.value}`
    if (i === parts.length - 1) return sql<SqlBool>`${strict}`
    const loose = sql`${sql.raw(p.expression)} ${sql.raw(p.desc ? '<=' : '>=')} ${p.value}`
    return sql<SqlBool>`(${loose} and (${strict} or ${nested(i + 1)}))`
  }
  return nested(0)
}
