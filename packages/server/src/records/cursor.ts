import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { problem } from '../errors.ts'

// Cursors are opaque and tamper-evident (AIP-158): base64url JSON of the position after the last
// row, bound to the query (and caller) that produced it by a hash, sealed with an HMAC whose key
// is kept in the database (server_secrets), so every instance on that database accepts them. A
// cursor that fails the seal, or belongs to another query or caller, is a 400 — never a 500 and
// never somebody else's rows.

/** A walk must finish within this long: the versions it reads are kept a little longer (store/list-schema.ts). */
export const CURSOR_LIFETIME_MS = 24 * 3600 * 1000

export interface CursorPayload {
  /** Sort-key field values of the last row of the page, in sort order (the id last). */
  after: unknown[]
  /** Hash of the query the cursor belongs to. */
  query: string
  /** Extra state a query keeps across pages: the walk's snapshot and start time. */
  state?: Record<string, unknown>
}

export function queryHash (parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22)
}

export function sealCursor (key: string, payload: CursorPayload): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url')
  return `${body}.${sign(key, body)}`
}

export function openCursor (key: string, cursor: string, expectedQuery: string): CursorPayload {
  const [body, mac, extra] = cursor.split('.')
  if (!body || !mac || extra !== undefined || cursor.length > 16_384) throw badCursor()
  const expected = Buffer.from(sign(key, body))
  const given = Buffer.from(mac)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw badCursor()
  let payload: CursorPayload
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  } catch {
    throw badCursor()
  }
  if (!isPayload(payload)) throw badCursor()
  if (payload.query !== expectedQuery) {
    throw problem.invalidField('cursor', 'belongs to another query: repeat the same filters, sort and search as the page it came from')
  }
  return payload
}

/** A walk's start time from its cursor; older than CURSOR_LIFETIME_MS → 400 (start again). */
export function walkStart (payload: CursorPayload, now: Date): string {
  const started = payload.state?.now
  const at = typeof started === 'string' ? Date.parse(started) : Number.NaN
  if (Number.isNaN(at)) throw badCursor()
  if (now.getTime() - at > CURSOR_LIFETIME_MS) throw problem.invalidField('cursor', 'has expired (a walk lasts at most 24 hours): start again without a cursor')
  return started as string
}

function isPayload (value: unknown): value is CursorPayload {
  if (typeof value !== 'object' || value === null) return false
  const p = value as Record<string, unknown>
  const scalar = (v: unknown) => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
  return Array.isArray(p.after) && p.after.every(scalar) && typeof p.query === 'string' &&
    (p.state === undefined || (typeof p.state === 'object' && p.state !== null && !Array.isArray(p.state)))
}

function sign (key: string, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url')
}

export function badCursor () {
  return problem.invalidField('cursor', 'is not a cursor this service issued')
}
