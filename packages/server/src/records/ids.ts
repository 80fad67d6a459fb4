import { randomBytes } from 'node:crypto'
import { monotonicFactory } from 'ulidx'

// Ids are `{prefix}_{ULID}` (SPEC §3.1). Monotonic so that ids minted in the same millisecond
// still sort in creation order (the list's tie-breaker and the history's order).

// The ULID's random part from the CSPRNG, drawn 4 KiB at a time: ulidx's default asks
// crypto.getRandomValues once per character, which the profile showed on every request (request
// ids) and every write (docs/BENCHMARKS.md).
let pool = randomBytes(4096)
let offset = 0
function pooledRandom (): number {
  if (offset + 2 > pool.length) {
    pool = randomBytes(4096)
    offset = 0
  }
  const value = pool.readUInt16BE(offset) / 65_536
  offset += 2
  return value
}

const ulid = monotonicFactory(pooledRandom)

export function newId (prefix: string): string {
  return `${prefix}_${ulid()}`
}

export const ID_PATTERN = '^[a-z]+_[0-9A-HJKMNP-TV-Z]{26}$'
