import type { ResourceDecl } from '../resources/resource.ts'
import type { Caller } from './caller.ts'
import { problem } from '../errors.ts'
import { parseListQuery } from './list-query.ts'
import { badCursor, openCursor, queryHash, sealCursor, walkStart } from './cursor.ts'
import { toTimestamp } from './time.ts'
import { listRecords } from '../store/record-list.ts'
import { isSnapshot } from '../store/walk-snapshot.ts'
import type { StoreContext, StoredRecord } from '../store/record-store.ts'

// One page of a list walk (SPEC §4): parse the query, open the cursor (or start a walk with a
// fresh snapshot), read the page as of the walk's snapshot (a first page takes it), seal the next cursor.

export interface ListResult {
  records: StoredRecord[]
  nextCursor: string | null
  total?: number
}

export async function listPage (
  ctx: StoreContext, cursorKey: string, resource: ResourceDecl, caller: Caller, rawQuery: Record<string, unknown>, now: Date
): Promise<ListResult> {
  const query = parseListQuery(resource, rawQuery)
  // The cursor is bound to everything that decides which rows come in which order, and to the
  // caller's tenant and app: a cursor never opens another query's or another tenant's walk.
  // `limit` and `include_total` may change between pages.
  const bound = queryHash([resource.name, caller.tenantId, caller.appId, query.sort, query.filters.map((f) => [f.field.name, f.op, f.value]),
    query.search, query.includeDeleted, query.overdue])
  const cursor = query.cursor === null ? null : openCursor(cursorKey, query.cursor, bound)
  if (cursor && cursor.after.length !== query.sort.length) throw badCursor()
  const started = cursor ? walkStart(cursor, now) : toTimestamp(now)
  const snapshot = cursor ? cursor.state?.snapshot : null
  if (cursor && !isSnapshot(ctx.dialect, snapshot)) throw problem.invalidField('cursor', 'is not a cursor this service issued')
  const page = await listRecords(ctx, resource, caller, { query, after: cursor?.after ?? null, snapshot: snapshot as string | null, now: started })
  return {
    records: page.records,
    nextCursor: page.nextAfter === null ? null : sealCursor(cursorKey, { after: page.nextAfter, query: bound, state: { now: started, snapshot: page.snapshot } }),
    ...(page.total === undefined ? {} : { total: page.total })
  }
}
