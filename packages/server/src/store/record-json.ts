import { sql } from 'kysely'
import type { RawBuilder } from 'kysely'
import type { FieldDecl } from '../resources/fields.ts'
import type { ResourceDecl } from '../resources/resource.ts'
import { allFields, resourceByName } from '../resources/index.ts'
import { isJsonKind } from './columns.ts'
import type { DialectName } from './database.ts'

// The record's JSON, built by the database: one text value per row in exactly the response shape
// (every field in declaration order, both names of an alias, link lists sorted). Reads that only
// return records (list pages, get) send it as it comes, so Node.js neither parses the row's
// columns nor serializes the record — the profile's two largest costs on the list path
// (docs/BENCHMARKS.md). The shape is the one http/schemas.ts#recordSchema describes.

const cache = new Map<string, string>()

/** SQL for the JSON text of the record in row alias `alias` (e.g. `r`). */
export function recordJson (resource: ResourceDecl, dialect: DialectName, alias: string): RawBuilder<string> {
  const key = `${resource.name}:${dialect}:${alias}`
  let text = cache.get(key)
  if (text === undefined) {
    text = buildRecordJson(resource, dialect, alias)
    cache.set(key, text)
  }
  return sql.raw<string>(text)
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`

function buildRecordJson (resource: ResourceDecl, dialect: DialectName, alias: string): string {
  const a = ident(alias)
  const pairs: string[] = []
  for (const field of allFields(resource)) {
    const source = field.aliasOf ? allFields(resource).find((f) => f.name === field.aliasOf)! : field
    pairs.push(`'${field.name}'`, source.link ? linkJson(source, dialect, a) : columnJson(source, dialect, `${a}.${ident(source.name)}`))
  }
  return dialect === 'postgres' ? `json_build_object(${pairs.join(', ')})::text` : `json_object(${pairs.join(', ')})`
}

function columnJson (field: FieldDecl, dialect: DialectName, column: string): string {
  if (dialect === 'postgres') return column
  // SQLite keeps booleans as 0/1 and JSON as text: turn them back into JSON values.
  if (field.kind === 'boolean') return `json(case when ${column} is null then null when ${column} then 'true' else 'false' end)`
  if (isJsonKind(field)) return `json(${column})`
  return column
}

/**
 * A link field's live counterparts, sorted (record-store.ts#attachLinks is the same rule: a link is
 * visible only while both ends are live; a deleted record shows none).
 */
function linkJson (field: FieldDecl, dialect: DialectName, a: string): string {
  const link = field.link!
  const target = ident(resourceByName(field.refersTo!).table)
  const live = dialect === 'postgres' ? 'false' : '0'
  const sides: Array<[string, string]> = link.symmetric ? [['control_a', 'control_b'], ['control_b', 'control_a']] : [[link.self, link.other]]
  const selects = sides.map(([self, other]) =>
    `select l.${ident(other)} as other from ${ident(link.table)} l join ${target} o on o.id = l.${ident(other)} and o.is_deleted = ${live} where l.${ident(self)} = ${a}.id`)
  const union = selects.join(' union all ')
  if (dialect === 'postgres') {
    return `case when ${a}.is_deleted then '[]'::json else coalesce((select json_agg(x.other order by x.other collate "C") from (${union}) x), '[]'::json) end`
  }
  return `case when ${a}.is_deleted then json('[]') else (select json_group_array(x.other) from (select other from (${union}) order by other) x) end`
}
