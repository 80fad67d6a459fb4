import { sql } from 'kysely'
import type { Expression, RawBuilder, SqlBool } from 'kysely'
import type { ResourceDecl } from '../resources/resource.ts'
import type { Caller } from '../records/caller.ts'
import type { Filter, ListQuery } from '../records/list-query.ts'
import { fts5Query, tsQuery } from '../records/search-terms.ts'
import { ACTIVE_STATUSES } from '../resources/vulnerability.ts'
import { allFields } from '../resources/index.ts'
import { jsonRow, liveFlag, scoped } from './record-store.ts'
import { recordJson } from './record-json.ts'
import type { StoreContext, StoredRecord } from './record-store.ts'
import { filterExpression } from './list-filters.ts'
import { indexedSorts } from './list-schema.ts'
import { SLOT_BITS, slotEnd, slotStart } from './search-order.ts'
import { TEXT_LAST, keysetAfter, quoteIdent, sortParts } from './sort-keys.ts'
import type { OrderedPart } from './sort-keys.ts'
import { currentInSnapshot, readSnapshot, snapshotNow, versionInSnapshot } from './walk-snapshot.ts'

// The list query's SQL (SPEC §4, docs/LISTS.md). A page is read as of the walk's snapshot: the
// current rows the snapshot saw, plus the kept versions of records changed since (few: only the
// writes made during the walk), merged in sort order. Each branch is its own index-ordered,
// LIMITed scan; filters, search and the keyset position apply to both alike.

export interface ListPage {
  records: StoredRecord[]
  /** Field values of the last row for `query.sort`, for the next cursor; null on the last page. */
  nextAfter: unknown[] | null
  total?: number
  /** The snapshot the page was read in: the input's, or the one a starting page took. */
  snapshot: string
}

export interface ListInput {
  query: ListQuery
  /** The previous page's last field values (one per sort key), or null for the first page. */
  after: unknown[] | null
  /**
   * The walk's snapshot (store/walk-snapshot.ts), or null to start a walk: the page is then read
   * from the current rows alone and the snapshot taken by the same statement (`ListPage.snapshot`).
   */
  snapshot: string | null
  /** The walk's start time, for `overdue`. */
  now: string
}

/**
 * SQLite has no planner statistics for FTS5, so the store picks the plan itself (docs/LISTS.md
 * "Search"): a word with few matches in the whole table → look those records up by id and sort
 * them; more → read the next `probeRows` rows in sort order and count the matches among them
 * (one lookup set of the matching FTS5 rowids, built once per statement): a page of them means
 * the ordered scan with that set finds the page; fewer means the word is rare in this tenant's
 * order (or its filtered slice, or the list ends), so look the matches up by id after all.
 * Above `bySetUpTo` matches building that set costs more (~37 ms for 300k) than checking each row
 * read with an FTS5 rowid probe (a page of a word that common is a few hundred rows away).
 * PostgreSQL's planner makes this choice itself from the tsvector statistics.
 */
export const SQLITE_SEARCH_PLAN = { byIdsUpTo: 2000, bySetUpTo: 100_000, probeRows: 2000, creationScanFirst: 250, creationScanRows: 2000 }

type Branch = 'current' | 'versions'

/**
 * How a page reads its due-date ranges: as the planner likes (`indexed`), through the due-date
 * index and a sort of what it finds (`ranged`), or checked row by row along the order (`scanned`).
 */
type DueDates = 'indexed' | 'ranged' | 'scanned'

const SQL_OPS: Record<string, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' }
const isDueRange = (filter: Filter) => filter.field.name === 'due_date' && filter.op in SQL_OPS

/**
 * SQLite has no histograms, so for `overdue=true` or a `due_date` range under another sort it
 * takes the due-date index, reads every record in the range and sorts them — at 1M records, with
 * half of them overdue, 1.4 s for a first page. Reading the next `probeRows` rows in sort order
 * tells: a page of them in the range (or the end of the list) → check the range along the order
 * (the index is kept out of it). Fewer, and fewer than `sortUpTo` records of the tenant in the
 * range → read it through the index and sort; more → along the order after all.
 * PostgreSQL's planner makes this choice itself from its statistics.
 */
export const SQLITE_DUE_DATE_PLAN = { probeRows: 2000, sortUpTo: 50_000 }

