import { sql } from 'kysely'
import type { RawBuilder, SqlBool } from 'kysely'
import type { FieldDecl } from '../resources/fields.ts'
import type { DialectName } from './database.ts'

// Sort keys as SQL expressions that mean the same on both backends and that indexes can serve
// (docs/LISTS.md "Sorting"). A nullable column sorts as two keys — a null flag, then the value
// with nulls coalesced — so NULLs come last ascending and first descending on SQLite and
// PostgreSQL alike, no key is ever NULL (keyset comparisons stay simple), and an index on the
// same expressions serves the ORDER BY. Enums sort by rank (FieldDecl.sortRank), free text by
// code point (PostgreSQL `COLLATE "C"`, SQLite's BINARY).

/** Columns the schema declares NOT NULL: sorted by the plain column. */
const NOT_NULL = new Set(['id', 'created_at', 'updated_at'])

export interface SortPart {
  /** The key's SQL over a column reference (already quoted), constants only: index DDL uses it too. */
  expression: string
  /** The key's value for a record's field value: what a cursor compares against. */
  param(value: unknown): unknown
}

export function quoteIdent (name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

export function sortParts (field: FieldDecl, dialect: DialectName, column: string): SortPart[] {
  if (field.kind === 'enum') {
    const ranks = field.sortRank ?? field.enum!
    const cases = ranks.map((value, i) => `when '${value.replace(/'/g, "''")}' then ${i}`).join(' ')
    return [{ expression: `case ${column} ${cases} else ${ranks.length} end`, param: (v) => rankOf(ranks, v) }]
  }
  const text = field.kind === 'string'
  const collated = (expr: string) => (text && dialect === 'postgres' ? `${expr} collate "C"` : expr)
  if (NOT_NULL.has(field.name)) return [{ expression: collated(column), param: (v) => v }]
  const numeric = field.kind === 'number' || field.kind === 'integer'
  const zero = numeric ? '0' : "''"
  return [
    { expression: `case when ${column} is null then 1 else 0 end`, param: (v) => (v === null ? 1 : 0) },
    { expression: collated(`coalesce(${column}, ${zero})`), param: (v) => v ?? (numeric ? 0 : '') }
  ]
}

function rankOf (ranks: readonly string[], value: unknown): number {
  const i = ranks.indexOf(value as string)
  return i < 0 ? ranks.length : i
}

export interface OrderedPart {
  expression: string
  desc: boolean
  value: unknown
}

/**
 * Rows strictly after the cursor's position in the sort order. One direction: a row-value
 * comparison `(k1, k2, id) < (?, ?, ?)`, which both planners turn into an index range. Mixed
 * directions: `k1 ⪰ v1 AND (k1 ≻ v1 OR (k2 ⪰ v2 AND (k2 ≻ v2 OR …)))`, whose leading bound
 * still gives the index a start. Values are always bound parameters.
 */
export function keysetAfter (parts: OrderedPart[]): RawBuilder<SqlBool> {
  const allSame = parts.every((p) => p.desc === parts[0]!.desc)
  if (allSame) {
    const op = sql.raw(parts[0]!.desc ? '<' : '>')
    if (parts.length === 1) return sql<SqlBool>`${sql.raw(parts[0]!.expression)} ${op} ${parts[0]!.value}`
    const left = sql.join(parts.map((p) => sql.raw(p.expression)))
    const right = sql.join(parts.map((p) => sql`${p.value}`))
    return sql<SqlBool>`(${left}) ${op} (${right})`
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
