import type { Kysely } from 'kysely'
import type { Database } from '../store/database.ts'
import type { RecordData, ResourceDecl } from '../resources/resource.ts'
import { SCHEMA_VERSION } from '../resources/resource.ts'
import { allFields, linkFields } from '../resources/index.ts'
import { ProblemError, problem } from '../errors.ts'
import type { Caller } from './caller.ts'
import { newId } from './ids.ts'
import { parseInput } from './input.ts'
import { toTimestamp } from './time.ts'
import { diff, historyEntry } from './history.ts'
import { checkReferences, linkedCounterparts, lockWriteSet, touchCounterparts, writeAllLinks } from './links.ts'
import {
  attachLinks, findRecord, findRecordJson, insertHistory, insertRecordWithHistory, listHistory, readSecret, insertRecord, uniqueTaken, updateRecord
} from '../store/record-store.ts'
import type { HistoryEntry, StoreContext, StoredRecord } from '../store/record-store.ts'
import { listPage } from './list-walk.ts'
import type { ListResult } from './list-walk.ts'
import { parseListQuery } from './list-query.ts'
import { openCursor, queryHash, sealCursor } from './cursor.ts'

// The write and read operations on records. Each write is one transaction: read (row-locked),
// apply the resource's rules, check links and uniqueness, write the row, its links and a history
// entry. A rejected write throws before anything is written, and the transaction rolls back.

export interface WriteOptions {
  /** `If-Match`: the ETag the client last saw; a different current ETag → 412. */
  ifMatch?: string
  /**
   * Runs inside the write's transaction with the record it returns, after everything else: the
   * Idempotency-Key response is stored here so it commits (or not) with the write (SPEC §6).
   */
  inTransaction?: (ctx: StoreContext, record: StoredRecord) => Promise<void>
}

export interface HistoryResult {
  entries: HistoryEntry[]
  nextCursor: string | null
}

/** How often a write that PostgreSQL chose as a deadlock victim is attempted in all. */
const DEADLOCK_RETRIES = 3

export function etagOf (record: StoredRecord): string {
  return `"${record.version}"`
}

export class RecordOperations {
  private readonly db: Database
  private readonly now: () => Date

  constructor (db: Database, now: () => Date = () => new Date()) {
    this.db = db
    this.now = now
  }

