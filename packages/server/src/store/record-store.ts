import { CompiledQuery } from 'kysely'
import type { Kysely } from 'kysely'
import type { DialectName } from './database.ts'
import type { FieldDecl } from '../resources/fields.ts'
import type { RecordData, ResourceDecl } from '../resources/resource.ts'
import { columnFields, linkFields, resourceByName } from '../resources/index.ts'
import type { Caller } from '../records/caller.ts'
import { decodeValue, encodeValue } from './columns.ts'
import { recordJson } from './record-json.ts'

// All SQL about records lives here. Every read is scoped by the caller (tenant, and app when the
// token has one), so isolation does not depend on the routes.

/** A stored record plus its version (the ETag source). */
export interface StoredRecord {
  data: RecordData
  version: number
  /**
   * The record's response JSON as the database built it (store/record-json.ts), on read-only
   * paths. `data` then holds only the fields the caller selected besides it (e.g. sort keys).
   */
  json?: string
}

export interface StoreContext {
  db: Kysely<any>
  dialect: DialectName
}

export function scoped (query: any, caller: Caller, table?: string): any {
  const col = (name: string) => (table ? `${table}.${name}` : name)
  query = query.where(col('tenant_id'), '=', caller.tenantId)
  if (caller.appId !== null) query = query.where(col('app_id'), '=', caller.appId)
  return query
}

export function liveFlag (dialect: DialectName, deleted: boolean): unknown {
  return dialect === 'postgres' ? deleted : deleted ? 1 : 0
}

export function decodeRow (resource: ResourceDecl, row: Record<string, unknown>): StoredRecord {
  const data: RecordData = {}
  for (const field of columnFields(resource)) data[field.name] = decodeValue(field, row[field.name])
  return { data, version: Number(row.version) }
}

/** A row selected as `__json` (the record's JSON), `version` and some plain columns. */
export function jsonRow (resource: ResourceDecl, row: Record<string, unknown>): StoredRecord {
  const data: RecordData = {}
  for (const field of columnFields(resource)) if (field.name in row) data[field.name] = decodeValue(field, row[field.name])
  return { data, version: Number(row.version), json: row.__json as string }
}

/** The caller's record as response JSON built by the database, for reads that only return it. */
export async function findRecordJson (ctx: StoreContext, resource: ResourceDecl, caller: Caller, id: string): Promise<StoredRecord | null> {
  const t = resource.table
  const row = await scoped(ctx.db.selectFrom(t).select([recordJson(resource, ctx.dialect, t).as('__json'), 'version', 'id']).where('id', '=', id), caller)
    .executeTakeFirst()
  return row ? jsonRow(resource, row) : null
}

export async function findRecord (
  ctx: StoreContext, resource: ResourceDecl, caller: Caller, id: string, options: { forUpdate?: boolean } = {}
): Promise<StoredRecord | null> {
  let query = scoped(ctx.db.selectFrom(resource.table).selectAll().where('id', '=', id), caller)
  // PostgreSQL: lock the row for the write's transaction. SQLite serialises write transactions.
  if (options.forUpdate && ctx.dialect === 'postgres') query = query.forUpdate()
  const row = await query.executeTakeFirst()
  if (!row) return null
  const record = decodeRow(resource, row)
  await attachLinks(ctx, resource, [record.data])
  return record
}

function rowValues (resource: ResourceDecl, data: RecordData, dialect: DialectName): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const field of columnFields(resource)) values[field.name] = encodeValue(field, data[field.name], dialect)
  return values
}

export async function insertRecord (ctx: StoreContext, resource: ResourceDecl, data: RecordData): Promise<void> {
  await ctx.db.insertInto(resource.table).values({ ...rowValues(resource, data, ctx.dialect), version: 1 }).execute()
}

/**
 * PostgreSQL: the new row and its history entry in one statement (a data-modifying CTE) — one
 * round trip, atomic and durable on its own, so a create that needs no reads skips BEGIN/COMMIT.
 */
