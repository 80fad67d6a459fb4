import { sql } from 'kysely'
import type { Expression, SqlBool } from 'kysely'
import type { ResourceDecl } from '../resources/resource.ts'
import type { Caller } from '../records/caller.ts'
import type { Filter, ListQuery } from '../records/list-query.ts'
import { ACTIVE_STATUSES } from '../resources/vulnerability.ts'
import { resourceByName } from '../resources/index.ts'
import { encodeValue } from './columns.ts'
import { jsonRow, liveFlag, scoped } from './record-store.ts'
import { recordJson } from './record-json.ts'
import type { StoreContext, StoredRecord } from './record-store.ts'

// The list query's SQL: filters, keyset pagination over any sort, optional total. Values are
// always bound parameters; column names come only from the declarations' allow-lists.

export interface ListPage {
  records: StoredRecord[]
  /** Sort values of the last row, for the next cursor; null when there is no next page. */
  nextAfter: unknown[] | null
  total?: number
}

export interface ListInput {
  query: ListQuery
  /** Decoded keyset position (values of `query.sort` keys), or null for the first page. */
  after: unknown[] | null
  now: string
}

export async function listRecords (ctx: StoreContext, resource: ResourceDecl, caller: Caller, input: ListInput): Promise<ListPage> {
  const { query } = input
  const t = resource.table
  let base = scoped(ctx.db.selectFrom(t), caller, t)
  if (!query.includeDeleted) base = base.where(`${t}.is_deleted`, '=', liveFlag(ctx.dialect, false))
  for (const filter of query.filters) base = base.where((eb: any) => filterExpression(ctx, resource, eb, filter))
  if (query.overdue) {
    base = base.where(`${t}.status`, 'in', ACTIVE_STATUSES as string[])
      .where(`${t}.due_date`, 'is not', null).where(`${t}.due_date`, '<', input.now)
  }

  // The database builds each record's response JSON (store/record-json.ts); the sort keys come
  // alongside for the next cursor.
  let page = base.select([recordJson(resource, ctx.dialect, t).as('__json'), `${t}.version`, ...query.sort.map((k) => `${t}.${k.field}`)])
  if (input.after) page = page.where((eb: any) => keysetAfter(eb, t, query, input.after!))
  for (const key of query.sort) {
    page = page.orderBy(`${t}.${key.field}`, (ob: any) => (key.desc ? ob.desc().nullsFirst() : ob.asc().nullsLast()))
  }
  const rows = await page.limit(query.limit + 1).execute()
  const hasMore = rows.length > query.limit
  const records = rows.slice(0, query.limit).map((row: Record<string, unknown>) => jsonRow(resource, row))
  const last = records[records.length - 1]
  const result: ListPage = {
    records,
    nextAfter: hasMore && last ? query.sort.map((k) => last.data[k.field] ?? null) : null
  }
  if (query.includeTotal) {
    const row = await base.select((eb: any) => eb.fn.countAll().as('n')).executeTakeFirst()
    result.total = Number(row?.n ?? 0)
  }
  return result
}

/**
 * Rows strictly after `after` in the query's order. NULLs sort last ascending and first
 * descending on both backends (PostgreSQL's default; SQLite is told so explicitly above).
 */
function keysetAfter (eb: any, table: string, query: ListQuery, after: unknown[]): Expression<SqlBool> {
  const alternatives: Array<Expression<SqlBool>> = []
  for (let i = 0; i < query.sort.length; i++) {
    const equalBefore = query.sort.slice(0, i).map((k, j) => equalTo(eb, `${table}.${k.field}`, after[j]))
    const key = query.sort[i]!
    const beyond = strictlyAfter(eb, `${table}.${key.field}`, key.desc, after[i])
    if (beyond === null) continue
    alternatives.push(eb.and([...equalBefore, beyond]))
  }
  return alternatives.length === 0 ? sql<SqlBool>`1 = 0` : eb.or(alternatives)
}

function equalTo (eb: any, col: string, value: unknown): Expression<SqlBool> {
  return value === null ? eb(col, 'is', null) : eb(col, '=', value)
}

function strictlyAfter (eb: any, col: string, desc: boolean, value: unknown): Expression<SqlBool> | null {
  if (!desc) {
    // Ascending, NULLs last: after a value come greater values and NULLs; after NULL, nothing.
    return value === null ? null : eb.or([eb(col, '>', value), eb(col, 'is', null)])
  }
  // Descending, NULLs first: after NULL come all values; after a value, smaller values.
  return value === null ? eb(col, 'is not', null) : eb(col, '<', value)
}

function filterExpression (ctx: StoreContext, resource: ResourceDecl, eb: any, filter: Filter): Expression<SqlBool> {
  const t = resource.table
  const { field, op, value } = filter
  const col = `${t}.${field.name}`
  if (field.link) return linkFilter(ctx, resource, eb, filter)
  const arrayField = field.kind === 'id-array' || field.kind === 'string-array'
  switch (op) {
    case 'eq': return eb(col, '=', encodeValue(field, value, ctx.dialect))
    case 'ne': return eb.or([eb(col, '!=', encodeValue(field, value, ctx.dialect)), eb(col, 'is', null)])
    case 'in': return eb(col, 'in', value as unknown[])
    case 'gt': return eb(col, '>', value)
    case 'gte': return eb(col, '>=', value)
    case 'lt': return eb(col, '<', value)
    case 'lte': return eb(col, '<=', value)
    case 'exists':
      if (arrayField) {
        const nonEmpty = ctx.dialect === 'postgres'
          ? sql<SqlBool>`jsonb_array_length(${sql.ref(col)}) > 0`
          : sql<SqlBool>`json_array_length(${sql.ref(col)}) > 0`
        return value ? eb.and([eb(col, 'is not', null), nonEmpty]) : eb.or([eb(col, 'is', null), eb.not(nonEmpty)])
      }
      return eb(col, value ? 'is not' : 'is', null)
    case 'contains':
      return ctx.dialect === 'postgres'
        ? sql<SqlBool>`${sql.ref(col)} @> ${JSON.stringify([value])}::jsonb`
        : sql<SqlBool>`exists (select 1 from json_each(${sql.ref(col)}) where json_each.value = ${value})`
  }
}

/** Filters on relations kept in link tables (both sides of a symmetric one), counterpart live. */
function linkFilter (ctx: StoreContext, resource: ResourceDecl, eb: any, filter: Filter): Expression<SqlBool> {
  const link = filter.field.link!
  const t = resource.table
  const target = resourceByName(filter.field.refersTo!).table
  const live = liveFlag(ctx.dialect, false)
  const sides: Array<[string, string]> = link.symmetric ? [['control_a', 'control_b'], ['control_b', 'control_a']] : [[link.self, link.other]]
  const exists = sides.map(([self, other]) => {
    let sub = ctx.db.selectFrom(`${link.table} as l`).innerJoin(`${target} as o`, 'o.id', `l.${other}`)
      .select(sql.lit(1).as('one')).whereRef(`l.${self}`, '=', `${t}.id`).where('o.is_deleted', '=', live)
    if (filter.op === 'contains') sub = sub.where(`l.${other}`, '=', filter.value as string)
    return eb.exists(sub)
  })
  const any = exists.length === 1 ? exists[0] : eb.or(exists)
  return filter.op === 'exists' && filter.value === false ? eb.not(any) : any
}