  /**
   * One transaction per write. Writes lock their rows in one global order (see lockWriteSet), so
   * PostgreSQL should never pick a deadlock victim; should it still happen (a link added by a
   * concurrent write between our look and our lock), the whole transaction is retried, which is
   * safe because nothing of it was committed.
   */
  private async transaction<T> (resource: ResourceDecl, work: (ctx: StoreContext) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.kysely.transaction().execute(async (trx: Kysely<any>) => await work({ db: trx, dialect: this.db.dialect }))
      } catch (error) {
        const code = (error as { code?: string })?.code
        // Two concurrent writes can both pass the uniqueness check; the partial unique index
        // stops the second, which gets the same 409 as a sequential one.
        if (code === '23505' && resource.unique) throw uniqueConflict(resource)
        if (attempt >= DEADLOCK_RETRIES || code !== '40P01') throw error
      }
    }
  }

  /** A write's transaction: the work, then the caller's `inTransaction` step, then commit. */
  private async write (resource: ResourceDecl, options: WriteOptions, work: (ctx: StoreContext) => Promise<StoredRecord>): Promise<StoredRecord> {
    return await this.transaction(resource, async (ctx) => {
      const record = await work(ctx)
      await options.inTransaction?.(ctx, record)
      return record
    })
  }

  private get readContext (): StoreContext {
    return { db: this.db.kysely, dialect: this.db.dialect }
  }

  /** GET /{resource}: one page of the caller's records (SPEC §4, records/list-walk.ts). */
  async list (resource: ResourceDecl, caller: Caller, rawQuery: Record<string, unknown>): Promise<ListResult> {
    return await listPage(this.readContext, await this.cursorKey(), resource, caller, rawQuery, this.now())
  }

  /** GET /{resource}/{id}/history: newest first, paginated like lists. */
  async history (resource: ResourceDecl, caller: Caller, id: string, rawQuery: Record<string, unknown>): Promise<HistoryResult> {
    for (const [key, value] of Object.entries(rawQuery)) {
      if (key !== 'limit' && key !== 'cursor') throw problem.invalidField(key, 'is not a history parameter (use limit, cursor)')
      if (typeof value !== 'string') throw problem.invalidField(key, 'must be given once')
    }
    const { limit, cursor: raw } = parseListQuery(resource, { ...(rawQuery.limit ? { limit: rawQuery.limit } : {}), ...(rawQuery.cursor ? { cursor: rawQuery.cursor } : {}) })
    const record = await this.get(resource, caller, id)
    const bound = queryHash(['history', caller.tenantId, id])
    const key = await this.cursorKey()
    const before = raw === null ? null : String(openCursor(key, raw, bound).after[0])
    const entries = await listHistory(this.readContext, caller.tenantId, record.data.id as string, limit + 1, before)
    const hasMore = entries.length > limit
    const data = entries.slice(0, limit)
    return {
      entries: data,
      nextCursor: hasMore ? sealCursor(key, { after: [data[data.length - 1]!.id], query: bound }) : null
    }
  }

  private cursorKeyValue: string | null = null
  private async cursorKey (): Promise<string> {
    this.cursorKeyValue ??= await readSecret(this.db.kysely, 'cursor_key')
    return this.cursorKeyValue
  }

  async get (resource: ResourceDecl, caller: Caller, id: string): Promise<StoredRecord> {
    const found = await findRecordJson(this.readContext, resource, caller, id)
    if (!found) throw problem.notFound(resource.title)
    return found
  }

  async create (resource: ResourceDecl, caller: Caller, body: RecordData, options: WriteOptions = {}): Promise<StoredRecord> {
    const { fields } = parseInput(resource, body)
    const now = toTimestamp(this.now())
    const base: RecordData = {}
    for (const field of allFields(resource)) if (!field.aliasOf) base[field.name] = field.link ? [] : null
    Object.assign(base, {
      id: newId(resource.idPrefix),
      tenant_id: caller.tenantId,
      app_id: caller.appId,
      created_at: now,
      updated_at: now,
      created_by: caller.sub,
      updated_by: caller.sub,
      source: 'edm',
      source_type: 'api',
      is_deleted: false,
      schema_version: SCHEMA_VERSION
    })
    const merged = { ...base, ...withoutNulls(fields, ['source', 'source_type']) }
    const next = normalize(resource, resource.rules(merged, { input: fields, previous: null, caller, now, action: 'create' }))
    const entry = historyEntry(caller, now, 'create', diff(resource, null, next))
    if (this.db.dialect === 'postgres' && options.inTransaction === undefined && !createNeedsReads(resource, fields)) {
      // Nothing to check, link or store with it (no Idempotency-Key): the row and its history in
      // one statement, one round trip (store/record-store.ts#insertRecordWithHistory).
      await insertRecordWithHistory(this.readContext, resource, next, entry)
      return { data: next, version: 1 }
    }
    return await this.write(resource, options, async (ctx) => {
      await lockWriteSet(ctx, resource, caller, null, fields)
      await checkReferences(ctx, resource, caller, next, null, fields)
      if (await uniqueTaken(ctx, resource, next)) throw uniqueConflict(resource)
      await insertRecord(ctx, resource, next)
      const record: StoredRecord = { data: next, version: 1 }
      await writeAllLinks(ctx, resource, caller, now, record.data, emptyLinks(resource), fields)
      await insertHistory(ctx, caller.tenantId, next.id as string, entry)
      return record
    })
  }

  /** PATCH (RFC 7396 merge patch). `is_deleted` true/false is delete/restore. */
  async update (resource: ResourceDecl, caller: Caller, id: string, body: RecordData, options: WriteOptions = {}): Promise<StoredRecord> {
    const { fields, isDeleted } = parseInput(resource, body)
    const hasFields = Object.keys(fields).length > 0
    return await this.write(resource, options, async (ctx) => {
      let current = await this.load(ctx, resource, caller, id, options, fields)
      if (isDeleted === false && current.data.is_deleted) current = await this.setDeleted(ctx, resource, caller, current, false)
      if (hasFields) current = await this.applyChange(ctx, resource, caller, current, fields, 'update')
      if (isDeleted === true && !current.data.is_deleted) current = await this.setDeleted(ctx, resource, caller, current, true)
      return current
    })
  }

  /** POST …/resolve on vulnerabilities: a status change under the same rules as an update. */
  async resolve (resource: ResourceDecl, caller: Caller, id: string, body: RecordData, options: WriteOptions = {}): Promise<StoredRecord> {
    const { fields } = parseInput(resource, body)
    if (fields.status == null) fields.status = 'remediated'
    return await this.write(resource, options, async (ctx) => {
      const current = await this.load(ctx, resource, caller, id, options)
      if (current.data.status === fields.status) {
        if (current.data.is_deleted) throw deletedConflict(resource)
        return current
      }
      return await this.applyChange(ctx, resource, caller, current, fields, 'resolve')
    })
  }

  async delete (resource: ResourceDecl, caller: Caller, id: string, options: WriteOptions = {}): Promise<StoredRecord> {
    return await this.write(resource, options, async (ctx) => {
      const current = await this.load(ctx, resource, caller, id, options)
      return current.data.is_deleted ? current : await this.setDeleted(ctx, resource, caller, current, true)
    })
  }

  async restore (resource: ResourceDecl, caller: Caller, id: string, options: WriteOptions = {}): Promise<StoredRecord> {
    return await this.write(resource, options, async (ctx) => {
      const current = await this.load(ctx, resource, caller, id, options)
      return current.data.is_deleted ? await this.setDeleted(ctx, resource, caller, current, false) : current
    })
  }

  private async load (
    ctx: StoreContext, resource: ResourceDecl, caller: Caller, id: string, options: WriteOptions, input: RecordData = {}
  ): Promise<StoredRecord> {
    await lockWriteSet(ctx, resource, caller, id, input)
    const current = await findRecord(ctx, resource, caller, id, { forUpdate: true })
    if (!current) throw problem.notFound(resource.title)
    if (options.ifMatch !== undefined && !etagMatches(options.ifMatch, etagOf(current))) {
      throw new ProblemError('precondition_failed', `If-Match ${options.ifMatch} does not match the current ETag ${etagOf(current)}.`)
    }
    return current
  }

  private async applyChange (
    ctx: StoreContext, resource: ResourceDecl, caller: Caller, current: StoredRecord, fields: RecordData, action: 'update' | 'resolve'
  ): Promise<StoredRecord> {
    if (current.data.is_deleted) throw deletedConflict(resource)
    const now = toTimestamp(this.now())
    const merged = { ...current.data, ...fields }
    // Server-held defaults (`source`, `source_type`) come back when a patch clears them.
    if (merged.source === null) merged.source = 'edm'
    if (merged.source_type === null) merged.source_type = 'api'
    const ruled = normalize(resource, resource.rules(merged, { input: fields, previous: current.data, caller, now, action }))
    const changes = diff(resource, current.data, ruled)
    if (Object.keys(changes).length === 0) return current
    await checkReferences(ctx, resource, caller, ruled, current.data, fields)
    if (resource.unique?.some((name) => name in changes) && await uniqueTaken(ctx, resource, ruled)) throw uniqueConflict(resource)
    const next: StoredRecord = { data: { ...ruled, updated_at: now, updated_by: caller.sub }, version: current.version + 1 }
    await updateRecord(ctx, resource, next.data, next.version)
    await writeAllLinks(ctx, resource, caller, now, next.data, current.data, fields)
    await insertHistory(ctx, caller.tenantId, next.data.id as string, historyEntry(caller, now, action, changes))
    return next
  }

  private async setDeleted (ctx: StoreContext, resource: ResourceDecl, caller: Caller, current: StoredRecord, deleted: boolean): Promise<StoredRecord> {
    const now = toTimestamp(this.now())
    const data: RecordData = {
      ...current.data,
      is_deleted: deleted,
      deleted_at: deleted ? now : null,
      deleted_by: deleted ? caller.sub : null,
      updated_at: now,
      updated_by: caller.sub
    }
    if (!deleted && await uniqueTaken(ctx, resource, data)) throw uniqueConflict(resource)
    const next: StoredRecord = { data, version: current.version + 1 }
    // Links of a deleted record are dormant (hidden on both sides) and wake on restore.
    const counterparts = await linkedCounterparts(ctx, resource, caller.tenantId, current.data.id as string)
    await updateRecord(ctx, resource, data, next.version)
    await attachLinks(ctx, resource, [next.data])
    const changes = diff(resource, current.data, next.data)
    await insertHistory(ctx, caller.tenantId, data.id as string, historyEntry(caller, now, deleted ? 'delete' : 'restore', changes))
    await touchCounterparts(ctx, caller, now, counterparts)
    return next
  }
}