async function sqliteDueDates (
  ctx: StoreContext, parts: OrderedPart[], withoutRanges: any, rangeOnly: any, inRange: (eb: any) => Expression<SqlBool>, paging: boolean, limit: number
): Promise<DueDates> {
  const { seen, hits } = await probeOrder(ctx, parts, withoutRanges, inRange, paging, SQLITE_DUE_DATE_PLAN.probeRows)
  if (hits > limit || seen < SQLITE_DUE_DATE_PLAN.probeRows) return 'scanned'
  // What reading the range through the index costs: its index entries in the tenant (a covered
  // count). Sort it when that is small; a big range lies further down the order (due dates follow
  // creation), and walking there costs less than sorting it all (at 1M: 607k in range, 1.05 s by
  // the index against 0.15 s along the order; 29.5k, 54 ms against 474 ms).
  const counted = await ctx.db.selectFrom(rangeOnly.select(sql.lit(1).as('one')).limit(SQLITE_DUE_DATE_PLAN.sortUpTo).as('c'))
    .select(sql<number>`count(*)`.as('n')).executeTakeFirst()
  return Number(counted?.n) < SQLITE_DUE_DATE_PLAN.sortUpTo ? 'ranged' : 'scanned'
}

export async function listRecords (ctx: StoreContext, resource: ResourceDecl, caller: Caller, input: ListInput): Promise<ListPage> {
  // A walk's first page has nothing to reconcile: its snapshot is the page statement's own, so it
  // reads the current rows as that statement sees them (no visibility check, no versions branch)
  // and returns the snapshot with them. With `include_total` the count is a second statement, so
  // the snapshot is taken first and both statements use it.
  if (input.snapshot === null && !input.query.includeTotal) return await readPage(ctx, resource, caller, { ...input, snapshot: null })
  const snapshot = input.snapshot ?? await readSnapshot(ctx)
  return await readPage(ctx, resource, caller, { ...input, snapshot })
}