export async function insertRecordWithHistory (ctx: StoreContext, resource: ResourceDecl, data: RecordData, entry: HistoryEntry): Promise<void> {
  if (ctx.dialect !== 'postgres') throw new Error('insertRecordWithHistory is PostgreSQL-only; use insertRecord and insertHistory in a transaction')
  const columns = columnFields(resource)
  const params = [
    ...columns.map((field) => encodeValue(field, data[field.name], ctx.dialect)),
    entry.id, data.tenant_id, entry.at, entry.actor, entry.app_id, entry.action, JSON.stringify(entry.changes)
  ]
  await ctx.db.executeQuery(CompiledQuery.raw(insertWithHistorySql(resource), params))
}

// The statement's text depends only on the resource (its columns are fixed), so it is written once
// rather than built and compiled by Kysely on every create.
const insertWithHistoryTexts = new Map<string, string>()

function insertWithHistorySql (resource: ResourceDecl): string {
  let text = insertWithHistoryTexts.get(resource.table)
  if (text === undefined) {
    const columns = columnFields(resource)
    const n = columns.length
    const h = (i: number) => `$${n + i}`
    text = `with "r" as (insert into "${resource.table}" (${columns.map((f) => `"${f.name}"`).join(', ')}, "version")
      values (${columns.map((_, i) => `$${i + 1}`).join(', ')}, 1) returning "id")
      insert into "record_history" ("id", "tenant_id", "record_id", "at", "actor", "app_id", "action", "changes")
      select ${h(1)}::text, ${h(2)}::text, "r"."id", ${h(3)}::text, ${h(4)}::text, ${h(5)}::text, ${h(6)}::text, ${h(7)}::jsonb from "r"`
    insertWithHistoryTexts.set(resource.table, text)
  }
  return text
}

export async function updateRecord (ctx: StoreContext, resource: ResourceDecl, data: RecordData, version: number): Promise<void> {
  const values = rowValues(resource, data, ctx.dialect)
  delete values.id
  delete values.tenant_id
  await ctx.db.updateTable(resource.table).set({ ...values, version }).where('id', '=', data.id as string)
    .where('tenant_id', '=', data.tenant_id as string).execute()
}

/**
 * Takes the row lock of one record for the rest of the transaction (PostgreSQL; SQLite serialises
 * write transactions). Scoped by tenant only: the counterparts of a link may belong to another app.
 */
export async function lockRecord (ctx: StoreContext, resource: ResourceDecl, tenantId: string, id: string): Promise<void> {
  if (ctx.dialect !== 'postgres') return
  await ctx.db.selectFrom(resource.table).select('id').where('id', '=', id).where('tenant_id', '=', tenantId).forUpdate().execute()
}

/** True when another live record of the tenant has the same values for the resource's unique fields. */
export async function uniqueTaken (ctx: StoreContext, resource: ResourceDecl, data: RecordData): Promise<boolean> {
  if (!resource.unique || resource.unique.some((name) => data[name] == null)) return false
  let query = ctx.db.selectFrom(resource.table).select('id')
    .where('tenant_id', '=', data.tenant_id as string)
    .where('is_deleted', '=', liveFlag(ctx.dialect, false))
    .where('id', '!=', data.id as string)
  for (const name of resource.unique) query = query.where(name, '=', data[name] as string)
  return (await query.executeTakeFirst()) !== undefined
}

/** The subset of `ids` naming live records of `resource` that the caller can see. */
export async function visibleLiveIds (ctx: StoreContext, resource: ResourceDecl, caller: Caller, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await scoped(ctx.db.selectFrom(resource.table).select('id').where('id', 'in', ids as string[])
    .where('is_deleted', '=', liveFlag(ctx.dialect, false)), caller).execute()
  return new Set(rows.map((r: { id: string }) => r.id))
}

// ---- link tables ---------------------------------------------------------------------------

function otherResource (field: FieldDecl): ResourceDecl {
  return resourceByName(field.refersTo!)
}

/**
 * Fills every link field of `records` from the link tables. A link is visible only while both of
 * its ends are live: deleting either end makes it dormant (hidden on both sides) and restoring
 * brings it back, so the two sides always agree.
 */
export async function attachLinks (ctx: StoreContext, resource: ResourceDecl, records: RecordData[]): Promise<void> {
  const fields = linkFields(resource)
  if (fields.length === 0 || records.length === 0) return
  const liveIds = records.filter((r) => !r.is_deleted).map((r) => r.id as string)
  for (const field of fields) {
    const byId = new Map<string, string[]>()
    for (const r of records) byId.set(r.id as string, [])
    if (liveIds.length > 0) {
      for (const { self, other } of await linkRows(ctx, field, liveIds)) byId.get(self)?.push(other)
    }
    for (const r of records) r[field.name] = byId.get(r.id as string)!.sort()
  }
}

