import { monotonicFactory } from 'ulidx'

// Ids are `{prefix}_{ULID}` (SPEC §3.1). Monotonic so that ids minted in the same millisecond
// still sort in creation order (the list's tie-breaker and the history's order).
const ulid = monotonicFactory()

export function newId (prefix: string): string {
  return `${prefix}_${ulid()}`
}

export const ID_PATTERN = '^[a-z]+_[0-9A-HJKMNP-TV-Z]{26}$'
