import type { RecordData, ResourceDecl } from '../resources/resource.ts'
import { linkFields, resourceByName } from '../resources/index.ts'
import type { FieldDecl } from '../resources/fields.ts'
import { problem } from '../errors.ts'
import type { Caller } from './caller.ts'
import { diff, historyEntry } from './history.ts'
import {
  attachLinks, findRecord, insertHistory, linkedLiveIds, lockRecord, updateRecord, visibleLiveIds, writeLinks
} from '../store/record-store.ts'
import type { StoreContext, StoredRecord } from '../store/record-store.ts'

// The write side of two-sided relations (control ↔ control, risk ↔ control) and of references
// (SPEC §3.3–3.4): which ids a write may link to, the link rows it writes, and the records on the
// other side, which get a new version, `updated_at` and history when their visible links change.

/**
 * Locks the record a write changes and every record on the other side of its links (those it
 * has and those the write adds), sorted by id across tables (PostgreSQL; SQLite serialises
 * writes). Two writes touching overlapping records (A links B while B links A; a delete of A while
 * B changes its links) then lock in the same order instead of each holding one row and waiting
 * for the other. Call it before reading anything the write depends on.
 */
export async function lockWriteSet (ctx: StoreContext, resource: ResourceDecl, caller: Caller, id: string | null, input: RecordData): Promise<void> {
  if (ctx.dialect !== 'postgres') return
  const refs = new Map<string, ResourceDecl>()
  if (id !== null) {
    refs.set(id, resource)
    for (const [field, ids] of await linkedLiveIds(ctx, resource, id)) for (const other of ids) refs.set(other, resourceByName(field.refersTo!))
  }
  for (const field of linkFields(resource)) {
    if (Array.isArray(input[field.name])) for (const other of input[field.name] as string[]) refs.set(other, resourceByName(field.refersTo!))
  }
  // One row cannot be locked out of order: the write's own read locks it.
  if (refs.size < 2) return
  for (const key of [...refs.keys()].sort()) await lockRecord(ctx, refs.get(key)!, caller.tenantId, key)
}

/**
 * Ids a write adds to a relation must name live records of this tenant that the caller can see,
 * and not the record itself (422). Ids the record already holds are not re-checked, so a PATCH
 * that keeps a link to a since-deleted vulnerability is not refused for it.
 */
export async function checkReferences (
  ctx: StoreContext, resource: ResourceDecl, caller: Caller, next: RecordData, previous: RecordData | null, input: RecordData
): Promise<void> {
  for (const field of resource.fields) {
    if (!field.refersTo || !Array.isArray(input[field.name])) continue
    const held = new Set((previous?.[field.name] as string[] | null) ?? [])
    const ids = (input[field.name] as string[]).filter((id) => !held.has(id))
    if (ids.includes(next.id as string)) throw problem.unprocessable(field.name, 'a record cannot link to itself')
    const target = resourceByName(field.refersTo)
    const found = await visibleLiveIds(ctx, target, caller, ids)
    const unknown = ids.filter((id) => !found.has(id))
    if (unknown.length > 0) throw problem.unprocessable(field.name, `unknown ${target.title} id(s): ${unknown.slice(0, 10).join(', ')}`)
  }
}

/** Writes the link rows of the link fields a write names, and touches the records on their other side. */
export async function writeAllLinks (
  ctx: StoreContext, resource: ResourceDecl, caller: Caller, now: string, next: RecordData, previous: RecordData, input: RecordData
): Promise<void> {
  const changed = linkFields(resource).filter((field) => Array.isArray(input[field.name]) || input[field.name] === null)
  if (changed.length === 0) return
  const counterparts = await counterpartsBefore(ctx, caller.tenantId, changed.map((field) =>
    [field, [...((previous[field.name] as string[]) ?? []), ...((next[field.name] as string[]) ?? [])]]))
  for (const field of changed) {
    await writeLinks(ctx, field, caller.tenantId, next.id as string, (previous[field.name] as string[]) ?? [], (next[field.name] as string[]) ?? [])
  }
  await touchCounterparts(ctx, caller, now, counterparts)
}

export interface Counterpart {
  resource: ResourceDecl
  record: StoredRecord
}

/** The live records linked to `id` (a record about to be deleted or restored), as they are now. */
export async function linkedCounterparts (ctx: StoreContext, resource: ResourceDecl, tenantId: string, id: string): Promise<Counterpart[]> {
  return await counterpartsBefore(ctx, tenantId, await linkedLiveIds(ctx, resource, id))
}

/**
 * The records on the other side of a write's links (ids per link field), each with its link lists
 * as they are now; `touchCounterparts` compares them after the write.
 */
async function counterpartsBefore (ctx: StoreContext, tenantId: string, idsByField: Array<[FieldDecl, Iterable<string>]>): Promise<Counterpart[]> {
  const out: Counterpart[] = []
  for (const [field, ids] of idsByField) {
    const target = resourceByName(field.refersTo!)
    for (const id of new Set(ids)) {
      const found = await findRecord(ctx, target, tenantCaller(tenantId), id, { forUpdate: true })
      if (found) out.push({ resource: target, record: found })
    }
  }
  return out
}

/** A record whose visible links changed because of another record's write gets a new version and history. */
export async function touchCounterparts (ctx: StoreContext, caller: Caller, now: string, counterparts: Counterpart[]): Promise<void> {
  for (const { resource, record } of counterparts) {
    const after: RecordData = { ...record.data }
    await attachLinks(ctx, resource, [after])
    const changes = diff(resource, record.data, after)
    if (Object.keys(changes).length === 0) continue
    const data: RecordData = { ...after, updated_at: now, updated_by: caller.sub }
    await updateRecord(ctx, resource, data, record.version + 1)
    await insertHistory(ctx, caller.tenantId, data.id as string, historyEntry(caller, now, 'update', changes))
  }
}

/** A tenant-wide view used to touch counterparts, which may belong to another app of the tenant. */
function tenantCaller (tenantId: string): Caller {
  return { tenantId, appId: null, sub: 'system', scopes: new Set() }
}
