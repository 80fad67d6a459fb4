import type { RecordData, RuleInput } from '../../src/resources/resource.ts'
import { ALL_SCOPES, SCOPES } from '../../src/records/caller.ts'

// Builds the inputs of a pure rule the way the operations do: the merged next record (previous +
// what the write names) and the context. No HTTP, no database.

export const NOW = '2026-03-01T12:00:00.000Z'
export const CREATED = '2026-01-10T08:00:00.000Z'

export function scopes (all = true): ReadonlySet<string> {
  return new Set(all ? ALL_SCOPES.split(' ') : [SCOPES.read, SCOPES.write])
}

export interface Write {
  input: RecordData
  previous?: RecordData | null
  accept?: boolean
  action?: RuleInput['action']
}

/** The (next, ctx) pair a rule receives for a write of `input` over `previous`. */
export function ruleArgs ({ input, previous = null, accept = true, action }: Write): [RecordData, RuleInput] {
  const base: RecordData = previous ?? { id: 'x_1', created_at: NOW }
  const next = { ...base, ...input }
  return [next, {
    input,
    previous,
    caller: { tenantId: 't1', appId: null, sub: 'alice', scopes: scopes(accept) },
    now: NOW,
    action: action ?? (previous === null ? 'create' : 'update')
  }]
}