async function readPage (ctx: StoreContext, resource: ResourceDecl, caller: Caller, input: ListInput): Promise<ListPage> {
  const { query, snapshot } = input
  const parts = orderedParts(ctx, resource, query, input.after)
  const search = searchPredicates(ctx, resource, query)
  // The database builds each record's response JSON (store/record-json.ts); the sort fields come
  // alongside for the next cursor.
  const columns = [recordJson(resource, ctx.dialect, 'r').as('__json'), 'r.version', ...query.sort.map((k) => `r.${k.field}`)]

  // The due-date ranges (`overdue`, `due_date[lt]`…) as conditions; `scanned` writes the column
  // so that no index serves them (SQLite: sqliteDueDates).
  const dueRanges = (eb: any, which: Branch, dues: DueDates) => {
    const column = dues === 'scanned' ? sql`+r.due_date` : undefined
    return [
      ...query.filters.filter(isDueRange).map((filter) => filterExpression(ctx, resource, eb, filter, which, column)),
      ...(query.overdue ? [eb(column ?? 'r.due_date', '<', input.now)] : [])
    ]
  }
  const hasDueRanges = query.overdue || query.filters.some(isDueRange)
  // Sorted by due date: the same ranges once more on the sort key (`coalesce(due_date, U+10FFFF)`),
  // which its index can seek to — `overdue&sort=-due_date` starts at now instead of walking past
  // every future due date — and, since a range excludes records without a due date, below the
  // key those have. Extra conjuncts: the plain conditions stay, so the answer is the same.
  const onSortKey = query.sort[0]!.field === 'due_date' && hasDueRanges
    ? [...query.filters.filter(isDueRange).map((f) => [SQL_OPS[f.op]!, f.value] as const), ...(query.overdue ? [['<', input.now] as const] : []), ['<', TEXT_LAST] as const]
        .map(([op, value]) => sql<SqlBool>`${sql.raw(parts[0]!.expression)} ${sql.raw(op)} ${value}`)
    : []
  // A query over `from` (where `r` is the branch's table) with every condition of the branch.
  const branchOver = (from: any, which: Branch, withSearch = true, dues: DueDates | 'omitted' = 'indexed') => {
    let q = scoped(from, caller, 'r')
    if (!query.includeDeleted) q = q.where('r.is_deleted', '=', liveFlag(ctx.dialect, false))
    for (const filter of query.filters) if (!isDueRange(filter)) q = q.where((eb: any) => filterExpression(ctx, resource, eb, filter, which))
    if (query.overdue) q = q.where('r.status', 'in', ACTIVE_STATUSES as string[]).where('r.due_date', 'is not', null)
    if (hasDueRanges && dues !== 'omitted') q = q.where((eb: any) => eb.and([...dueRanges(eb, which, dues), ...onSortKey]))
    if (search && withSearch) q = q.where(search[which])
    if (snapshot === null) return q
    return q.where(which === 'current' ? currentInSnapshot(ctx.dialect, snapshot) : versionInSnapshot(ctx.dialect, snapshot))
  }
  const branch = (which: Branch, withSearch = true, dues: DueDates | 'omitted' = 'indexed') =>
    branchOver(ctx.db.selectFrom(`${which === 'current' ? resource.table : `${resource.table}_versions`} as r`), which, withSearch, dues)
  // SQLite: read the due-date ranges through the due-date index, or check them along the order —
  // always along it when it is the due-date order, which seeks to them (onSortKey).
  let dues: DueDates = 'indexed'
  if (ctx.dialect === 'sqlite' && hasDueRanges && !query.search) {
    const inRange = (eb: any) => eb.and(dueRanges(eb, 'current', 'indexed'))
    dues = onSortKey.length > 0
      ? 'scanned'
      : await sqliteDueDates(ctx, parts, branch('current', true, 'omitted'),
        scoped(ctx.db.selectFrom(`${resource.table} as r`), caller, 'r').where(inRange), inRange, input.after !== null, query.limit)
  }
  const rare = ctx.dialect === 'postgres' && query.search ? await postgresSearchIsRare(ctx, query, parts, branch('current', false), input.after !== null) : false
  // SQLite: the page's search condition by the plan chosen, and (for include_total) the plain one.
  const counted = search ? { ...search } : null
  if (search && ctx.dialect === 'sqlite') {
    const inCreationOrder = creationOrderSearch(ctx, resource, query, parts, input.after, (from) => branchOver(from, 'current', false))
    search.current = await inCreationOrder ?? await sqliteSearchPlan(ctx, resource, query, parts, branch('current', false), input.after !== null)
  }
  // Where a plan may sort many candidates (a search — PostgreSQL's planner too may take the GIN
  // index and sort — a narrow due-date range, a sort no index serves), the page's rows are chosen
  // by their sort keys alone, then joined back by physical row address (PostgreSQL's ctid, SQLite's rowid: stable within the statement) for their JSON — built
  // for the page's rows only, not for every candidate. On an index-ordered page the rows come in
  // order and stop at the limit, so the JSON is built in the same statement: the two-level form
  // costs PostgreSQL more planning (0.3 → 0.9 ms) than it saves there (−22% list throughput under
  // load in the benchmark).
  const address = sql.raw(ctx.dialect === 'postgres' ? 'r.ctid' : 'r.rowid')
  const deferJson = query.search !== null || dues === 'ranged' || !indexedSorts(resource).has(query.sort[0]!.field)
  const keys = parts.map((p, i) => sql.raw(p.expression).as(`k${i}`))
  const page = (which: Branch) => {
    let q = branch(which, true, which === 'current' ? dues : 'indexed').select(deferJson ? [address.as('__key'), ...keys] : [...columns, ...keys])
    if (input.after) q = q.where(keysetAfter(parts))
    // A rare word, or a narrow due-date range: order by the keys in a form no index serves, so
    // the planner takes the GIN / due-date index and sorts the few rows it finds instead of
    // walking the whole order looking for them.
    const opaque = (p: OrderedPart) => (p.numeric ? `(${p.expression}) + 0` : `(${p.expression}) || ''`)
    const sortFound = which === 'current' && (rare || dues === 'ranged')
    for (const p of parts) q = q.orderBy(sql.raw(sortFound ? opaque(p) : p.expression), p.desc ? 'desc' : 'asc')
    if (!deferJson) return q.limit(query.limit + 1)
    const table = which === 'current' ? resource.table : `${resource.table}_versions`
    return ctx.db.selectFrom(q.limit(query.limit + 1).as('p')).innerJoin(`${table} as r`, (join: any) => join.on(sql`${address} = p.__key`))
      .select([...columns, ...parts.map((_, i) => `p.k${i}`)])
  }
  let rows: Array<Record<string, unknown>>
  let taken: string
  if (snapshot === null) {
    let first = ctx.db.selectFrom(page('current').as('c')).selectAll().select(snapshotNow(ctx.dialect).as('__snapshot'))
    if (deferJson) parts.forEach((p, i) => { first = first.orderBy(`c.k${i}`, p.desc ? 'desc' : 'asc') })
    const read = await first.execute()
    rows = read
    taken = read.length > 0 ? String(read[0]!.__snapshot) : await readSnapshot(ctx)
  } else {
    let merged = ctx.db.selectFrom(ctx.db.selectFrom(page('current').as('c')).selectAll()
      .unionAll(ctx.db.selectFrom(page('versions').as('v')).selectAll()).as('u')).selectAll()
    parts.forEach((p, i) => { merged = merged.orderBy(`u.k${i}`, p.desc ? 'desc' : 'asc') })
    rows = await merged.limit(query.limit + 1).execute()
    taken = snapshot
  }

  const hasMore = rows.length > query.limit
  const records = rows.slice(0, query.limit).map((row) => jsonRow(resource, row))
  const last = records[records.length - 1]
  const result: ListPage = { records, nextAfter: hasMore && last ? query.sort.map((k) => last.data[k.field] ?? null) : null, snapshot: taken }
  if (query.includeTotal) {
    let total = 0
    for (const which of ['current', 'versions'] as const) {
      const q = counted ? branch(which, false).where(counted[which]) : branch(which)
      const row = await q.select((eb: any) => eb.fn.countAll().as('n')).executeTakeFirst()
      total += Number(row?.n ?? 0)
    }
    result.total = total
  }
  return result
}