/** A create reads first when it must check uniqueness or linked ids (which also means writing links). */
function createNeedsReads (resource: ResourceDecl, input: RecordData): boolean {
  return resource.unique !== undefined || resource.fields.some((field) => field.refersTo !== undefined && input[field.name] != null)
}

function emptyLinks (resource: ResourceDecl): RecordData {
  const out: RecordData = { id: null }
  for (const field of linkFields(resource)) out[field.name] = []
  return out
}

function withoutNulls (fields: RecordData, names: string[]): RecordData {
  const out = { ...fields }
  for (const name of names) if (out[name] === null) delete out[name]
  return out
}

/** Fills absent fields with null and drops anything that is not a stored field. */
function normalize (resource: ResourceDecl, data: RecordData): RecordData {
  const out: RecordData = {}
  for (const field of allFields(resource)) {
    if (field.aliasOf) continue
    out[field.name] = data[field.name] === undefined ? (field.link ? [] : null) : data[field.name]
    // A relation is a set: keep it in one order so equal sets compare equal.
    if (field.link) out[field.name] = [...((out[field.name] as string[] | null) ?? [])].sort()
  }
  return out
}

function etagMatches (header: string, etag: string): boolean {
  if (header.trim() === '*') return true
  return header.split(',').map((t) => t.trim().replace(/^W\//, '')).includes(etag)
}

function deletedConflict (resource: ResourceDecl): ProblemError {
  return problem.conflict(`This ${resource.title} is deleted; restore it before changing it.`)
}

function uniqueConflict (resource: ResourceDecl): ProblemError {
  const names = resource.unique!.join(', ')
  return problem.conflict(`Another live ${resource.title} of this tenant already has the same ${names}.`,
    resource.unique!.map((field) => ({ field, message: 'already taken' })))
}
