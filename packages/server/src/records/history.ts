import { isDeepStrictEqual } from 'node:util'
import type { RecordData, ResourceDecl } from '../resources/resource.ts'
import { columnFields, linkFields } from '../resources/index.ts'
import type { FieldDecl } from '../resources/fields.ts'
import type { HistoryEntry } from '../store/record-store.ts'
import type { Caller } from './caller.ts'
import { newId } from './ids.ts'

// What a record's history says about a write (SPEC §3: `at`, `actor`, `app_id`, `action`,
// `changes: {field: {from, to}}`). The entry is inserted by the write's own transaction.

export type Action = 'create' | 'update' | 'resolve' | 'delete' | 'restore'

export type Changes = Record<string, { from: unknown, to: unknown }>

// Bookkeeping every entry already carries (`at`, `actor`, `app_id`) or that never changes after
// create: not repeated in `changes`.
const NOT_IN_HISTORY = new Set(['id', 'tenant_id', 'app_id', 'created_at', 'created_by', 'updated_at', 'updated_by', 'schema_version'])

/** Field-level changes between two versions of a record; on create (`before` null) only the fields it set. */
export function diff (resource: ResourceDecl, before: RecordData | null, after: RecordData): Changes {
  const changes: Changes = {}
  const fields: FieldDecl[] = [...columnFields(resource), ...linkFields(resource)]
  for (const field of fields) {
    if (NOT_IN_HISTORY.has(field.name)) continue
    const from = before === null ? null : before[field.name] ?? null
    const to = after[field.name] ?? null
    if (before === null && (to === null || to === false || (Array.isArray(to) && to.length === 0))) continue
    // Deep equality ignores object key order: PostgreSQL's jsonb does not keep it, and a PATCH
    // that re-sends the same JSON object must remain a no-op.
    if (!isDeepStrictEqual(from, to)) changes[field.name] = { from, to }
  }
  return changes
}

export function historyEntry (caller: Caller, at: string, action: Action, changes: Changes): HistoryEntry {
  return { id: newId('hst'), at, actor: caller.sub, app_id: caller.appId, action, changes }
}