/**
 * PostgreSQL estimates a word its statistics do not list at 0.5 % of the rows, so with a LIMIT it
 * walks the sort order looking for a word that may occur in 20 records of a million. Reading the
 * next `probeRows` rows in sort order tells: a page of matches among them (or the end
 * of the list) → the ordered scan is right; fewer → the word is rare, take the GIN index.
 */
export const POSTGRES_SEARCH_PLAN = { probeRows: 2000 }

async function postgresSearchIsRare (ctx: StoreContext, query: ListQuery, parts: OrderedPart[], unsearched: any, paging: boolean): Promise<boolean> {
  const { seen, hits } = await probeOrder(ctx, parts, unsearched, sql<SqlBool>`r.search_vector @@ to_tsquery('simple', ${tsQuery(query.search!)})`, paging, POSTGRES_SEARCH_PLAN.probeRows)
  return seen >= POSTGRES_SEARCH_PLAN.probeRows && hits <= query.limit
}

/**
 * The next `rows` rows of `unfiltered` in sort order (after the cursor when paging): how many
 * there are, and how many of them meet `condition` — what a plan choice learns from the order.
 */
async function probeOrder (
  ctx: StoreContext, parts: OrderedPart[], unfiltered: any, condition: Expression<SqlBool> | ((eb: any) => Expression<SqlBool>), paging: boolean, rows: number
): Promise<{ seen: number, hits: number }> {
  let q = unfiltered.select((eb: any) => eb.case().when(typeof condition === 'function' ? condition(eb) : condition).then(1).else(0).end().as('m'))
  if (paging) q = q.where(keysetAfter(parts))
  for (const p of parts) q = q.orderBy(sql.raw(p.expression), p.desc ? 'desc' : 'asc')
  const row = await ctx.db.selectFrom(q.limit(rows).as('s'))
    .select([sql<number>`count(*)`.as('seen'), sql<number>`coalesce(sum(s.m), 0)`.as('hits')]).executeTakeFirst()
  return { seen: Number(row?.seen), hits: Number(row?.hits) }
}

/** The sort keys as SQL over `r`, each with its direction and (when paging) the cursor's value. */
function orderedParts (ctx: StoreContext, resource: ResourceDecl, query: ListQuery, after: unknown[] | null): OrderedPart[] {
  const fields = new Map(allFields(resource).map((f) => [f.name, f]))
  return query.sort.flatMap((key, i) => sortParts(fields.get(key.field)!, ctx.dialect, `r.${quoteIdent(key.field)}`)
    .map((part) => ({ expression: part.expression, desc: key.desc, value: after ? part.param(after[i] ?? null) : null, plain: part.plain, numeric: part.numeric })))
}

