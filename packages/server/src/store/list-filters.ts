import { sql } from 'kysely'
import type { Expression, SqlBool } from 'kysely'
import type { ResourceDecl } from '../resources/resource.ts'
import type { Filter } from '../records/list-query.ts'
import { resourceByName } from '../resources/index.ts'
import { encodeValue } from './columns.ts'
import { liveFlag } from './record-store.ts'
import { holdsEntry } from './array-entries.ts'
import type { StoreContext } from './record-store.ts'

// A list filter (SPEC §4) as SQL over the row alias `r` (a record or a kept version of one).
// Column names come only from the declarations; values are always bound parameters.

/**
 * `column` replaces the plain column reference in comparisons (SQLite's `+r.due_date`, which no
 * index serves: store/record-list.ts#sqliteDueDates).
 */
export function filterExpression (
  ctx: StoreContext, resource: ResourceDecl, eb: any, filter: Filter, rows: 'current' | 'versions', column?: Expression<unknown>
): Expression<SqlBool> {
  const { field, op, value } = filter
  if (field.link) return linkFilter(ctx, eb, filter)
  const col: any = column ?? `r.${field.name}`
  const bind = (v: unknown) => encodeValue(field, v, ctx.dialect)
  switch (op) {
    case 'eq': return eb(col, '=', bind(value))
    // A record without a value is not equal to any value: ne includes it.
    case 'ne': return eb.or([eb(col, '!=', bind(value)), eb(col, 'is', null)])
    case 'in': return eb(col, 'in', (value as unknown[]).map(bind))
    case 'gt': return eb(col, '>', value)
    case 'gte': return eb(col, '>=', value)
    case 'lt': return eb(col, '<', value)
    case 'lte': return eb(col, '<=', value)
    case 'exists': {
      if (!field.kind.endsWith('-array')) return eb(col, value ? 'is not' : 'is', null)
      // An array field "exists" when it has at least one entry; [] and null are both absent.
      const length = ctx.dialect === 'postgres' ? sql`jsonb_array_length(${sql.ref(col)})` : sql`json_array_length(${sql.ref(col)})`
      return value ? sql<SqlBool>`coalesce(${length}, 0) > 0` : sql<SqlBool>`coalesce(${length}, 0) = 0`
    }
    case 'contains':
      // PostgreSQL: jsonb containment, served by the column's GIN (jsonb_path_ops) index. SQLite:
      // the entries index of the current rows (store/array-entries.ts); a kept version's own array.
      if (ctx.dialect === 'postgres') return sql<SqlBool>`${sql.ref(col)} @> ${JSON.stringify([value])}::jsonb`
      if (rows === 'current') return holdsEntry(resource, field, value)
      return sql<SqlBool>`exists (select 1 from json_each(${sql.ref(col)}) where json_each.value = ${value})`
  }
}

/**
 * Relations kept in link tables. A link is visible only while both ends are live (as the
 * records show it, store/record-store.ts#attachLinks), so a deleted record has none.
 * `contains` starts from the link table's index on the counterpart column; `exists` probes the
 * record's own links.
 */
function linkFilter (ctx: StoreContext, eb: any, filter: Filter): Expression<SqlBool> {
  const link = filter.field.link!
  const target = resourceByName(filter.field.refersTo!).table
  const live = liveFlag(ctx.dialect, false)
  const sides: Array<[string, string]> = link.symmetric ? [['control_a', 'control_b'], ['control_b', 'control_a']] : [[link.self, link.other]]
  const selfLive = eb('r.is_deleted', '=', live)
  if (filter.op === 'contains') {
    const counterpartLive = eb.exists(ctx.db.selectFrom(`${target} as o`).select(sql.lit(1).as('one'))
      .where('o.id', '=', filter.value as string).where('o.is_deleted', '=', live))
    const selves = sides.map(([self, other]) => eb('r.id', 'in',
      ctx.db.selectFrom(`${link.table} as l`).select(`l.${self}`).where(`l.${other}`, '=', filter.value as string)))
    return eb.and([selfLive, counterpartLive, selves.length === 1 ? selves[0] : eb.or(selves)])
  }
  const any = eb.or(sides.map(([self, other]) => eb.exists(ctx.db.selectFrom(`${link.table} as l`)
    .innerJoin(`${target} as o`, 'o.id', `l.${other}`).select(sql.lit(1).as('one'))
    .whereRef(`l.${self}`, '=', 'r.id').where('o.is_deleted', '=', live))))
  const has = eb.and([selfLive, any])
  return filter.value === false ? eb.not(has) : has
}