/** For each link field, the live counterparts of `id`, whether or not `id` itself is live. */
export async function linkedLiveIds (ctx: StoreContext, resource: ResourceDecl, id: string): Promise<Array<[FieldDecl, string[]]>> {
  const out: Array<[FieldDecl, string[]]> = []
  for (const field of linkFields(resource)) out.push([field, (await linkRows(ctx, field, [id])).map((r) => r.other)])
  return out
}

/** Rows (self → other) of a link field for the given selves, counterpart live. */
async function linkRows (ctx: StoreContext, field: FieldDecl, selfIds: string[]): Promise<Array<{ self: string, other: string }>> {
  const link = field.link!
  const target = otherResource(field).table
  const notDeleted = liveFlag(ctx.dialect, false)
  const oneWay = (selfCol: string, otherCol: string) =>
    ctx.db.selectFrom(`${link.table} as l`)
      .innerJoin(`${target} as t`, 't.id', `l.${otherCol}`)
      .select([`l.${selfCol} as self`, `l.${otherCol} as other`])
      .where(`l.${selfCol}`, 'in', selfIds)
      .where('t.is_deleted', '=', notDeleted)
  if (!link.symmetric) return await oneWay(link.self, link.other).execute()
  return await oneWay('control_a', 'control_b').unionAll(oneWay('control_b', 'control_a')).execute()
}

/** Adds and removes link rows so that the record's visible links become `next`. Dormant links stay. */
export async function writeLinks (
  ctx: StoreContext, field: FieldDecl, tenantId: string, selfId: string, previous: readonly string[], next: readonly string[]
): Promise<void> {
  const link = field.link!
  const removed = previous.filter((id) => !next.includes(id))
  const added = next.filter((id) => !previous.includes(id))
  const pair = (other: string) => {
    if (!link.symmetric) return { [link.self]: selfId, [link.other]: other }
    return selfId < other ? { control_a: selfId, control_b: other } : { control_a: other, control_b: selfId }
  }
  for (const other of removed) {
    const key = pair(other)
    let query = ctx.db.deleteFrom(link.table)
    for (const [col, value] of Object.entries(key)) query = query.where(col, '=', value)
    await query.execute()
  }
  if (added.length > 0) {
    await ctx.db.insertInto(link.table).values(added.map((other) => ({ tenant_id: tenantId, ...pair(other) })))
      .onConflict((oc: any) => oc.doNothing()).execute()
  }
}

// ---- history -------------------------------------------------------------------------------

export interface HistoryEntry {
  id: string
  at: string
  actor: string
  app_id: string | null
  action: string
  changes: Record<string, { from: unknown, to: unknown }>
}

export async function insertHistory (ctx: StoreContext, tenantId: string, recordId: string, entry: HistoryEntry): Promise<void> {
  await ctx.db.insertInto('record_history').values({
    id: entry.id,
    tenant_id: tenantId,
    record_id: recordId,
    at: entry.at,
    actor: entry.actor,
    app_id: entry.app_id,
    action: entry.action,
    changes: JSON.stringify(entry.changes)
  }).execute()
}

/** History of one record, newest first, after the entry `afterId` when paging. */
export async function listHistory (
  ctx: StoreContext, tenantId: string, recordId: string, limit: number, beforeId: string | null
): Promise<HistoryEntry[]> {
  let query = ctx.db.selectFrom('record_history').select(['id', 'at', 'actor', 'app_id', 'action', 'changes'])
    .where('tenant_id', '=', tenantId).where('record_id', '=', recordId)
  if (beforeId !== null) query = query.where('id', '<', beforeId)
  const rows = await query.orderBy('id', 'desc').limit(limit).execute()
  return rows.map((r: any) => ({ ...r, changes: typeof r.changes === 'string' ? JSON.parse(r.changes) : r.changes }))
}

export async function readSecret (db: Kysely<any>, name: string): Promise<string> {
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow()
  return row.value as string
}