/** The search condition for each branch, or null without `search` (SQLite: see sqliteSearchPlan). */
function searchPredicates (ctx: StoreContext, resource: ResourceDecl, query: ListQuery): Record<Branch, RawBuilder<SqlBool>> | null {
  if (!query.search) return null
  if (ctx.dialect === 'postgres') {
    const match = sql<SqlBool>`r.search_vector @@ to_tsquery('simple', ${tsQuery(query.search)})`
    return { current: match, versions: match }
  }
  const vfts = sql.raw(`${resource.table}_versions_fts`)
  const versions = sql<SqlBool>`exists (select 1 from ${vfts} where ${vfts} match ${fts5Query(query.search)} and ${vfts}.rowid = r.seq)`
  return { current: sqliteMatchingIds(resource, fts5Query(query.search)), versions }
}

/** A range of FTS5 rowids (null: unbounded on that side). */
interface RowidRange { from: bigint | null, to: bigint | null }

/** ` and <rowid> >= from and <rowid> <= to`, for the bounds a range has. */
function withinRowids (rowid: RawBuilder<unknown>, range: RowidRange) {
  return sql`${range.from !== null ? sql` and ${rowid} >= ${range.from}` : sql``}${range.to !== null ? sql` and ${rowid} <= ${range.to}` : sql``}`
}

/** SQLite: `r` is among the records matching `terms` (SQLite drives it from the matches: primary-key lookups). */
function sqliteMatchingIds (resource: ResourceDecl, terms: string, rowids: RowidRange = { from: null, to: null }): RawBuilder<SqlBool> {
  const fts = sql.raw(`${resource.table}_fts`)
  const keys = sql.raw(`${resource.table}_search_keys`)
  return sql<SqlBool>`r.id in (select k.record_id from ${fts} join ${keys} k on k.seq = ${fts}.rowid where ${fts} match ${terms}${withinRowids(sql`${fts}.rowid`, rowids)})`
}

/** SQLite's condition on the current rows for `search`, by the plan SQLITE_SEARCH_PLAN describes. */
async function sqliteSearchPlan (ctx: StoreContext, resource: ResourceDecl, query: ListQuery, parts: OrderedPart[], unsearched: any, paging: boolean): Promise<RawBuilder<SqlBool>> {
  const terms = fts5Query(query.search!)
  const t = resource.table
  const fts = sql.raw(`${t}_fts`)
  const keys = sql.raw(`${t}_search_keys`)
  // By ids: SQLite drives this from the subquery (primary-key lookups), then sorts the matches.
  const byIds = sqliteMatchingIds(resource, terms)
  const { rows: [counted] } = await sql<{ n: number }>`select count(*) as n from
    (select rowid from ${fts} where ${fts} match ${terms} limit ${SQLITE_SEARCH_PLAN.bySetUpTo + 1})`.execute(ctx.db)
  const matches = Number(counted?.n)
  if (matches <= SQLITE_SEARCH_PLAN.byIdsUpTo) return byIds
  // The matching rowids are read from FTS5 alone (no join) into the statement's lookup set; each
  // row the ordered scan reads costs one search-key lookup and one set probe.
  const seq = sql`(select k.seq from ${keys} k where k.record_id = r.id)`
  const member = matches <= SQLITE_SEARCH_PLAN.bySetUpTo
    ? sql<SqlBool>`${seq} in (select rowid from ${fts} where ${fts} match ${terms})`
    : sql<SqlBool>`exists (select 1 from ${fts} where ${fts} match ${terms} and ${fts}.rowid = ${seq})`
  let q = unsearched.select(member.as('m'))
  if (paging) q = q.where(keysetAfter(parts))
  for (const p of parts) q = q.orderBy(sql.raw(p.expression), p.desc ? 'desc' : 'asc')
  // Stops at the first page of matches: a common word costs a page's worth of rows, not probeRows.
  const probe = await ctx.db.selectFrom(ctx.db.selectFrom(q.limit(SQLITE_SEARCH_PLAN.probeRows).as('s')).select(sql.lit(1).as('x'))
    .where('s.m', '=', 1).limit(query.limit + 1).as('h')).select(sql<number>`count(*)`.as('hits')).executeTakeFirst()
  if (Number(probe?.hits) > query.limit) return member
  return byIds
}

/**
 * SQLite, sorted by creation (the default order, or `created_at`): FTS5 reads the matches in
 * rowid order, which is creation order (store/search-order.ts), from the cursor's position on,
 * and stops after the first `creationScanFirst` (or, when those pass too few, as many as their
 * density says a page needs, up to `creationScanRows`). If a page of them passes the page's other
 * conditions, the page is among the matches from there back to the millisecond of the page's last
 * one (all of that millisecond included, for ties broken by id): the returned condition bounds the
 * rowids to that range, and the page query sorts those few exactly. Cost: a page's worth of matches
 * (more when the tenant or the filters pass few of them), however many records match in all.
 * Null (another plan) for other sorts, or when the first rows read do not hold a page.
 */
async function creationOrderSearch (
  ctx: StoreContext, resource: ResourceDecl, query: ListQuery, parts: OrderedPart[], after: unknown[] | null, conditions: (from: any) => any
): Promise<RawBuilder<SqlBool> | null> {
  const [first, second] = query.sort
  if (query.sort.length !== 2 || first!.field !== 'created_at' || second!.field !== 'id' || first!.desc !== second!.desc) return null
  const desc = first!.desc
  const t = resource.table
  const terms = fts5Query(query.search!)
  const fts = sql.raw(`${t}_fts`)
  const position: RowidRange = after ? (desc ? { from: null, to: slotEnd(String(after[0])) } : { from: slotStart(String(after[0])), to: null }) : { from: null, to: null }
  // The first `rows` matches from the position on, joined to their records in that order (CROSS
  // JOIN keeps FTS5 the outer loop); how many pass the page's conditions (up to a page + 1), the
  // millisecond of the last one passed, and how many matches were read.
  const attempt = async (rows: number) => {
    const scan = sql`(select rowid as seq from ${fts} where ${fts} match ${terms}${withinRowids(sql`rowid`, position)}
      order by rowid ${sql.raw(desc ? 'desc' : 'asc')} limit ${rows})`
    let passing = conditions(ctx.db.selectFrom(scan.as('f')).crossJoin(`${t}_search_keys as k`).crossJoin(`${t} as r`)
      .whereRef('k.seq', '=', 'f.seq').whereRef('r.id', '=', 'k.record_id'))
    if (after) passing = passing.where(keysetAfter(parts))
    passing = passing.select('f.seq').orderBy('f.seq', desc ? 'desc' : 'asc').limit(query.limit + 1)
    return await ctx.db.selectFrom(passing.as('p')).select([
      sql<number>`count(*)`.as('hits'),
      sql<number | null>`${desc ? sql`min(p.seq)` : sql`max(p.seq)`} >> ${sql.lit(SLOT_BITS)}`.as('edge_ms'),
      sql<number>`(select count(*) from ${scan})`.as('read')
    ]).executeTakeFirstOrThrow()
  }
  // A few rows first; if they pass too few for a page, as many as their density says a page
  // needs (with a margin), up to `creationScanRows` — beyond that the other plans are cheaper
  // (the tenant holds few of the matches, or the filters pass few).
  let rows = Math.min(SQLITE_SEARCH_PLAN.creationScanFirst, SQLITE_SEARCH_PLAN.creationScanRows)
  for (;;) {
    const found = await attempt(rows)
    const hits = Number(found.hits)
    if (hits > query.limit) {
      // The page's last millisecond, whole.
      const edge = BigInt(found.edge_ms!) << BigInt(SLOT_BITS)
      const range: RowidRange = desc ? { from: edge, to: position.to } : { from: position.from, to: edge + (1n << BigInt(SLOT_BITS)) - 1n }
      return sqliteMatchingIds(resource, terms, range)
    }
    // Every remaining match was read: they are the rest of the walk.
    if (Number(found.read) < rows) return sqliteMatchingIds(resource, terms, position)
    const needed = hits === 0 ? Infinity : Math.ceil(((query.limit + 1) * rows / hits) * 1.5)
    if (rows >= SQLITE_SEARCH_PLAN.creationScanRows || needed > SQLITE_SEARCH_PLAN.creationScanRows) return null
    rows = needed
  }
}
